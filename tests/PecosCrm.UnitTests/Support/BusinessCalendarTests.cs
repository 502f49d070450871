using PecosCrm.Core.Support;

namespace PecosCrm.UnitTests.Support;

public sealed class BusinessCalendarTests
{
    private static readonly TimeZoneInfo Denver = TimeZoneInfo.FindSystemTimeZoneById("America/Denver");

    private static BusinessCalendar NineToFive(params DateOnly[] holidays) => BusinessCalendar.For(new BusinessSchedule(
        new Dictionary<DayOfWeek, IReadOnlyList<OpeningHours>>
        {
            [DayOfWeek.Monday] = [new("09:00", "17:00")],
            [DayOfWeek.Tuesday] = [new("09:00", "17:00")],
            [DayOfWeek.Wednesday] = [new("09:00", "17:00")],
            [DayOfWeek.Thursday] = [new("09:00", "17:00")],
            [DayOfWeek.Friday] = [new("09:00", "17:00")],
        }, holidays), Denver);

    // Thursday 24 December 2026, 16:00 in Denver (MST, UTC-7).
    private static readonly DateTimeOffset ChristmasEve4pm = new(2026, 12, 24, 23, 0, 0, TimeSpan.Zero);

    [Fact]
    public void DueAt_AcrossAHolidayAndAWeekend_LandsOnMondayMorning()
    {
        var calendar = NineToFive(new DateOnly(2026, 12, 25));

        var due = calendar.DueAt(ChristmasEve4pm, TimeSpan.FromMinutes(120), []);

        // One hour on Thursday, nothing on Friday (holiday) or the weekend, one hour on Monday: 10:00 MST.
        Assert.Equal(new DateTimeOffset(2026, 12, 28, 17, 0, 0, TimeSpan.Zero), due);
    }

    [Fact]
    public void Elapsed_OverTheWeekend_CountsOnlyOpeningHours()
    {
        var calendar = NineToFive(new DateOnly(2026, 12, 25));

        var elapsed = calendar.Elapsed(ChristmasEve4pm, new DateTimeOffset(2026, 12, 28, 16, 30, 0, TimeSpan.Zero), []);

        Assert.Equal(TimeSpan.FromMinutes(90), elapsed);
    }

    [Fact]
    public void DueAt_WithAClosedPauseInside_MovesOutByThePause_AndAnOpenPauseHasNoDueTime()
    {
        var calendar = NineToFive();
        var monday9 = new DateTimeOffset(2026, 3, 2, 16, 0, 0, TimeSpan.Zero);
        SlaPause[] closed = [new(monday9.AddHours(1), monday9.AddHours(3))];
        SlaPause[] open = [new(monday9.AddHours(1), null)];

        var due = calendar.DueAt(monday9, TimeSpan.FromHours(4), closed);
        var paused = calendar.DueAt(monday9, TimeSpan.FromHours(4), open);
        var elapsedWhilePaused = calendar.Elapsed(monday9, monday9.AddDays(2), open);

        Assert.Equal(monday9.AddHours(6), due);
        Assert.Null(paused);
        Assert.Equal(TimeSpan.FromHours(1), elapsedWhilePaused);
    }

    [Fact]
    public void DueAt_OverTheSpringForwardNight_CountsWallClockOpeningHours()
    {
        var calendar = BusinessCalendar.For(new BusinessSchedule(new Dictionary<DayOfWeek, IReadOnlyList<OpeningHours>>
        {
            [DayOfWeek.Saturday] = [new("00:00", "24:00")],
            [DayOfWeek.Sunday] = [new("00:00", "24:00")],
        }), Denver);
        var saturdayNoon = new DateTimeOffset(2026, 3, 7, 19, 0, 0, TimeSpan.Zero);

        var elapsed = calendar.Elapsed(saturdayNoon, saturdayNoon.AddDays(1), []);

        // The clocks went forward on Sunday 8 March at 02:00: 24 real hours pass, all of them open.
        Assert.Equal(TimeSpan.FromHours(24), elapsed);
    }

    [Fact]
    public void Elapsed_AcrossNewYear_CountsBothYearsAndSkipsTheHoliday()
    {
        var calendar = NineToFive(new DateOnly(2027, 1, 1));
        var newYearsEve4pm = new DateTimeOffset(2026, 12, 31, 23, 0, 0, TimeSpan.Zero);

        var elapsed = calendar.Elapsed(newYearsEve4pm, new DateTimeOffset(2027, 1, 4, 17, 0, 0, TimeSpan.Zero), []);
        var due = calendar.DueAt(newYearsEve4pm, TimeSpan.FromMinutes(120), []);

        // Thursday 16:00-17:00, New Year's Day closed, the weekend closed, Monday 09:00-10:00 MST.
        Assert.Equal(TimeSpan.FromHours(2), elapsed);
        Assert.Equal(new DateTimeOffset(2027, 1, 4, 17, 0, 0, TimeSpan.Zero), due);
    }

    [Fact]
    public void Elapsed_OverTwoYears_CountsEveryWeekdayOnce_AndLeavesOutOverlappingPauses()
    {
        var calendar = NineToFive();
        var from = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var to = new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var weekdays = Enumerable.Range(0, (to - from).Days).Select(d => from.AddDays(d).DayOfWeek).Count(d => d is not DayOfWeek.Saturday and not DayOfWeek.Sunday);
        // Two pauses over the same week of March 2026 (Monday 2 to Friday 6): that week counts once, not twice.
        SlaPause[] pauses = [new(new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero), new(2026, 3, 7, 0, 0, 0, TimeSpan.Zero)), new(new(2026, 3, 4, 0, 0, 0, TimeSpan.Zero), new(2026, 3, 6, 0, 0, 0, TimeSpan.Zero))];

        Assert.Equal(TimeSpan.FromHours(8 * weekdays), calendar.Elapsed(from, to, []));
        Assert.Equal(TimeSpan.FromHours(8 * (weekdays - 5)), calendar.Elapsed(from, to, pauses));
    }

    [Fact]
    public void Always_CountsCalendarTime()
    {
        var due = BusinessCalendar.Always.DueAt(ChristmasEve4pm, TimeSpan.FromMinutes(120), []);

        Assert.Equal(ChristmasEve4pm.AddHours(2), due);
    }
}
