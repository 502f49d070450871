using System.Globalization;
using Cronos;

namespace PecosCrm.Core.Exports;

/// <summary>
/// When a schedule runs next. The frequency, day and time become a cron expression that Cronos
/// evaluates in the schedule's time zone, so a run keeps its local time across daylight saving
/// changes: a time skipped when clocks go forward runs at the first moment after the gap, and a
/// time repeated when they go back runs once.
/// </summary>
public static class ExportScheduleTiming
{
    public const string DefaultTimeOfDay = "06:00";

    public static bool TryParseTimeOfDay(string? value, out TimeOnly time) =>
        TimeOnly.TryParseExact(value, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out time);

    /// <summary>The first occurrence strictly after <paramref name="after"/>, in UTC.</summary>
    public static DateTimeOffset Next(ExportFrequency frequency, DayOfWeek? dayOfWeek, TimeOnly timeOfDay, TimeZoneInfo zone, DateTimeOffset after)
    {
        var days = frequency == ExportFrequency.Weekly
            ? ((int)(dayOfWeek ?? throw new ArgumentException("A weekly schedule needs a day of the week.", nameof(dayOfWeek)))).ToString(CultureInfo.InvariantCulture)
            : "*";
        var cron = CronExpression.Parse(FormattableString.Invariant($"{timeOfDay.Minute} {timeOfDay.Hour} * * {days}"));
        return cron.GetNextOccurrence(after, zone)?.ToUniversalTime()
            ?? throw new InvalidOperationException("A daily or weekly schedule always has a next occurrence.");
    }

    /// <summary>How many days an orders export covers when the schedule does not say: the time since the previous run.</summary>
    public static int DefaultLookbackDays(ExportFrequency frequency) => frequency == ExportFrequency.Daily ? 1 : 7;
}
