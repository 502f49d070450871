using System.Globalization;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Orders;

namespace PecosCrm.Core.Loyalty;

/// <summary>What the customer's card says, at the time of a decision, that the rules need.</summary>
internal sealed record MemberFacts(int OrderCount, long LifetimeCents, int Reviews, DateOnly? Birthday, DateOnly Today, DateOnly? CustomerSince);

/// <summary>
/// The loyalty decisions, without I/O: what an order event earns or reverses, the tier a spend
/// earns, the badges and challenges reached. Each adds entries to a <see cref="LedgerDraft"/>.
/// </summary>
internal static class LoyaltyDecisions
{
    /// <summary>
    /// An order event. A counted order not seen before earns: its merchandise dollars times the
    /// per-dollar rule, times 2 in the birthday month and the tier's multiplier, and the first-purchase
    /// bonus; the points are pending for <see cref="LoyaltyOptions.PendingDays"/> from placement. A
    /// refund reverses the share of what the order earned that its refunds are of its total (all of it
    /// when refunded in full or cancelled), so partial refunds add up to exactly what it earned. The
    /// order's net spend moves its month's spend either way. An order the account no longer lists
    /// (older than the newest <see cref="LoyaltyOptions.OrdersKept"/>) is reversed from
    /// <paramref name="stored"/>, its own points row; one that counted before and has no row earned
    /// nothing (or was placed before the programme) and earns nothing now.
    /// </summary>
    public static void Order(LedgerDraft d, LoyaltyCatalogue catalogue, LoyaltyOptions options, Order? before, Order after, string eventId, DateOnly placedLocal, MemberFacts facts, OrderPoints? stored = null)
    {
        var month = MonthKey.Of(placedLocal);
        var netDelta = after.NetCents - (before?.NetCents ?? 0);
        var a = d.Account;
        if (netDelta != 0)
        {
            var spend = new Dictionary<string, long>(a.MonthSpend, StringComparer.Ordinal);
            spend[month] = spend.GetValueOrDefault(month) + netDelta;
            var oldest = MonthKey.Add(MonthKey.Of(facts.Today), -23);
            d.Account = a = a with { MonthSpend = spend.Where(s => string.CompareOrdinal(s.Key, oldest) >= 0).ToDictionary(StringComparer.Ordinal) };
            d.Touch();
        }
        if (a.Orders.TryGetValue(after.Id, out var known))
        {
            Reverse(d, after, known, eventId, listed: true);
            return;
        }
        if (stored is not null)
        {
            Reverse(d, after, stored, eventId, listed: false);
            return;
        }
        if (!after.Counts || before is { Counts: true })
        {
            return;
        }
        var source = "order:" + after.Id;
        var availableAt = after.PlacedAt.AddDays(options.PendingDays);
        var dollars = Math.Max(0, after.SubtotalCents - after.DiscountCents) / 100;
        var earned = 0L;
        var perDollar = catalogue.Rule(EarningRules.PerDollar);
        if (perDollar.IsLive(after.PlacedAt) && dollars > 0)
        {
            var multiplier = 1m;
            var reason = $"Order #{after.Number}: {dollars} x {perDollar.Value:0.##}";
            var birthday = catalogue.Rule(EarningRules.BirthdayMonth);
            if (birthday.IsLive(after.PlacedAt) && facts.Birthday is { } b && b.Month == placedLocal.Month)
            {
                multiplier *= birthday.Value;
                reason += $" x {birthday.Value:0.##} (birthday month)";
            }
            var tier = catalogue.Rule(EarningRules.TierMultiplier);
            if (tier.IsLive(after.PlacedAt) && Tiers.Of(a.Tier).Multiplier != 1m)
            {
                multiplier *= Tiers.Of(a.Tier).Multiplier;
                reason += $" x {Tiers.Of(a.Tier).Multiplier:0.##} ({a.Tier})";
            }
            var points = (long)Math.Floor(dollars * perDollar.Value * multiplier);
            if (points > 0)
            {
                d.Add("earn-" + after.Id, LedgerKind.Earn, points, reason, source, "store", EarningRules.PerDollar, availableAt);
                earned += points;
            }
        }
        var first = catalogue.Rule(EarningRules.FirstPurchase);
        if (!d.Account.FirstPurchaseAwarded && facts.OrderCount == 0 && first.IsLive(after.PlacedAt)
            && EarningRules.TryUse(first, d.Account, placedLocal, out var uses))
        {
            var points = (long)first.Value;
            d.Account = d.Account with { RuleUses = uses };
            d.Add("first-" + after.Id, LedgerKind.Earn, points, $"First purchase (order #{after.Number})", source, "store", EarningRules.FirstPurchase, availableAt);
            earned += points;
        }
        a = d.Account;
        var earnedHere = new OrderPoints(earned, 0, after.NetCents, month, after.PlacedAt);
        var orders = new Dictionary<string, OrderPoints>(a.Orders, StringComparer.Ordinal) { [after.Id] = earnedHere };
        while (orders.Count > Math.Max(1, options.OrdersKept))
        {
            orders.Remove(orders.MinBy(o => o.Value.PlacedAt).Key);
        }
        if (earned > 0)
        {
            d.OrderRows[after.Id] = earnedHere;
        }
        var streak = a.Streak;
        var streakMonth = a.StreakMonth;
        if (streakMonth is null || string.CompareOrdinal(month, streakMonth) > 0)
        {
            streak = streakMonth is not null && MonthKey.Add(streakMonth, 1) == month ? streak + 1 : 1;
            streakMonth = month;
        }
        d.Account = a with
        {
            Orders = orders,
            FirstPurchaseAwarded = a.FirstPurchaseAwarded || facts.OrderCount == 0,
            LastPurchaseAt = a.LastPurchaseAt is { } last && last > after.PlacedAt ? last : after.PlacedAt,
            Streak = streak,
            StreakMonth = streakMonth,
            BestStreak = Math.Max(a.BestStreak, streak),
        };
        d.Touch();
    }

