using PecosCrm.Core.Reports;

namespace PecosCrm.UnitTests.Reports;

public sealed class ReportPeriodTests
{
    private static readonly TimeZoneInfo Denver = TimeZoneInfo.FindSystemTimeZoneById("America/Denver");

    private static DateTimeOffset Utc(int year, int month, int day, int hour, int minute = 0) => new(year, month, day, hour, minute, 0, TimeSpan.Zero);

    private static ResolvedPeriod Relative(string range, DateTimeOffset now) => ReportPeriod.Resolve(new ReportDateRange(range, null, null), Denver, now);

    [Fact]
    public void PreviousMonth_February_EndsOnTheLastDayAtLocalMidnight()
    {
        var period = Relative("previous_month", Utc(2025, 3, 15, 12));

        Assert.Equal(new DateOnly(2025, 2, 1), period.FirstDay);
        Assert.Equal(new DateOnly(2025, 2, 28), period.LastDay);
        Assert.Equal(Utc(2025, 2, 1, 7), period.From);
        Assert.Equal(Utc(2025, 3, 1, 7), period.To);
    }

    [Fact]
    public void PreviousMonth_OnTheFirstOfMarchInALeapYear_IsTheWholeOfFebruary()
    {
        var period = Relative("previous_month", Utc(2024, 3, 1, 8));

        Assert.Equal(new DateOnly(2024, 2, 29), period.LastDay);
        Assert.Equal(Utc(2024, 3, 1, 7), period.To);
    }

    [Fact]
    public void Last7Days_AcrossTheSpringChange_EndsAtTodaysMidnightOnTheNewOffset()
    {
        // Noon on Wednesday 12 March 2025 in Denver; clocks went forward on Sunday 9 March.
        var period = Relative("last_7_days", Utc(2025, 3, 12, 18));

        Assert.Equal(new DateOnly(2025, 3, 5), period.FirstDay);
        Assert.Equal(new DateOnly(2025, 3, 11), period.LastDay);
        Assert.Equal(Utc(2025, 3, 5, 7), period.From);
        Assert.Equal(Utc(2025, 3, 12, 6), period.To);
        Assert.Equal(TimeSpan.FromHours(7 * 24 - 1), period.To - period.From);
    }

    [Fact]
    public void Absolute_AcrossTheAutumnChange_CoversBothWholeLocalDays()
    {
        var period = ReportPeriod.Resolve(new ReportDateRange(null, "2025-11-01", "2025-11-02"), Denver, Utc(2025, 12, 1, 0));

        Assert.Equal(Utc(2025, 11, 1, 6), period.From);
        Assert.Equal(Utc(2025, 11, 3, 7), period.To);
        Assert.Equal(TimeSpan.FromHours(49), period.To - period.From);
    }

    [Fact]
    public void YearToDate_OnNewYearsEveInDenver_WhileUtcIsAlreadyInTheNewYear_IsTheStoresYear()
    {
        var now = Utc(2026, 1, 1, 5);

        var period = Relative("year_to_date", now);

        Assert.Equal(new DateOnly(2025, 1, 1), period.FirstDay);
        Assert.Equal(new DateOnly(2025, 12, 31), period.LastDay);
        Assert.Equal(Utc(2025, 1, 1, 7), period.From);
        Assert.Equal(now, period.To);
    }

    [Fact]
    public void MonthToDate_RunsFromTheFirstToNow()
    {
        var now = Utc(2024, 2, 29, 20);

        var period = Relative("month_to_date", now);

        Assert.Equal(Utc(2024, 2, 1, 7), period.From);
        Assert.Equal(now, period.To);
        Assert.Equal(new DateOnly(2024, 2, 29), period.LastDay);
    }

    [Fact]
    public void StartOfDay_MidnightSkippedBySpringChange_StartsAtTheEndOfTheGap()
    {
        // Santiago moved its clocks from 00:00 to 01:00 on 8 September 2024.
        var santiago = TimeZoneInfo.FindSystemTimeZoneById("America/Santiago");

        var start = ReportPeriod.StartOfDay(new DateOnly(2024, 9, 8), santiago);

        Assert.Equal(Utc(2024, 9, 8, 4), start);
        Assert.Equal(new DateTimeOffset(2024, 9, 8, 1, 0, 0, TimeSpan.FromHours(-3)), TimeZoneInfo.ConvertTime(start, santiago));
    }

    [Fact]
    public void Offsets_OverMarchInDenver_ChangeAtTheSpringChange()
    {
        var spans = ReportPeriod.Offsets(Denver, Utc(2025, 3, 1, 7), Utc(2025, 4, 1, 6));

        Assert.Equal(
            [new ZoneSpan(Utc(2025, 3, 1, 7), Utc(2025, 3, 9, 9), -420), new ZoneSpan(Utc(2025, 3, 9, 9), Utc(2025, 4, 1, 6), -360)],
            spans);
    }

    [Fact]
    public void Offsets_RangeStartingOffTheQuarterHour_FindsTheExactChange()
    {
        var spans = ReportPeriod.Offsets(Denver, Utc(2025, 11, 1, 6, 7), Utc(2025, 11, 3, 7));

        Assert.Equal(2, spans.Count);
        Assert.Equal(Utc(2025, 11, 2, 8), spans[0].To);
        Assert.Equal(-360, spans[0].OffsetMinutes);
        Assert.Equal(-420, spans[1].OffsetMinutes);
    }
}
