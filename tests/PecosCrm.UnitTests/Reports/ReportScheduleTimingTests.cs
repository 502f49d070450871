using PecosCrm.Core.Reports;

namespace PecosCrm.UnitTests.Reports;

public sealed class ReportScheduleTimingTests
{
    private static readonly TimeZoneInfo Denver = TimeZoneInfo.FindSystemTimeZoneById("America/Denver");

    private static DateTimeOffset Utc(int year, int month, int day, int hour) => new(year, month, day, hour, 0, 0, TimeSpan.Zero);

    private static ReportSchedule Schedule(string frequency, string? weekday = null, int? day = null, int hour = 7) =>
        new(frequency, weekday, day, hour, ["boss@store.example"], "csv");

    [Fact]
    public void Next_Monthly31_RunsOnTheLastDayOfShorterMonths()
    {
        var april = ReportScheduleTiming.Next(Schedule("monthly", day: 31), Denver, Utc(2025, 4, 1, 0));
        var february = ReportScheduleTiming.Next(Schedule("monthly", day: 31), Denver, Utc(2024, 2, 1, 0));
        var may = ReportScheduleTiming.Next(Schedule("monthly", day: 31), Denver, april);

        Assert.Equal(Utc(2025, 4, 30, 13), april);
        Assert.Equal(Utc(2024, 2, 29, 14), february);
        Assert.Equal(Utc(2025, 5, 31, 13), may);
    }

    [Fact]
    public void Next_WeeklyMonday_KeepsTheLocalHourAcrossTheSpringChange()
    {
        var first = ReportScheduleTiming.Next(Schedule("weekly", "monday"), Denver, Utc(2025, 3, 1, 0));
        var second = ReportScheduleTiming.Next(Schedule("weekly", "monday"), Denver, first);

        Assert.Equal(Utc(2025, 3, 3, 14), first);
        Assert.Equal(Utc(2025, 3, 10, 13), second);
    }

    [Fact]
    public void Next_HourSkippedByTheSpringChange_RunsAtTheEndOfTheGap_AndARepeatedHourOnce()
    {
        var skipped = ReportScheduleTiming.Next(Schedule("daily", hour: 2), Denver, Utc(2025, 3, 9, 0));
        var repeated = ReportScheduleTiming.Next(Schedule("daily", hour: 1), Denver, Utc(2025, 11, 2, 0));
        var after = ReportScheduleTiming.Next(Schedule("daily", hour: 1), Denver, repeated);

        Assert.Equal(Utc(2025, 3, 9, 9), skipped);
        Assert.Equal(Utc(2025, 11, 2, 7), repeated);
        Assert.Equal(Utc(2025, 11, 3, 8), after);
    }
}
