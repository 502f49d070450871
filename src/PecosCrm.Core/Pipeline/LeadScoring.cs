namespace PecosCrm.Core.Pipeline;

/// <summary>A lead's score (0-100) with the parts it is made of, so staff can see why.</summary>
public sealed record LeadScore(int Total, LeadFit Fit, LeadEngagementScore Engagement, DateTimeOffset ComputedAt)
{
    public static readonly LeadScore Zero = new(0, new LeadFit(0, 0, 0, 0), new LeadEngagementScore(0, 0, 0, 0, 0, 1, 0), DateTimeOffset.MinValue);
}

/// <summary>How well the business fits (up to 50): its kind (20), its estimated value (20), how it found us (10).</summary>
public sealed record LeadFit(int CompanyType, int EstimatedValue, int Source, int Total);

/// <summary>
/// How engaged the lead is (up to 50): logged activities (25), email opens (5) and clicks (10),
/// recency of the last touch (10), all multiplied by the decay factor.
/// </summary>
public sealed record LeadEngagementScore(int Activities, int EmailOpens, int EmailClicks, int Recency, int BeforeDecay, double Decay, int Total);

/// <summary>
/// The lead score. Fit comes from what the lead is; engagement from what happened with it, and it
/// halves for every 30 days without a touch after the first 14, so a lead nobody worked drifts
/// down the list. Pure: the store recomputes it on every change of the lead and every night.
/// </summary>
public static class LeadScoring
{
    public const int GraceDays = 14;
    public const int HalfLifeDays = 30;

    public static LeadScore Compute(
        CompanyType? companyType, long? estimatedValueCents, string source, LeadEngagement engagement, DateTimeOffset createdAt, DateTimeOffset now)
    {
        var fitType = companyType switch
        {
            CompanyType.WesternWearShop or CompanyType.RanchSupply => 20,
            CompanyType.FeedStore => 15,
            CompanyType.DepartmentStore => 12,
            CompanyType.OnlineRetailer => 10,
            CompanyType.Other => 5,
            _ => 0,
        };
        var dollars = (estimatedValueCents ?? 0) / 100;
        var fitValue = dollars switch
        {
            >= 50_000 => 20,
            >= 20_000 => 15,
            >= 5_000 => 10,
            > 0 => 5,
            _ => 0,
        };
        var fitSource = SourcePoints(source);
        var fit = new LeadFit(fitType, fitValue, fitSource, fitType + fitValue + fitSource);

        var activities = Math.Min(25, 5 * (engagement.Calls + engagement.Meetings) + 2 * (engagement.Emails + engagement.Notes));
        var opens = Math.Min(5, engagement.EmailOpens);
        var clicks = Math.Min(10, 3 * engagement.EmailClicks);
        var lastTouch = engagement.LastTouchAt ?? createdAt;
        var idleDays = Math.Max(0, (now - lastTouch).TotalDays);
        var recency = engagement.LastTouchAt is null ? 0 : idleDays <= 7 ? 10 : idleDays <= 30 ? 5 : 0;
        var beforeDecay = activities + opens + clicks + recency;
        var decay = Math.Round(Math.Pow(0.5, Math.Max(0, idleDays - GraceDays) / HalfLifeDays), 3);
        var engagementTotal = (int)Math.Round(beforeDecay * decay, MidpointRounding.AwayFromZero);
        var engaged = new LeadEngagementScore(activities, opens, clicks, recency, beforeDecay, decay, engagementTotal);

        return new LeadScore(fit.Total + engagementTotal, fit, engaged, now);
    }

    /// <summary>Warm introductions first, cold outreach last; a source added to the list later scores as cold.</summary>
    public static int SourcePoints(string source) => source.Trim().ToLowerInvariant() switch
    {
        "referral" or "partner" => 10,
        "trade show" => 8,
        "website" => 6,
        "email campaign" => 5,
        "social media" or "advertisement" => 4,
        _ => 3,
    };

    /// <summary>Whether two scores differ in anything but the time they were computed.</summary>
    public static bool Differs(LeadScore a, LeadScore b) => a with { ComputedAt = default } != b with { ComputedAt = default };
}
