using PecosCrm.Core.Customers;

namespace PecosCrm.Core.Loyalty;

/// <summary>
/// A customer's loyalty account, kept on the customer's card (one JSON column) so the 360 view and
/// the store-event path read it with the card they read anyway, and every ledger entry commits with
/// it in one transaction guarded by the card's ETag. It is what the ledger entries add up to: the
/// balance is <see cref="Available"/> plus the pending lots that have matured.
/// </summary>
public sealed record LoyaltyAccount
{
    public static readonly LoyaltyAccount Empty = new();

    /// <summary>Points that can be spent (matured lots are folded in at the next write). May go below zero when a refund reverses points already spent.</summary>
    public long Available { get; init; }

    /// <summary>Points earned on orders, waiting for their <see cref="PendingLot.AvailableAt"/>.</summary>
    public IReadOnlyList<PendingLot> Pending { get; init; } = [];

    /// <summary>Lifetime totals by kind (all positive), for the programme's analytics.</summary>
    public long Earned { get; init; }
    public long Redeemed { get; init; }
    public long Expired { get; init; }
    public long Reversed { get; init; }
    public long Adjusted { get; init; }

    public LoyaltyTier Tier { get; init; }
    public DateTimeOffset? TierSince { get; init; }

    /// <summary>Net spend by store-local month (<c>yyyy-MM</c>), the last 24 months, for a rolling tier term and streaks.</summary>
    public IReadOnlyDictionary<string, long> MonthSpend { get; init; } = new Dictionary<string, long>();

    /// <summary>What each order brought (the newest <see cref="LoyaltyOptions.OrdersKept"/>; every order's is also in its own row), so a refund reverses exactly it.</summary>
    public IReadOnlyDictionary<string, OrderPoints> Orders { get; init; } = new Dictionary<string, OrderPoints>();

    public bool FirstPurchaseAwarded { get; init; }
    public DateTimeOffset? LastPurchaseAt { get; init; }

    /// <summary>Consecutive store-local months with a purchase, ending at <see cref="StreakMonth"/>.</summary>
    public int Streak { get; init; }
    public string? StreakMonth { get; init; }
    public int BestStreak { get; init; }

    public IReadOnlyList<EarnedBadge> Badges { get; init; } = [];

    /// <summary>Uses of limited rules in their current period: rule id to (period, count).</summary>
    public IReadOnlyDictionary<string, RuleUse> RuleUses { get; init; } = new Dictionary<string, RuleUse>();

    /// <summary>The last purchase time the expiry warning was sent for (one warning per quiet spell).</summary>
    public DateTimeOffset? ExpiryWarnedFor { get; init; }

    /// <summary>The customer's own referral code, once asked for.</summary>
    public string? ReferralCode { get; init; }

    /// <summary>Who referred this customer, while the referral waits for the first purchase.</summary>
    public ReferredBy? ReferredBy { get; init; }

    public int ReferralsCredited { get; init; }

    /// <summary>Challenges completed, by id.</summary>
    public IReadOnlyList<string> Challenges { get; init; } = [];

    public long Balance(DateTimeOffset now) => Available + Pending.Where(p => p.AvailableAt <= now).Sum(p => p.Points);

    /// <summary>The streak as it stands in <paramref name="currentMonth"/>: it lasts while the last month with a purchase is this month or the one before; a month missed ends it.</summary>
    public int CurrentStreak(string currentMonth) =>
        StreakMonth is { } last && (last == currentMonth || MonthKey.Add(last, 1) == currentMonth) ? Streak : 0;

    public long PendingPoints(DateTimeOffset now) => Pending.Where(p => p.AvailableAt > now).Sum(p => p.Points);

    /// <summary>The account with matured lots moved to <see cref="Available"/>.</summary>
    public LoyaltyAccount Matured(DateTimeOffset now) =>
        Pending.Any(p => p.AvailableAt <= now)
            ? this with { Available = Balance(now), Pending = Pending.Where(p => p.AvailableAt > now).ToList() }
            : this;

    /// <summary>Spend over the term that decides the tier: lifetime, or the twelve store-local months ending with <paramref name="currentMonth"/>.</summary>
    public long QualifyingSpend(string term, long lifetimeCents, string currentMonth)
    {
        if (term != TierTerms.Rolling12Months)
        {
            return lifetimeCents;
        }
        var from = MonthKey.Add(currentMonth, -11);
        return Math.Max(0, MonthSpend.Where(m => string.CompareOrdinal(m.Key, from) >= 0 && string.CompareOrdinal(m.Key, currentMonth) <= 0).Sum(m => m.Value));
    }
}

public sealed record PendingLot(string Key, long Points, DateTimeOffset AvailableAt);

/// <summary>An order's points: all it earned (base and bonuses), how much was reversed, the spend it counted and in which month.</summary>
public sealed record OrderPoints(long Earned, long Reversed, long NetCents, string Month, DateTimeOffset PlacedAt);

public sealed record EarnedBadge(string AchievementId, DateTimeOffset At);

public sealed record RuleUse(string Period, int Count);

public sealed record ReferredBy(string ReferralId, string ReferrerId);

/// <summary>Month keys (<c>yyyy-MM</c>) and their arithmetic.</summary>
public static class MonthKey
{
    public static string Of(DateOnly date) => date.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);

    public static string Add(string month, int months) =>
        Of(DateOnly.ParseExact(month + "-01", "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture).AddMonths(months));
}