    /// <param name="listed">The account lists the order (else only its points row is updated).</param>
    private static void Reverse(LedgerDraft d, Order after, OrderPoints known, string eventId, bool listed)
    {
        var target = after.IsCancelled || after.RefundedCents >= after.TotalCents || after.TotalCents <= 0
            ? known.Earned
            : known.Earned * after.RefundedCents / after.TotalCents;
        var points = target - known.Reversed;
        var updated = known with { Reversed = Math.Max(known.Reversed, target), NetCents = after.NetCents };
        if (listed)
        {
            d.Account = d.Account with { Orders = new Dictionary<string, OrderPoints>(d.Account.Orders, StringComparer.Ordinal) { [after.Id] = updated } };
            d.Touch();
        }
        if (points <= 0)
        {
            return;
        }
        d.OrderRows[after.Id] = updated;
        var why = after.IsCancelled ? "cancelled" : after.RefundedCents >= after.TotalCents ? "refunded" : $"refunded {Money.Format(after.RefundedCents, after.Currency)} of {Money.Format(after.TotalCents, after.Currency)}";
        d.Add("rev-" + eventId, LedgerKind.Reverse, -points, $"Order #{after.Number} {why}", "order:" + after.Id, "store", lots: ["earn-" + after.Id, "first-" + after.Id]);
    }

    /// <summary>A rule that earns a fixed number of points once per occasion (review, share, anniversary, referral), within its limit.</summary>
    public static bool Bonus(LedgerDraft d, EarningRule rule, string key, string reason, string source, string actor, DateOnly localDate)
    {
        if (!rule.IsLive(d.Now) || rule.Value <= 0 || !EarningRules.TryUse(rule, d.Account, localDate, out var uses))
        {
            return false;
        }
        d.Account = d.Account with { RuleUses = uses };
        d.Add(key, LedgerKind.Earn, (long)rule.Value, reason, source, actor, rule.Id);
        return true;
    }

    /// <summary>The tier the qualifying spend earns over the configured term.</summary>
    public static void Tier(LedgerDraft d, LoyaltyOptions options, MemberFacts facts)
    {
        var qualifying = d.Account.QualifyingSpend(options.TierTerm, facts.LifetimeCents, MonthKey.Of(facts.Today));
        d.SetTier(Tiers.For(qualifying), qualifying);
    }

