namespace PecosCrm.Core.Customers;

/// <summary>
/// How a customer engages besides buying: counters of store events and email activity, and the
/// time of the latest. Each event is applied once (deduplicated), so the counters commute.
/// </summary>
public sealed record Engagement(
    int Logins,
    int PageViews,
    int ProductViews,
    int Reviews,
    int CartUpdates,
    int EmailOpens,
    int EmailClicks,
    DateTimeOffset? LastEngagedAt,
    int OpenSupportIssues)
{
    public static readonly Engagement None = new(0, 0, 0, 0, 0, 0, 0, null, 0);

    public Engagement Touch(DateTimeOffset at) =>
        this with { LastEngagedAt = LastEngagedAt is { } last && last > at ? last : at };
}
