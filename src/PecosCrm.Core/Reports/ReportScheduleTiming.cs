namespace PecosCrm.Core.Reports;

/// <summary>
/// When a report's schedule runs next, without I/O: the first matching local day and hour on the
/// store's clock strictly after a moment. A monthly day past the month's end runs on its last day
/// (31 → 30 April, 28 or 29 February). An hour the clocks skip runs at the first moment after the
/// gap; an hour they repeat runs once, at its first occurrence.
/// </summary>
public static class ReportScheduleTiming
{
    public static DateTimeOffset Next(ReportSchedule schedule, TimeZoneInfo zone, DateTimeOffset after)
    {
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(after, zone).DateTime).AddDays(-1);
        for (var i = 0; i < 400; i++, day = day.AddDays(1))
        {
            if (!Matches(schedule, day))
            {
                continue;
            }
            var at = At(day, schedule.Hour ?? throw new ArgumentException("A schedule needs an hour.", nameof(schedule)), zone);
            if (at > after)
            {
                return at;
            }
        }
        throw new InvalidOperationException("A daily, weekly or monthly schedule always runs within 400 days.");
    }

    private static bool Matches(ReportSchedule schedule, DateOnly day) => schedule.Frequency switch
    {
        "daily" => true,
        "weekly" => day.DayOfWeek == ReportRules.Weekday(schedule.DayOfWeek!),
        "monthly" => day.Day == Math.Min(schedule.DayOfMonth!.Value, DateTime.DaysInMonth(day.Year, day.Month)),
        _ => throw new ArgumentException($"'{schedule.Frequency}' is not a frequency.", nameof(schedule)),
    };

    private static DateTimeOffset At(DateOnly day, int hour, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(new TimeOnly(hour, 0));
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(15);
        }
        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }
}
