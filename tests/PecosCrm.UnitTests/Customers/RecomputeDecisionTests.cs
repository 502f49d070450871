using PecosCrm.Core.Customers;

namespace PecosCrm.UnitTests.Customers;

public sealed class RecomputeDecisionTests
{
    private static readonly DateTimeOffset Now = new(2025, 9, 1, 2, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Built = Now.AddHours(-20);

    /// <summary>A customer with one order <paramref name="daysSinceOrder"/> days before <see cref="Now"/>, as a build at <see cref="Built"/> would have written them.</summary>
    private static RecomputeDecision.Facts Row(double daysSinceOrder, string? rfm = "333", string? tags = null, int? orders = 1)
    {
        var metrics = CustomerMetrics.Empty with
        {
            OrderCount = orders ?? 0,
            LifetimeValueCents = orders is null ? 0 : 9_000,
            FirstOrderAt = orders is null ? null : Now.AddDays(-daysSinceOrder),
            LastOrderAt = orders is null ? null : Now.AddDays(-daysSinceOrder),
        };
        var since = Now.AddYears(-2);
        var health = HealthScore.Compute(metrics, Engagement.None, Built);
        tags ??= string.Concat(AutoTags.For(since, metrics, health, Built).Select(t => "|" + t)) + "|";
        return new RecomputeDecision.Facts(
            "c1", since, metrics.LifetimeValueCents, metrics.OrderCount, metrics.FirstOrderAt, metrics.LastOrderAt, null, null, 0,
            health.Score, health.ChurnRisk.ToString().ToLowerInvariant(), rfm, tags, Built);
    }

    [Fact]
    public void NeedsRefresh_NothingMovedSinceTheBuild_False()
    {
        var row = Row(daysSinceOrder: 10);

        Assert.False(RecomputeDecision.NeedsRefresh(row, "333", Now));
    }

    [Fact]
    public void NeedsRefresh_ChurnRiskTurnsHighOvernight_True()
    {
        // One order: the usual gap is 90 days, so the risk is high from 225 days on.
        var row = Row(daysSinceOrder: 225.1);

        Assert.Equal("medium", row.ChurnRisk);
        Assert.True(RecomputeDecision.NeedsRefresh(row, "333", Now));
    }

    [Fact]
    public void NeedsRefresh_HealthScoreOnlyMoves_True()
    {
        // Recency falls day by day between one and four times the usual gap, while the risk stays medium.
        var row = Row(daysSinceOrder: 155.5);

        Assert.Equal("medium", row.ChurnRisk);
        Assert.True(RecomputeDecision.NeedsRefresh(row, "333", Now));
    }

    [Fact]
    public void NeedsRefresh_AgesOutOfNewCustomer_True()
    {
        var row = Row(daysSinceOrder: 0, rfm: null, orders: null) with { CustomerSince = Now.AddDays(-30.5), HealthScore = 5, ChurnRisk = "medium", Tags = "|" + AutoTags.NewCustomer.Id + "|" };

        Assert.True(RecomputeDecision.NeedsRefresh(row, null, Now));
        Assert.False(RecomputeDecision.NeedsRefresh(row with { Tags = "" }, null, Now));
    }

    [Theory]
    [InlineData("333", "334", true)]
    [InlineData(null, "334", true)]
    [InlineData("333", null, true)]
    [InlineData(null, null, false)]
    [InlineData("333", "333", false)]
    public void NeedsRefresh_RfmCode_TrueWhenItChanges(string? stored, string? scored, bool expected)
    {
        var row = Row(daysSinceOrder: 10, rfm: stored);

        Assert.Equal(expected, RecomputeDecision.NeedsRefresh(row, scored, Now));
    }

    [Fact]
    public void NeedsRefresh_AutoTagMissingFromTheCard_True()
    {
        var row = Row(daysSinceOrder: 300, tags: "|vip|");

        Assert.True(RecomputeDecision.NeedsRefresh(row, "333", Now));
    }

    [Fact]
    public void NeedsRefresh_CustomAndAffinityTags_LeftOutOfTheComparison()
    {
        var row = Row(daysSinceOrder: 10, tags: "|vip|" + AutoTags.Affinity["boots"].Id + "|");

        Assert.False(RecomputeDecision.NeedsRefresh(row, "333", Now));
    }

    [Fact]
    public void NeedsRefresh_NoStoredHealthInTheRow_True()
    {
        var row = Row(daysSinceOrder: 10) with { HealthScore = null, ChurnRisk = null };

        Assert.True(RecomputeDecision.NeedsRefresh(row, "333", Now));
    }
}
