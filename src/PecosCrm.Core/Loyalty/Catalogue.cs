namespace PecosCrm.Core.Loyalty;

public enum RewardKind
{
    DiscountCode,
    FreeShipping,
    Product,
}

/// <summary>
/// A reward in the catalogue. <c>discount_code</c> issues a fixed-amount (<paramref name="Amount"/>)
/// or percent (<paramref name="Percent"/>) code; <c>free_shipping</c> a free-shipping code;
/// <c>product</c> a code for one free <paramref name="ProductId"/>.
/// </summary>
public sealed record Reward(
    string Id, string Name, string? Description, RewardKind Kind, long Points, decimal? Amount, decimal? Percent, string? ProductId,
    int ValidDays, bool Active, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string? ETag = null);

/// <summary>
/// An achievement (badge): earned once when <paramref name="Metric"/> reaches <paramref name="Threshold"/>,
/// with <paramref name="BonusPoints"/>. Metrics: <c>order_count</c>, <c>lifetime_spend</c> (dollars),
/// <c>reviews</c>, <c>streak_months</c>, <c>referrals</c>, <c>points_earned</c>, <c>tier</c> (0 Bronze to 3 Platinum).
/// </summary>
public sealed record Achievement(string Id, string Name, string Description, string Metric, long Threshold, long BonusPoints, bool Active = true);

/// <summary>A limited-time challenge: <paramref name="Target"/> orders (<c>orders</c>) or dollars (<c>spend</c>) between its dates earn <paramref name="BonusPoints"/>.</summary>
public sealed record Challenge(
    string Id, string Name, string? Description, string Metric, long Target, long BonusPoints, DateTimeOffset StartsAt, DateTimeOffset EndsAt, DateTimeOffset CreatedAt);

public static class Achievements
{
    public static readonly IReadOnlyList<string> Metrics = ["order_count", "lifetime_spend", "reviews", "streak_months", "referrals", "points_earned", "tier"];

    /// <summary>The ten seeded achievements.</summary>
    public static readonly IReadOnlyList<Achievement> Defaults =
    [
        new("first-boots", "First Boots", "Placed a first order", "order_count", 1, 0),
        new("regular-rider", "Regular Rider", "Placed 5 orders", "order_count", 5, 50),
        new("trail-boss", "Trail Boss", "Placed 10 orders", "order_count", 10, 100),
        new("big-spender", "Big Spender", "Spent $1,000 in all", "lifetime_spend", 1000, 100),
        new("critic", "Critic", "Wrote a first review", "reviews", 1, 10),
        new("storyteller", "Storyteller", "Wrote 5 reviews", "reviews", 5, 50),
        new("steady-hand", "Steady Hand", "Bought in 3 months in a row", "streak_months", 3, 50),
        new("year-round", "Year-Round Wrangler", "Bought in 12 months in a row", "streak_months", 12, 250),
        new("trail-guide", "Trail Guide", "Referred a friend who bought", "referrals", 1, 25),
        new("gold-standard", "Gold Standard", "Reached the Gold tier", "tier", 2, 50),
    ];

    public static readonly IReadOnlyList<string> ChallengeMetrics = ["orders", "spend"];
}
