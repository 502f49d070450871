using PecosCrm.Core.Customers;
using PecosCrm.Core.Loyalty;
using PecosCrm.Core.Orders;

namespace PecosCrm.UnitTests.Loyalty;

/// <summary>Streaks, the anniversary bonus, challenges and badges, and refunds of orders the account no longer lists: the decisions without storage.</summary>
public sealed class GamificationDecisionsTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 15, 18, 0, 0, TimeSpan.Zero);
    private static readonly LoyaltyOptions Options = new() { PendingDays = 0, OrdersKept = 2 };

    private static Order Order(string id, decimal total, DateTimeOffset placedAt, decimal refunded = 0) => new(
        id, "1001", "c1", placedAt, OrderStatus.Placed, new Dictionary<OrderStatus, DateTimeOffset>(),
        "USD", [], Money.ToCents(total), 0, null, 0, 0, Money.ToCents(total), Money.ToCents(refunded), "web");

    private static MemberFacts Facts(int orders = 1, DateOnly? today = null, DateOnly? since = null) =>
        new(orders, 0, 0, null, today ?? new DateOnly(2026, 6, 15), since);

    private static void Buy(LedgerDraft d, LoyaltyCatalogue catalogue, string id, DateTimeOffset at, int ordersBefore) =>
        LoyaltyDecisions.Order(d, catalogue, Options, null, Order(id, 40m, at), "e-" + id, DateOnly.FromDateTime(at.UtcDateTime), Facts(ordersBefore));

    [Fact]
    public void Streak_ConsecutiveMonthsCount_AMissedMonthStartsAgain_AndEndsTheStreakShown()
    {
        var catalogue = new LoyaltyCatalogue(EarningRules.Defaults, [], []);
        var d = new LedgerDraft("c1", LoyaltyAccount.Empty, Now);

        foreach (var (month, i) in new[] { 1, 2, 3 }.Select((m, i) => (m, i)))
        {
            Buy(d, catalogue, "o" + month, new DateTimeOffset(2026, month, 10, 12, 0, 0, TimeSpan.Zero), i);
        }
        var afterMarch = (d.Account.Streak, d.Account.CurrentStreak("2026-04"), d.Account.CurrentStreak("2026-05"));
        Buy(d, catalogue, "o5", new DateTimeOffset(2026, 5, 10, 12, 0, 0, TimeSpan.Zero), 3);
        Buy(d, catalogue, "o5b", new DateTimeOffset(2026, 5, 20, 12, 0, 0, TimeSpan.Zero), 4);

        Assert.Equal((3, 3, 0), afterMarch);
        Assert.Equal(1, d.Account.Streak);
        Assert.Equal(3, d.Account.BestStreak);
        Assert.Equal(1, d.Account.CurrentStreak("2026-06"));
    }

    [Fact]
    public void Streak_OfThreeMonths_EarnsSteadyHandOnce()
    {
        var catalogue = new LoyaltyCatalogue(EarningRules.Defaults, Achievements.Defaults, []);
        var d = new LedgerDraft("c1", LoyaltyAccount.Empty, Now);

        for (var month = 4; month <= 6; month++)
        {
            Buy(d, catalogue, "o" + month, new DateTimeOffset(2026, month, 2, 12, 0, 0, TimeSpan.Zero), month - 4);
            LoyaltyDecisions.Achievements(d, catalogue, Facts(month - 3));
        }
        LoyaltyDecisions.Achievements(d, catalogue, Facts(3));

        Assert.Single(d.Account.Badges, b => b.AchievementId == "steady-hand");
        Assert.Single(d.Entries, e => e.Key == "badge-steady-hand" && e.Points == 50);
    }

    [Fact]
    public void Anniversary_OnTheDayOnly_FiftyPointsOnceAYear()
    {
        var catalogue = new LoyaltyCatalogue(EarningRules.Defaults, [], []);
        var since = new DateOnly(2023, 6, 15);
        var d = new LedgerDraft("c1", LoyaltyAccount.Empty, Now);

        LoyaltyDecisions.Nightly(d, catalogue, Options, Facts(0, new DateOnly(2026, 6, 14), since));
        var dayBefore = d.Balance;
        LoyaltyDecisions.Nightly(d, catalogue, Options, Facts(0, new DateOnly(2026, 6, 15), since));
        LoyaltyDecisions.Nightly(d, catalogue, Options, Facts(0, new DateOnly(2026, 6, 15), since));
        var firstYear = new LedgerDraft("c1", LoyaltyAccount.Empty, Now);
        LoyaltyDecisions.Nightly(firstYear, catalogue, Options, Facts(0, new DateOnly(2023, 6, 15), since));

        Assert.Equal(0, dayBefore);
        Assert.Equal(50, d.Balance);
        var entry = Assert.Single(d.Entries);
        Assert.Equal(("anniv-2026", EarningRules.Anniversary), (entry.Key, entry.Rule));
        Assert.Contains("3-year", entry.Reason, StringComparison.Ordinal);
        Assert.Empty(firstYear.Entries);
    }

    [Theory]
    [InlineData("orders", 2, 2, true)]
    [InlineData("orders", 3, 2, false)]
    [InlineData("spend", 80, 2, true)]
    [InlineData("spend", 81, 2, false)]
    public void Challenge_ReachedWithinItsDates_EarnsItsBonusOnce_OrdersOutsideDoNotCount(string metric, long target, int ordersInside, bool reached)
    {
        var challenge = new Challenge("summer", "Summer roundup", null, metric, target, 75, new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 6, 30, 0, 0, 0, TimeSpan.Zero), Now);
        var catalogue = new LoyaltyCatalogue(EarningRules.Defaults, [], [challenge]);
        var d = new LedgerDraft("c1", LoyaltyAccount.Empty, Now);
        Buy(d, catalogue, "may", new DateTimeOffset(2026, 5, 30, 12, 0, 0, TimeSpan.Zero), 0);

        for (var i = 0; i < ordersInside; i++)
        {
            Buy(d, catalogue, "june" + i, new DateTimeOffset(2026, 6, 2 + i, 12, 0, 0, TimeSpan.Zero), 1 + i);
            LoyaltyDecisions.Achievements(d, catalogue, Facts(2 + i));
        }
        LoyaltyDecisions.Achievements(d, catalogue, Facts(3));

        Assert.Equal(reached ? 1 : 0, d.Entries.Count(e => e.Key == "chl-summer" && e.Points == 75));
        Assert.Equal(reached, d.Account.Challenges.Contains("summer"));
    }

    [Fact]
    public void Challenge_AfterItsEnd_EarnsNothing()
    {
        var challenge = new Challenge("spring", "Spring roundup", null, "orders", 1, 75, new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 5, 31, 0, 0, 0, TimeSpan.Zero), Now);
        var catalogue = new LoyaltyCatalogue(EarningRules.Defaults, [], [challenge]);
        var d = new LedgerDraft("c1", LoyaltyAccount.Empty, Now);

        Buy(d, catalogue, "june", Now, 0);
        LoyaltyDecisions.Achievements(d, catalogue, Facts());

        Assert.DoesNotContain(d.Entries, e => e.Key.StartsWith("chl-", StringComparison.Ordinal));
    }

    [Fact]
    public void RefundOfAnOrderPastTheNewestKept_ReversesFromItsRow_AndAnOrderWithoutOneEarnsNothingAgain()
    {
        var catalogue = new LoyaltyCatalogue(EarningRules.Defaults, [], []);
        var d = new LedgerDraft("c1", LoyaltyAccount.Empty, Now);
        var placed = Now.AddDays(-30);
        Buy(d, catalogue, "old", placed, 0);
        var oldRow = d.OrderRows["old"];
        Buy(d, catalogue, "mid", placed.AddDays(1), 1);
        Buy(d, catalogue, "new", placed.AddDays(2), 2);
        var balance = d.Balance;
        var listed = d.Account.Orders.Keys.Order().ToArray();

        var refunded = Order("old", 40m, placed, refunded: 40m);
        LoyaltyDecisions.Order(d, catalogue, Options, Order("old", 40m, placed), refunded, "e-refund", DateOnly.FromDateTime(placed.UtcDateTime), Facts(3), oldRow);
        var afterRefund = d.Balance;
        LoyaltyDecisions.Order(d, catalogue, Options, Order("gone", 40m, placed), Order("gone", 40m, placed, refunded: 10m), "e-gone", DateOnly.FromDateTime(placed.UtcDateTime), Facts(3));

        Assert.Equal(40 + 50, oldRow.Earned);
        Assert.Equal(["mid", "new"], listed);
        Assert.Equal(balance - 90, afterRefund);
        Assert.Equal(90, d.OrderRows["old"].Reversed);
        Assert.DoesNotContain("old", d.Account.Orders.Keys);
        Assert.Equal(afterRefund, d.Balance);
        Assert.DoesNotContain("gone", d.OrderRows.Keys);
    }
}
