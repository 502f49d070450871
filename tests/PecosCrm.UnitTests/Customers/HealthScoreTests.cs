using PecosCrm.Core.Customers;

namespace PecosCrm.UnitTests.Customers;

public sealed class HealthScoreTests
{
    private static readonly DateTimeOffset Now = new(2025, 9, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Compute_LastOrderLongAfterUsualGap_RecencyExplainsAndRiskIsHigh()
    {
        var metrics = Buyer(orders: 3, everyDays: 45, daysSinceLast: 140);

        var health = HealthScore.Compute(metrics, Engagement.None, Now);

        var recency = Component(health, "recency");
        Assert.Equal("140 days since last order, usually 45", recency.Reason);
        Assert.Equal(12, recency.Points);
        Assert.Equal(ChurnRisk.High, health.ChurnRisk);
        Assert.Equal("140 days since last order is 3.1x the usual gap of 45 days", health.ChurnReason);
    }

    [Theory]
    [InlineData(10, 40)]
    [InlineData(30, 40)]
    [InlineData(60, 27)]
    [InlineData(75, 20)]
    [InlineData(90, 13)]
    [InlineData(120, 0)]
    [InlineData(400, 0)]
    public void Compute_DaysSinceLastOrder_RecencyFullUpToUsualGapThenFallsToZeroAtFourTimes(int daysSinceLast, int expectedPoints)
    {
        var metrics = Buyer(orders: 4, everyDays: 30, daysSinceLast: daysSinceLast);

        var health = HealthScore.Compute(metrics, Engagement.None, Now);

        Assert.Equal(expectedPoints, Component(health, "recency").Points);
    }

    [Fact]
    public void Compute_SingleOrder_MeasuredAgainstStoreRhythmOf90Days()
    {
        var recent = Buyer(orders: 1, everyDays: null, daysSinceLast: 45);
        var lapsed = Buyer(orders: 1, everyDays: null, daysSinceLast: 180);

        var recentHealth = HealthScore.Compute(recent, Engagement.None, Now);
        var lapsedHealth = HealthScore.Compute(lapsed, Engagement.None, Now);

        Assert.Equal("45 days since last order, store rhythm 90", Component(recentHealth, "recency").Reason);
        Assert.Equal(40, Component(recentHealth, "recency").Points);
        Assert.Equal(ChurnRisk.Low, recentHealth.ChurnRisk);
        Assert.Equal(27, Component(lapsedHealth, "recency").Points);
        Assert.Equal(ChurnRisk.Medium, lapsedHealth.ChurnRisk);
    }

    [Fact]
    public void Compute_OrdersDaysApart_UsualGapNeverUnderFourteenDays()
    {
        var metrics = Buyer(orders: 6, everyDays: 3, daysSinceLast: 21);

        var health = HealthScore.Compute(metrics, Engagement.None, Now);

        var recency = Component(health, "recency");
        Assert.Equal("21 days since last order, usually 14", recency.Reason);
        Assert.Equal(33, recency.Points);
        Assert.Equal(ChurnRisk.Medium, health.ChurnRisk);
    }

    [Fact]
    public void Compute_NoOrders_NoRecencyPoints()
    {
        var health = HealthScore.Compute(CustomerMetrics.Empty, Engagement.None, Now);

        var recency = Component(health, "recency");
        Assert.Equal(0, recency.Points);
        Assert.Equal("no orders yet", recency.Reason);
    }

    [Theory]
    [InlineData(0, 0, "0 orders (full at 5)")]
    [InlineData(1, 4, "1 order (full at 5)")]
    [InlineData(3, 12, "3 orders (full at 5)")]
    [InlineData(5, 20, "5 orders (full at 5)")]
    [InlineData(12, 20, "12 orders (full at 5)")]
    public void Compute_OrderCount_FourPointsPerOrderFullAtFive(int orders, int expectedPoints, string expectedReason)
    {
        var metrics = Buyer(orders, everyDays: orders >= 2 ? 30 : null, daysSinceLast: 5);

        var health = HealthScore.Compute(metrics, Engagement.None, Now);

        Assert.Equal(expectedPoints, Component(health, "frequency").Points);
        Assert.Equal(expectedReason, Component(health, "frequency").Reason);
    }

    [Theory]
    [InlineData(0, 0, "$0.00 lifetime value (full at $1,000.00)")]
    [InlineData(25_000, 5, "$250.00 lifetime value (full at $1,000.00)")]
    [InlineData(50_000, 10, "$500.00 lifetime value (full at $1,000.00)")]
    [InlineData(100_000, 20, "$1,000.00 lifetime value (full at $1,000.00)")]
    [InlineData(450_000, 20, "$4,500.00 lifetime value (full at $1,000.00)")]
    public void Compute_LifetimeValue_MonetaryInProportionFullAtOneThousandDollars(long ltvCents, int expectedPoints, string expectedReason)
    {
        var metrics = Buyer(orders: 2, everyDays: 30, daysSinceLast: 5, ltvCents: ltvCents);

        var health = HealthScore.Compute(metrics, Engagement.None, Now);

        Assert.Equal(expectedPoints, Component(health, "monetary").Points);
        Assert.Equal(expectedReason, Component(health, "monetary").Reason);
    }

    [Theory]
    [InlineData(null, 0)]
    [InlineData(0, 15)]
    [InlineData(30, 15)]
    [InlineData(31, 8)]
    [InlineData(90, 8)]
    [InlineData(91, 0)]
    public void Compute_LastActivity_EngagementFifteenWithin30DaysEightWithin90(int? daysIdle, int expectedPoints)
    {
        var engagement = Active(daysIdle);

        var health = HealthScore.Compute(Buyer(orders: 2, everyDays: 30, daysSinceLast: 5), engagement, Now);

        Assert.Equal(expectedPoints, Component(health, "engagement").Points);
    }

    [Fact]
    public void Compute_ActiveYesterday_EngagementSaysSo()
    {
        var health = HealthScore.Compute(CustomerMetrics.Empty, Active(1), Now);

        Assert.Equal("last active 1 day ago", Component(health, "engagement").Reason);
    }

    [Theory]
    [InlineData(0, 5, "no open support issues")]
    [InlineData(1, 2, "1 open support issue")]
    [InlineData(3, 0, "3 open support issues")]
    public void Compute_OpenSupportIssues_SupportFiveTwoOrNothing(int openIssues, int expectedPoints, string expectedReason)
    {
        var engagement = Engagement.None with { OpenSupportIssues = openIssues };

        var health = HealthScore.Compute(Buyer(orders: 2, everyDays: 30, daysSinceLast: 5), engagement, Now);

        Assert.Equal(expectedPoints, Component(health, "support").Points);
        Assert.Equal(expectedReason, Component(health, "support").Reason);
    }

    [Fact]
    public void Compute_LoyalActiveCustomer_ScoresFullHundredFromFiveParts()
    {
        var metrics = Buyer(orders: 8, everyDays: 30, daysSinceLast: 10, ltvCents: 240_000);

        var health = HealthScore.Compute(metrics, Active(2), Now);

        Assert.Equal(100, health.Score);
        Assert.Equal(["recency", "frequency", "monetary", "engagement", "support"], health.Components.Select(c => c.Name));
        Assert.Equal([40, 20, 20, 15, 5], health.Components.Select(c => c.Max));
        Assert.Equal(ChurnRisk.Low, health.ChurnRisk);
    }

    [Fact]
    public void Compute_TypicalCustomer_ScoreIsTheSumOfTheParts()
    {
        var metrics = Buyer(orders: 2, everyDays: 60, daysSinceLast: 120, ltvCents: 30_000);

        var health = HealthScore.Compute(metrics, Active(45, openIssues: 1), Now);

        Assert.Equal([27, 8, 6, 8, 2], health.Components.Select(c => c.Points));
        Assert.Equal(51, health.Score);
    }

    [Fact]
    public void Compute_NothingInTheCustomersFavour_ScoreIsAtLeastOne()
    {
        var engagement = Engagement.None with { OpenSupportIssues = 2 };

        var health = HealthScore.Compute(CustomerMetrics.Empty, engagement, Now);

        Assert.Equal(1, health.Score);
    }

    [Theory]
    [InlineData(44, ChurnRisk.Low)]
    [InlineData(45, ChurnRisk.Medium)]
    [InlineData(74, ChurnRisk.Medium)]
    [InlineData(75, ChurnRisk.High)]
    public void Compute_GapAgainstUsualGap_MediumFromOneAndAHalfHighFromTwoAndAHalf(int daysSinceLast, ChurnRisk expected)
    {
        var metrics = Buyer(orders: 4, everyDays: 30, daysSinceLast: daysSinceLast);

        var health = HealthScore.Compute(metrics, Active(1), Now);

        Assert.Equal(expected, health.ChurnRisk);
    }

    [Fact]
    public void Compute_TwoOpenSupportIssues_RaisesChurnRiskOneLevelAndSaysWhy()
    {
        var metrics = Buyer(orders: 4, everyDays: 30, daysSinceLast: 10);

        var health = HealthScore.Compute(metrics, Active(1, openIssues: 2), Now);

        Assert.Equal(ChurnRisk.Medium, health.ChurnRisk);
        Assert.EndsWith("; raised for 2 open support issues", health.ChurnReason);
    }

    [Fact]
    public void Compute_HighRiskAndOpenSupportIssues_StaysHigh()
    {
        var metrics = Buyer(orders: 4, everyDays: 30, daysSinceLast: 100);

        var health = HealthScore.Compute(metrics, Active(1, openIssues: 3), Now);

        Assert.Equal(ChurnRisk.High, health.ChurnRisk);
    }

    [Theory]
    [InlineData(10, ChurnRisk.Low, "no orders; last active 10 days ago")]
    [InlineData(45, ChurnRisk.Medium, "no orders; last active 45 days ago")]
    [InlineData(null, ChurnRisk.Medium, "no orders and no recorded activity")]
    public void Compute_NoOrders_LowOnlyWhenActiveInLast30Days(int? daysIdle, ChurnRisk expected, string expectedReason)
    {
        var health = HealthScore.Compute(CustomerMetrics.Empty, Active(daysIdle), Now);

        Assert.Equal(expected, health.ChurnRisk);
        Assert.Equal(expectedReason, health.ChurnReason);
    }

    private static CustomerMetrics Buyer(int orders, double? everyDays, int daysSinceLast, long ltvCents = 50_000)
    {
        if (orders == 0)
        {
            return CustomerMetrics.Empty;
        }
        var last = Now.AddDays(-daysSinceLast);
        return CustomerMetrics.Empty with
        {
            OrderCount = orders,
            LifetimeValueCents = ltvCents,
            FirstOrderAt = last.AddDays(-(everyDays ?? 0) * (orders - 1)),
            LastOrderAt = last,
            AverageDaysBetweenOrders = everyDays,
        };
    }

    private static Engagement Active(int? daysAgo, int openIssues = 0) =>
        Engagement.None with { LastEngagedAt = daysAgo is { } d ? Now.AddDays(-d) : null, OpenSupportIssues = openIssues };

    private static ScoreComponent Component(CustomerHealth health, string name) => health.Components.Single(c => c.Name == name);
}