    /// <summary>Badges newly reached (with their bonus points) and challenges completed.</summary>
    public static void Achievements(LedgerDraft d, LoyaltyCatalogue catalogue, MemberFacts facts)
    {
        foreach (var achievement in catalogue.Achievements.Where(x => x.Active && d.Account.Badges.All(b => b.AchievementId != x.Id)))
        {
            var value = achievement.Metric switch
            {
                "order_count" => facts.OrderCount,
                "lifetime_spend" => facts.LifetimeCents / 100,
                "reviews" => facts.Reviews,
                "streak_months" => d.Account.BestStreak,
                "referrals" => d.Account.ReferralsCredited,
                "points_earned" => d.Account.Earned,
                "tier" => (long)d.Account.Tier,
                _ => throw new InvalidOperationException($"Unknown achievement metric {achievement.Metric}."),
            };
            if (value < achievement.Threshold)
            {
                continue;
            }
            d.Account = d.Account with { Badges = [.. d.Account.Badges, new EarnedBadge(achievement.Id, d.Now)] };
            d.Touch();
            if (achievement.BonusPoints > 0)
            {
                d.Add("badge-" + achievement.Id, LedgerKind.Earn, achievement.BonusPoints, $"Badge: {achievement.Name}", "achievement:" + achievement.Id, "system");
            }
        }
        foreach (var challenge in catalogue.Challenges.Where(c => c.StartsAt <= d.Now && d.Now < c.EndsAt.AddDays(1) && !d.Account.Challenges.Contains(c.Id)))
        {
            var inWindow = d.Account.Orders.Values.Where(o => o.PlacedAt >= challenge.StartsAt && o.PlacedAt < challenge.EndsAt && o.NetCents > 0).ToList();
            var progress = challenge.Metric == "orders" ? inWindow.Count : inWindow.Sum(o => o.NetCents) / 100;
            if (progress < challenge.Target)
            {
                continue;
            }
            d.Account = d.Account with { Challenges = [.. d.Account.Challenges, challenge.Id] };
            d.Add("chl-" + challenge.Id, LedgerKind.Earn, challenge.BonusPoints, $"Challenge: {challenge.Name}", "challenge:" + challenge.Id, "system");
        }
    }

    /// <summary>
    /// The nightly pass over one account: a tier re-evaluated on the rolling term, the anniversary
    /// bonus, and expiry: every point once <see cref="LoyaltyOptions.ExpiryDays"/> passed since the
    /// last purchase (or since the account's first points). Returns true when the expiry warning is due.
    /// </summary>
    public static bool Nightly(LedgerDraft d, LoyaltyCatalogue catalogue, LoyaltyOptions options, MemberFacts facts)
    {
        Tier(d, options, facts);
        if (facts.CustomerSince is { } since && since.Month == facts.Today.Month && since.Day == facts.Today.Day && facts.Today.Year > since.Year)
        {
            var years = facts.Today.Year - since.Year;
            Bonus(d, catalogue.Rule(EarningRules.Anniversary), "anniv-" + facts.Today.Year.ToString(CultureInfo.InvariantCulture),
                $"{years}-year account anniversary", "anniversary", "system", facts.Today);
        }
        Achievements(d, catalogue, facts);
        if (d.Account.LastPurchaseAt is not { } last || options.ExpiryDays <= 0)
        {
            return false;
        }
        var expiresAt = last.AddDays(options.ExpiryDays);
        var balance = d.Balance;
        if (d.Now >= expiresAt && balance > 0)
        {
            d.Add("exp-" + facts.Today.ToString("yyyyMMdd", CultureInfo.InvariantCulture), LedgerKind.Expire, -balance,
                $"No purchase in {options.ExpiryDays} days", "expiry", "system");
            return false;
        }
        return balance > 0 && d.Now >= expiresAt.AddDays(-options.ExpiryWarningDays) && d.Account.ExpiryWarnedFor != last;
    }
}
