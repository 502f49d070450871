using PecosCrm.Core.Messaging;

namespace PecosCrm.UnitTests.Shared;

/// <summary>Wall-clock arithmetic of local send times and quiet hours, across daylight-saving changes.</summary>
public sealed class LocalClockTests
{
    private static readonly TimeZoneInfo Denver = TimeZoneInfo.FindSystemTimeZoneById("America/Denver");
    private static readonly TimeZoneInfo Chicago = TimeZoneInfo.FindSystemTimeZoneById("America/Chicago");

    [Fact]
    public void Next_TimeOfDayAlreadyPassedToday_IsTomorrow_AndAGivenDateIsKeptEvenIfPast()
    {
        // 10:00 in Denver (MST, UTC-7).
        var now = new DateTimeOffset(2026, 1, 5, 17, 0, 0, TimeSpan.Zero);

        var later = LocalClock.Next(Denver, new TimeOnly(11, 0), null, now);
        var passed = LocalClock.Next(Denver, new TimeOnly(9, 0), null, now);
        var onDate = LocalClock.Next(Denver, new TimeOnly(9, 0), new DateOnly(2026, 1, 5), now);

        Assert.Equal(new DateTimeOffset(2026, 1, 5, 18, 0, 0, TimeSpan.Zero), later);
        Assert.Equal(new DateTimeOffset(2026, 1, 6, 16, 0, 0, TimeSpan.Zero), passed);
        Assert.Equal(new DateTimeOffset(2026, 1, 5, 16, 0, 0, TimeSpan.Zero), onDate);
    }

    [Fact]
    public void Next_WallTimeSkippedBySpringForward_MovesAnHourOn()
    {
        // March 8, 2026: Denver's clocks jump from 02:00 MST to 03:00 MDT, so 02:30 never happens.
        var now = new DateTimeOffset(2026, 3, 8, 7, 0, 0, TimeSpan.Zero);

        var at = LocalClock.Next(Denver, new TimeOnly(2, 30), null, now);

        Assert.Equal(new DateTimeOffset(2026, 3, 8, 9, 30, 0, TimeSpan.Zero), at);
        Assert.Equal(3, LocalClock.Hour(at, Denver));
    }

    [Fact]
    public void QuietUntil_SpanningMidnight_EndsAtTheNextMorningOnTheCustomersClock()
    {
        // 22:00 and 03:00 in Chicago (CST, UTC-6) fall in 21:00–08:00; noon does not.
        var evening = new DateTimeOffset(2026, 1, 6, 4, 0, 0, TimeSpan.Zero);
        var night = new DateTimeOffset(2026, 1, 6, 9, 0, 0, TimeSpan.Zero);
        var noon = new DateTimeOffset(2026, 1, 6, 18, 0, 0, TimeSpan.Zero);
        var (start, end) = (new TimeOnly(21, 0), new TimeOnly(8, 0));

        Assert.Equal(new DateTimeOffset(2026, 1, 6, 14, 0, 0, TimeSpan.Zero), LocalClock.QuietUntil(Chicago, start, end, evening));
        Assert.Equal(new DateTimeOffset(2026, 1, 6, 14, 0, 0, TimeSpan.Zero), LocalClock.QuietUntil(Chicago, start, end, night));
        Assert.Null(LocalClock.QuietUntil(Chicago, start, end, noon));
        Assert.Null(LocalClock.QuietUntil(Chicago, new TimeOnly(0, 0), new TimeOnly(0, 0), night));
    }

    [Fact]
    public void QuietUntil_OfACustomerWithoutAZone_ReadsTheStoreClock()
    {
        var store = new StoreTime(Microsoft.Extensions.Options.Options.Create(new StoreOptions { TimeZone = "America/Denver" }));
        // 21:30 in Denver, 22:30 in Chicago: quiet in both, ending at 08:00 on each one's clock.
        var now = new DateTimeOffset(2026, 1, 6, 4, 30, 0, TimeSpan.Zero);

        Assert.Equal(new DateTimeOffset(2026, 1, 6, 15, 0, 0, TimeSpan.Zero), store.QuietUntil(null, "21:00", "08:00", now));
        Assert.Equal(new DateTimeOffset(2026, 1, 6, 15, 0, 0, TimeSpan.Zero), store.QuietUntil("Not/AZone", "21:00", "08:00", now));
        Assert.Equal(new DateTimeOffset(2026, 1, 6, 14, 0, 0, TimeSpan.Zero), store.QuietUntil("America/Chicago", "21:00", "08:00", now));
    }

    [Theory]
    [InlineData("09:00", true)]
    [InlineData("9:00", false)]
    [InlineData("24:00", false)]
    [InlineData(null, false)]
    public void IsTime_AcceptsOnlyHHmm(string? text, bool expected) => Assert.Equal(expected, LocalClock.IsTime(text));
}
