using PecosCrm.Core.Reports;

namespace PecosCrm.UnitTests.Reports;

public sealed class ReportRulesTests
{
    private static readonly ReportDateRange Last30 = new("last_30_days", null, null);

    private static ReportDefinition Definition(string metric = "revenue", string[]? dimensions = null, ReportFilter[]? filters = null, string chart = "table", ReportSchedule? schedule = null, ReportDateRange? range = null) =>
        new("Revenue", null, metric, dimensions ?? ["month"], filters ?? [], range ?? Last30, chart, schedule);

    private static IReadOnlyDictionary<string, string[]> Errors(ReportDefinition definition) =>
        Assert.Throws<ValidationFailedException>(() => ReportRules.Check(definition)).Errors;

    [Fact]
    public void Check_UnknownMetricDimensionAndFilterField_NamesEachWithItsValue()
    {
        var errors = Errors(Definition("profit", ["month", "colour"], [new ReportFilter("mood", null, ["happy"])]));

        Assert.Equal(["dimensions[1]", "filters[0].field", "metric"], errors.Keys.Order());
        Assert.Contains("'profit'", errors["metric"][0]);
        Assert.Contains("'colour'", errors["dimensions[1]"][0]);
        Assert.Contains("'mood'", errors["filters[0].field"][0]);
    }

    [Fact]
    public void Check_ValidDefinition_TrimsAndDefaultsTheOperator()
    {
        var checkedOne = ReportRules.Check(Definition(dimensions: ["channel"], filters: [new ReportFilter("category", null, [" Boots "])], chart: "pie") with { Name = "  Mix  " });

        Assert.Equal("Mix", checkedOne.Name);
        Assert.Equal("in", checkedOne.Filters[0].Op);
        Assert.Equal(["Boots"], checkedOne.Filters[0].Values);
    }

    [Theory]
    [InlineData("pie", new[] { "channel", "category" }, "one dimension")]
    [InlineData("pie", new string[0], "one dimension")]
    [InlineData("line", new[] { "channel", "month" }, "time dimension")]
    [InlineData("bar", new string[0], "at least one")]
    [InlineData("radar", new[] { "month" }, "'radar'")]
    public void Check_ChartThatDoesNotFitTheDimensions_IsRefused(string chart, string[] dimensions, string expected)
    {
        var errors = Errors(Definition(dimensions: dimensions, chart: chart));

        Assert.Contains(expected, Assert.Single(errors["chart"]));
    }

    [Fact]
    public void Check_RefundsSplitByCategory_IsRefused_AsRefundsAreNotKeptPerLine()
    {
        var errors = Errors(Definition("refunds", ["category"], [new ReportFilter("product", "in", ["p-1"])]));

        Assert.Equal(["dimensions[0]", "filters[0].field"], errors.Keys.Order());
    }

    [Fact]
    public void Check_TwoTimeDimensionsOrARepeat_AreRefused()
    {
        var errors = Errors(Definition(dimensions: ["month", "day", "month"]));

        Assert.Equal(["dimensions[1]", "dimensions[2]"], errors.Keys.Order());
    }

    [Fact]
    public void Check_FilterOnATimeDimensionOrWithoutValues_IsRefused()
    {
        var errors = Errors(Definition(filters: [new ReportFilter("month", "in", ["2025-03"]), new ReportFilter("channel", "like", [])]));

        Assert.Equal(["filters[0].field", "filters[1].op", "filters[1].values"], errors.Keys.Order());
    }

    [Fact]
    public void Check_DateRanges_NeedOneFormAndAtMostThreeYears()
    {
        var both = Errors(Definition(range: new ReportDateRange("last_7_days", "2025-01-01", null)));
        var unknown = Errors(Definition(range: new ReportDateRange("last_week", null, null)));
        var reversed = Errors(Definition(range: new ReportDateRange(null, "2025-03-02", "2025-03-01")));
        var tooLong = Errors(Definition(range: new ReportDateRange(null, "2020-01-01", "2025-01-01")));
        var badDate = Errors(Definition(range: new ReportDateRange(null, "2025-02-30", "2025-03-01")));

        Assert.True(both.ContainsKey("dateRange"));
        Assert.True(unknown.ContainsKey("dateRange.relative"));
        Assert.True(reversed.ContainsKey("dateRange.to"));
        Assert.True(tooLong.ContainsKey("dateRange"));
        Assert.True(badDate.ContainsKey("dateRange.from"));
    }

    [Fact]
    public void Check_Schedules_NameEveryBadField()
    {
        var weekly = Errors(Definition(schedule: new ReportSchedule("weekly", null, 3, 24, ["boss@", "ok@store.example"], "pdf")));
        var monthly = Errors(Definition(schedule: new ReportSchedule("monthly", "monday", 32, 7, ["a@store.example"], "csv")));

        Assert.Equal(["schedule.dayOfMonth", "schedule.dayOfWeek", "schedule.format", "schedule.hour", "schedule.recipients[0]"], weekly.Keys.Order());
        Assert.Equal(["schedule.dayOfMonth", "schedule.dayOfWeek"], monthly.Keys.Order());
    }
}
