using System.Globalization;

namespace PecosCrm.Core.Shared;

/// <summary>
/// Wall-clock arithmetic in one time zone, with no settings and no I/O: the next local time of day
/// (a scheduled send, a wait until 9 AM), quiet hours, the local hour of a moment. Which zone applies
/// (the customer's, else the store's) is <see cref="StoreTime.For"/>'s decision.
/// </summary>
public static class LocalClock
{
    /// <summary>A time of day as <c>HH:mm</c>, the one format of every local time in requests and settings.</summary>
    public const string TimeFormat = "HH:mm";

    /// <summary>A date as <c>yyyy-MM-dd</c>.</summary>
    public const string DateFormat = "yyyy-MM-dd";

    /// <summary>Whether <paramref name="text"/> is a time of day as <c>HH:mm</c>.</summary>
    public static bool IsTime(string? text) => TimeOnly.TryParseExact(text, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    /// <summary>Whether <paramref name="text"/> is a date as <c>yyyy-MM-dd</c>.</summary>
    public static bool IsDate(string? text) => DateOnly.TryParseExact(text, DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    /// <summary>A time of day as <c>HH:mm</c>; throws <see cref="FormatException"/> for anything else.</summary>
    public static TimeOnly Time(string text) => TimeOnly.ParseExact(text, TimeFormat, CultureInfo.InvariantCulture);

    /// <summary>The hour (0–23) of <paramref name="at"/> on the clock of <paramref name="zone"/>.</summary>
    public static int Hour(DateTimeOffset at, TimeZoneInfo zone) => TimeZoneInfo.ConvertTime(at, zone).Hour;

    /// <summary>
    /// The next <paramref name="clock"/> in <paramref name="zone"/> after <paramref name="now"/>, or
    /// that time on <paramref name="date"/> when one is given (even if it has passed), in UTC. A wall
    /// time skipped by a spring-forward change moves an hour on; one that happens twice (fall back)
    /// is read as standard time, the second of the two.
    /// </summary>
    public static DateTimeOffset Next(TimeZoneInfo zone, TimeOnly clock, DateOnly? date, DateTimeOffset now)
    {
        var localNow = TimeZoneInfo.ConvertTime(now, zone);
        var wall = (date ?? DateOnly.FromDateTime(localNow.DateTime)).ToDateTime(clock);
        if (date is null && wall <= localNow.DateTime)
        {
            wall = wall.AddDays(1);
        }
        if (zone.IsInvalidTime(wall))
        {
            wall = wall.AddHours(1);
        }
        return new DateTimeOffset(wall, zone.GetUtcOffset(wall)).ToUniversalTime();
    }

    /// <summary>
    /// The end of the quiet hours (<paramref name="start"/> to <paramref name="end"/>, which may span
    /// midnight; equal times mean none) when <paramref name="now"/> falls in them on the clock of
    /// <paramref name="zone"/>, else null.
    /// </summary>
    public static DateTimeOffset? QuietUntil(TimeZoneInfo zone, TimeOnly start, TimeOnly end, DateTimeOffset now)
    {
        var local = TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        var quiet = start <= end ? local >= start && local < end : local >= start || local < end;
        return quiet ? Next(zone, end, null, now) : null;
    }
}
