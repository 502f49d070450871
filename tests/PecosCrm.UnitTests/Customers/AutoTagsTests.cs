using PecosCrm.Core.Customers;
using PecosCrm.Core.Events;
using static PecosCrm.UnitTests.Customers.OrderHistory;

namespace PecosCrm.UnitTests.Customers;

public sealed class AutoTagsTests
{
    private static readonly DateTimeOffset Now = new(2025, 9, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset LongAgo = Now.AddYears(-2);
    private static readonly CustomerHealth Healthy = new(80, ChurnRisk.Low, [], "");

    [Theory]
    [InlineData(0, true)]
    [InlineData(30, true)]
    [InlineData(31, false)]
    public void For_CustomerSince_NewCustomerForThirtyDays(int daysAgo, bool expected)
    {
        var since = Now.AddDays(-daysAgo);

        var tags = AutoTags.For(since, CustomerMetrics.Empty, Healthy, Now);

        Assert.Equal(expected, tags.Contains(AutoTags.NewCustomer.Id));
    }

    [Fact]
    public void For_AccountRecentButFirstOrderLongBefore_NotNew()
    {
        var metrics = CustomerMetrics.Empty with { OrderCount = 1, FirstOrderAt = Now.AddDays(-200), LastOrderAt = Now.AddDays(-200) };

        var tags = AutoTags.For(Now.AddDays(-3), metrics, Healthy, Now);

        Assert.DoesNotContain(AutoTags.NewCustomer.Id, tags);
    }

    [Theory]
    [InlineData(99_999, false)]
    [InlineData(100_000, true)]
    [InlineData(350_000, true)]
    public void For_LifetimeValue_HighSpenderFromOneThousandDollars(long ltvCents, bool expected)
    {
        var metrics = CustomerMetrics.Empty with { OrderCount = 2, LifetimeValueCents = ltvCents };

        var tags = AutoTags.For(LongAgo, metrics, Healthy, Now);

        Assert.Equal(expected, tags.Contains(AutoTags.HighSpender.Id));
    }

    [Theory]
    [InlineData(4, false)]
    [InlineData(5, true)]
    public void For_OrderCount_FrequentBuyerFromFiveOrders(int orders, bool expected)
    {
        var metrics = CustomerMetrics.Empty with { OrderCount = orders, LifetimeValueCents = 20_000 };

        var tags = AutoTags.For(LongAgo, metrics, Healthy, Now);

        Assert.Equal(expected, tags.Contains(AutoTags.FrequentBuyer.Id));
    }

    [Theory]
    [InlineData(ChurnRisk.Low, false)]
    [InlineData(ChurnRisk.Medium, false)]
    [InlineData(ChurnRisk.High, true)]
    public void For_BuyerChurnRisk_AtRiskOnlyWhenHigh(ChurnRisk risk, bool expected)
    {
        var metrics = CustomerMetrics.Empty with { OrderCount = 3, LifetimeValueCents = 20_000 };

        var tags = AutoTags.For(LongAgo, metrics, new CustomerHealth(30, risk, [], ""), Now);

        Assert.Equal(expected, tags.Contains(AutoTags.AtRisk.Id));
    }

    [Fact]
    public void For_HighRiskWithoutOrders_NotAtRisk()
    {
        var health = new CustomerHealth(1, ChurnRisk.High, [], "no orders and no recorded activity; raised for 2 open support issues");

        var tags = AutoTags.For(LongAgo, CustomerMetrics.Empty, health, Now);

        Assert.DoesNotContain(AutoTags.AtRisk.Id, tags);
    }

    [Fact]
    public void For_BootsFortyPercentOfSpendOnTwoOrders_BootsEnthusiastOnly()
    {
        var orders = Fold(
        [
            new OrderEvent("evt-1", EventTypes.OrderDelivered, At(3, 1), Snapshot("ord-3001", At(3, 1), 500.00m, 0m, Line("Boots", "Roper", 200.00m), Line("Hats", "Felt hat", 300.00m))),
            new OrderEvent("evt-2", EventTypes.OrderDelivered, At(5, 1), Snapshot("ord-3002", At(5, 1), 500.00m, 0m, Line("Boots", "Harness", 200.00m), Line("Denim", "Jeans", 300.00m))),
        ]);
        var metrics = CustomerMetrics.FromOrders(orders);

        var tags = AutoTags.For(LongAgo, metrics, Healthy, Now);

        Assert.Contains(AutoTags.Affinity["boots"].Id, tags);
        Assert.DoesNotContain(AutoTags.Affinity["hats"].Id, tags);
        Assert.DoesNotContain(AutoTags.Affinity["denim"].Id, tags);
    }

    [Fact]
    public void For_CategoryJustUnderFortyPercent_NoAffinity()
    {
        var metrics = WithCategories(("boots", new CategorySpend(39_990, 2, 2)), ("hats", new CategorySpend(60_010, 3, 3)));

        var tags = AutoTags.For(LongAgo, metrics, Healthy, Now);

        Assert.DoesNotContain(AutoTags.Affinity["boots"].Id, tags);
        Assert.Contains(AutoTags.Affinity["hats"].Id, tags);
    }

    [Fact]
    public void For_CategoryDominantOnASingleOrder_NoAffinity()
    {
        var metrics = WithCategories(("workwear", new CategorySpend(80_000, 1, 4)), ("hats", new CategorySpend(20_000, 2, 2)));

        var tags = AutoTags.For(LongAgo, metrics, Healthy, Now);

        Assert.DoesNotContain(AutoTags.Affinity["workwear"].Id, tags);
    }

    [Fact]
    public void For_TwoCategoriesHalfEach_BothAffinities()
    {
        var metrics = WithCategories(("denim", new CategorySpend(30_000, 2, 3)), ("accessories", new CategorySpend(30_000, 3, 5)));

        var tags = AutoTags.For(LongAgo, metrics, Healthy, Now);

        Assert.Contains(AutoTags.Affinity["denim"].Id, tags);
        Assert.Contains(AutoTags.Affinity["accessories"].Id, tags);
    }

    [Fact]
    public void For_CategoryWithoutAffinityTag_NoTag()
    {
        var metrics = WithCategories(("socks", new CategorySpend(30_000, 4, 12)));

        var tags = AutoTags.For(LongAgo, metrics, Healthy, Now);

        Assert.Empty(tags);
    }

    [Fact]
    public void IsAuto_EveryAutoTag_TrueAndStaffTagsFalse()
    {
        var autoTagIds = AutoTags.All.Select(t => t.Id).ToList();

        var recognised = autoTagIds.Where(AutoTags.IsAuto).ToList();
        var staffTagRecognised = AutoTags.IsAuto("vip");

        Assert.Equal(autoTagIds, recognised);
        Assert.Equal(9, recognised.Count);
        Assert.False(staffTagRecognised);
    }

    private static CustomerMetrics WithCategories(params (string Name, CategorySpend Spend)[] categories) =>
        CustomerMetrics.Empty with
        {
            OrderCount = categories.Max(c => c.Spend.Orders),
            LifetimeValueCents = 20_000,
            Categories = categories.ToDictionary(c => c.Name, c => c.Spend),
        };
}
