using PecosCrm.Core.Customers;
using PecosCrm.Core.Loyalty;
using PecosCrm.Core.Orders;

namespace PecosCrm.UnitTests.Loyalty;

public sealed class LoyaltyDecisionsTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 15, 18, 0, 0, TimeSpan.Zero);
    private static readonly LoyaltyCatalogue Catalogue = new(EarningRules.Defaults, [], []);
    private static readonly LoyaltyOptions Options = new() { PendingDays = 0, TierTerm = TierTerms.Rolling12Months };

    private static Order Order(string id, decimal total, decimal refunded = 0, bool cancelled = false) => new(
        id, "1001", "c1", Now, cancelled ? OrderStatus.Cancelled : OrderStatus.Placed,
        cancelled ? new Dictionary<OrderStatus, DateTimeOffset> { [OrderStatus.Cancelled] = Now } : new Dictionary<OrderStatus, DateTimeOffset>(),
        "USD", [], Money.ToCents(total), 0, null, 0, 0, Money.ToCents(total), Money.ToCents(refunded), "web");

    private static MemberFacts Facts(int orders = 0, DateOnly? birthday = null) => new(orders, 0, 0, birthday, new DateOnly(2026, 6, 15), null);

    [Theory]
    [InlineData(3)]
    [InlineData(7)]
    public void PartialRefunds_InAnySteps_ReverseExactlyWhatTheOrderEarned(int steps)
    {
        var d = new LedgerDraft("c1", LoyaltyAccount.Empty, Now);
        LoyaltyDecisions.Order(d, Catalogue, Options, null, Order("o1", 333.33m), "e0", new DateOnly(2026, 6, 15), Facts());
        var earned = d.Balance;
        var before = Order("o1", 333.33m);
        for (var i = 1; i <= steps; i++)
        {
            var after = Order("o1", 333.33m, refunded: Math.Round(333.33m * i / steps, 2));
            LoyaltyDecisions.Order(d, Catalogue, Options, before, after, "e" + i, new DateOnly(2026, 6, 15), Facts(1));
            before = after;
        }

        Assert.Equal(333 + 50, earned);
        Assert.Equal(0, d.Balance);
        Assert.Equal(earned, d.Account.Reversed);
    }

    [Fact]
    public void BirthdayMonth_AndTierMultiplier_MultiplyPurchasePointsNotBonuses()
    {
        var d = new LedgerDraft("c1", LoyaltyAccount.Empty with { Tier = LoyaltyTier.Gold }, Now);

        LoyaltyDecisions.Order(d, Catalogue, Options, null, Order("o1", 100m), "e1", new DateOnly(2026, 6, 15), Facts(birthday: new DateOnly(1990, 6, 30)));

        Assert.Equal(100 * 2 * 3 / 2 + 50, d.Balance);
    }

    [Fact]
    public void Tier_OnARollingTerm_FallsWhenTheSpendLeavesTheWindow()
    {
        var account = LoyaltyAccount.Empty with { Tier = LoyaltyTier.Gold, MonthSpend = new Dictionary<string, long> { ["2025-05"] = 60_000 } };
        var d = new LedgerDraft("c1", account, Now);

        LoyaltyDecisions.Tier(d, Options, Facts());

        Assert.Equal(LoyaltyTier.Bronze, d.Account.Tier);
        Assert.Contains(d.Finish(), n => n.Type == LoyaltyNotice.TierChanged && n.Data.GetProperty("previousTier").GetString() == "gold");
    }

    [Fact]
    public void LimitedRule_EarnsOncePerPeriod()
    {
        var d = new LedgerDraft("c1", LoyaltyAccount.Empty, Now);
        var share = Catalogue.Rule(EarningRules.SocialShare);

        var first = LoyaltyDecisions.Bonus(d, share, "s1", "share", "activity", "store", new DateOnly(2026, 6, 15));
        var again = LoyaltyDecisions.Bonus(d, share, "s2", "share", "activity", "store", new DateOnly(2026, 6, 15));
        var tomorrow = LoyaltyDecisions.Bonus(d, share, "s3", "share", "activity", "store", new DateOnly(2026, 6, 16));

        Assert.Equal([true, false, true], [first, again, tomorrow]);
        Assert.Equal(20, d.Balance);
    }
}
