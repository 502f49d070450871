namespace PecosCrm.Core.Loyalty;

/// <summary>
/// An earning rule. <paramref name="Value"/> is the points of a bonus rule, the points per dollar of
/// <c>per_dollar</c> and the multiplier of <c>birthday_month</c>; <c>tier_multiplier</c> applies the
/// tiers' own multipliers. A rule earns only while active and between <paramref name="StartsAt"/> and
/// <paramref name="EndsAt"/>, and at most <paramref name="LimitCount"/> times per <paramref name="LimitPer"/>
/// (<c>day</c>, <c>month</c>, <c>year</c>, <c>lifetime</c>; store-local periods).
/// </summary>
public sealed record EarningRule(
    string Id, string Name, string Description, decimal Value, bool Active, DateTimeOffset? StartsAt, DateTimeOffset? EndsAt,
    int? LimitCount, string? LimitPer, DateTimeOffset? UpdatedAt = null, string? ETag = null)
{
    public bool IsLive(DateTimeOffset at) => Active && (StartsAt is null || at >= StartsAt) && (EndsAt is null || at < EndsAt);
}

/// <summary>The seeded rules, as the roadmap's table has them.</summary>
public static class EarningRules
{
    public const string PerDollar = "per_dollar";
    public const string FirstPurchase = "first_purchase";
    public const string BirthdayMonth = "birthday_month";
    public const string Review = "review";
    public const string Referral = "referral";
    public const string SocialShare = "social_share";
    public const string Anniversary = "anniversary";
    public const string TierMultiplier = "tier_multiplier";

    public static readonly IReadOnlyList<string> LimitPeriods = ["day", "month", "year", "lifetime"];

    /// <summary>Activities the storefront reports through <c>POST /api/loyalty/customers/{id}/activities</c>.</summary>
    public static readonly IReadOnlyList<string> Activities = [SocialShare];

    public static readonly IReadOnlyList<EarningRule> Defaults =
    [
        new(PerDollar, "Purchase", "1 point per $1 spent (merchandise after discounts)", 1m, true, null, null, null, null),
        new(FirstPurchase, "First purchase", "+50 points on the first order", 50m, true, null, null, 1, "lifetime"),
        new(BirthdayMonth, "Birthday month", "2x points on orders in the birthday month", 2m, true, null, null, null, null),
        new(Review, "Product review", "+25 points per review", 25m, true, null, null, null, null),
        new(Referral, "Referral", "+100 points when a referred friend places a first order", 100m, true, null, null, null, null),
        new(SocialShare, "Social share", "+10 points for a share, once a day", 10m, true, null, null, 1, "day"),
        new(Anniversary, "Account anniversary", "+50 points on each anniversary of the account", 50m, true, null, null, 1, "year"),
        new(TierMultiplier, "Tier multiplier", "Bronze 1x, Silver 1.25x, Gold 1.5x, Platinum 2x on purchase points", 1m, true, null, null, null, null),
    ];

    /// <summary>The period key a use of the rule at a store-local date counts in.</summary>
    public static string Period(string? per, DateOnly date) => per switch
    {
        "day" => date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        "month" => MonthKey.Of(date),
        "year" => date.Year.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => "all",
    };

    /// <summary>Whether the rule may earn once more on <paramref name="date"/>; with the account's uses after it.</summary>
    public static bool TryUse(EarningRule rule, LoyaltyAccount account, DateOnly date, out IReadOnlyDictionary<string, RuleUse> uses)
    {
        uses = account.RuleUses;
        if (rule.LimitCount is not { } limit)
        {
            return true;
        }
        var period = Period(rule.LimitPer, date);
        var used = account.RuleUses.TryGetValue(rule.Id, out var u) && u.Period == period ? u.Count : 0;
        if (used >= limit)
        {
            return false;
        }
        uses = new Dictionary<string, RuleUse>(account.RuleUses, StringComparer.Ordinal) { [rule.Id] = new RuleUse(period, used + 1) };
        return true;
    }
}
