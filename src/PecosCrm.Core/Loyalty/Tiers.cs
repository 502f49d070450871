using PecosCrm.Core.Customers;

namespace PecosCrm.Core.Loyalty;

/// <summary>A tier: the qualifying spend it starts at, its points multiplier and its perks.</summary>
public sealed record TierDefinition(LoyaltyTier Tier, long FromCents, decimal Multiplier, IReadOnlyList<string> Perks);

/// <summary>Where a customer stands: the tier, the spend that counts, and what the next tier needs.</summary>
public sealed record TierProgress(LoyaltyTier Tier, string Term, long QualifyingSpendCents, LoyaltyTier? NextTier, long? NextTierFromCents, long? SpendToNextCents, int PercentToNext);

/// <summary>The roadmap's four tiers: Bronze $0+, Silver $250+, Gold $500+, Platinum $1,000+, multipliers 1x to 2x.</summary>
public static class Tiers
{
    public static readonly IReadOnlyList<TierDefinition> All =
    [
        new(LoyaltyTier.Bronze, 0, 1m, ["1 point per $1", "birthday-month double points"]),
        new(LoyaltyTier.Silver, 25_000, 1.25m, ["1.25x points", "free standard shipping on orders over $75"]),
        new(LoyaltyTier.Gold, 50_000, 1.5m, ["1.5x points", "free standard shipping", "early access to sales"]),
        new(LoyaltyTier.Platinum, 100_000, 2m, ["2x points", "free expedited shipping", "first pick of small-batch boots", "a direct line to our team"]),
    ];

    public static TierDefinition Of(LoyaltyTier tier) => All[(int)tier];

    /// <summary>The tier a qualifying spend earns.</summary>
    public static LoyaltyTier For(long qualifyingCents) => All.Last(t => qualifyingCents >= t.FromCents).Tier;

    public static TierProgress Progress(LoyaltyTier tier, string term, long qualifyingCents)
    {
        var next = (int)tier + 1 < All.Count ? All[(int)tier + 1] : null;
        if (next is null)
        {
            return new TierProgress(tier, term, qualifyingCents, null, null, null, 100);
        }
        var from = Of(tier).FromCents;
        var percent = (int)Math.Clamp((qualifyingCents - from) * 100 / Math.Max(1, next.FromCents - from), 0, 99);
        return new TierProgress(tier, term, qualifyingCents, next.Tier, next.FromCents, Math.Max(0, next.FromCents - qualifyingCents), percent);
    }
}
