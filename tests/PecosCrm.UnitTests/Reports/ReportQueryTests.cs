using PecosCrm.Core.Reports;

namespace PecosCrm.UnitTests.Reports;

public sealed class ReportQueryTests
{
    [Fact]
    public void Build_FilterValues_TravelOnlyAsParameters()
    {
        const string hostile = "web'); DROP TABLE orders; --";
        var definition = ReportRules.Check(new ReportDefinition("x", null, "orders", ["channel"], [new ReportFilter("channel", "not_in", [hostile])],
            new ReportDateRange("last_7_days", null, null), "bar", null));

        var query = ReportQuery.Build(definition, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddDays(7));

        Assert.DoesNotContain("DROP", query.Sql, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(hostile.ToLowerInvariant(), query.Parameters["f0_0"]);
        Assert.Contains("NOT IN ($f0_0)", query.Sql);
        Assert.False(query.UsesZone);
    }

    [Fact]
    public void Build_UnitsByMonth_ReadsLinesOnTheStoresClock()
    {
        var definition = ReportRules.Check(new ReportDefinition("x", null, "units", ["month"], [], new ReportDateRange("last_7_days", null, null), "line", null));

        var query = ReportQuery.Build(definition, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddDays(7));

        Assert.True(query.UsesZone);
        Assert.Contains("JOIN order_lines l", query.Sql);
        Assert.Contains("JOIN report_zone z", query.Sql);
    }
}
