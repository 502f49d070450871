namespace PecosCrm.Core.Support;

/// <summary>A stretch of time during which a ticket's SLA clocks stand still (while it waits on the customer, or is resolved); open while <c>To</c> is null.</summary>
public sealed record SlaPause(DateTimeOffset From, DateTimeOffset? To);

/// <summary>
/// Counts time the way an SLA does: only inside opening hours (a weekly schedule of local windows,
/// closed on holidays, read in one time zone, daylight-saving changes included) or around the
/// clock, and never inside a pause. <see cref="Elapsed"/> counts the time between two moments;
/// <see cref="DueAt"/> finds the moment a target is reached. Pure: the caller hands in "now".
/// </summary>
public sealed class BusinessCalendar
{
    /// <summary>No day of the schedule is searched further ahead than this: a target is never that far out.</summary>
    private const int MaxDays = 366 * 20;

    private readonly TimeZoneInfo? _zone;
    private readonly IReadOnlyDictionary<DayOfWeek, IReadOnlyList<(TimeSpan Start, TimeSpan End)>>? _week;
    private readonly IReadOnlySet<DateOnly> _holidays;

    private BusinessCalendar(TimeZoneInfo? zone, IReadOnlyDictionary<DayOfWeek, IReadOnlyList<(TimeSpan, TimeSpan)>>? week, IReadOnlySet<DateOnly> holidays)
    {
        _zone = zone;
        _week = week;
        _holidays = holidays;
    }

    /// <summary>Around the clock (calendar time).</summary>
    public static BusinessCalendar Always { get; } = new(null, null, new HashSet<DateOnly>());

    public bool IsBusinessHours => _week is not null;

    /// <summary>The calendar of a schedule (around the clock when it is null), read in <paramref name="zone"/>.</summary>
    public static BusinessCalendar For(BusinessSchedule? schedule, TimeZoneInfo zone)
    {
        if (schedule is null)
        {
            return Always;
        }
        var week = schedule.Week.ToDictionary(
            d => d.Key,
            d => (IReadOnlyList<(TimeSpan, TimeSpan)>)(d.Value ?? []).Select(h => (LocalClock.Time(h.Start).ToTimeSpan(), EndOf(h.End))).OrderBy(h => h.Item1).ToList());
        return new BusinessCalendar(zone, week, (schedule.Holidays ?? []).ToHashSet());
    }

    /// <summary>The end of a window: <c>HH:mm</c>, or <c>24:00</c> for midnight.</summary>
    public static TimeSpan EndOf(string end) => end == "24:00" ? TimeSpan.FromDays(1) : LocalClock.Time(end).ToTimeSpan();

    /// <summary>The counted time between <paramref name="from"/> and <paramref name="to"/>.</summary>
    public TimeSpan Elapsed(DateTimeOffset from, DateTimeOffset to, IReadOnlyList<SlaPause> pauses)
    {
        var total = TimeSpan.Zero;
        if (to <= from)
        {
            return total;
        }
        foreach (var (start, end) in Segments(from, pauses))
        {
            if (start >= to)
            {
                break;
            }
            total += (end < to ? end : to) - start;
        }
        return total;
    }

    /// <summary>The moment <paramref name="target"/> of counted time has passed since <paramref name="from"/>; null when a pause with no end comes first.</summary>
    public DateTimeOffset? DueAt(DateTimeOffset from, TimeSpan target, IReadOnlyList<SlaPause> pauses)
    {
        var remaining = target;
        foreach (var (start, end) in Segments(from, pauses))
        {
            var length = end - start;
            if (remaining <= length)
            {
                return start + remaining;
            }
            remaining -= length;
        }
        return null;
    }

    /// <summary>The counted stretches from <paramref name="from"/> on, in order: opening windows with the pauses cut out.</summary>
    private IEnumerable<(DateTimeOffset Start, DateTimeOffset End)> Segments(DateTimeOffset from, IReadOnlyList<SlaPause> pauses)
    {
        var ordered = pauses.Where(p => p.To is null || p.To > from).OrderBy(p => p.From).ToList();
        foreach (var (windowStart, windowEnd) in Windows(from))
        {
            var cursor = windowStart;
            foreach (var p in ordered)
            {
                var pauseEnd = p.To ?? DateTimeOffset.MaxValue;
                if (p.From >= windowEnd || pauseEnd <= cursor)
                {
                    continue;
                }
                if (p.From > cursor)
                {
                    yield return (cursor, p.From);
                }
                if (p.To is null)
                {
                    yield break; // Nothing counts until the pause ends.
                }
                cursor = pauseEnd > cursor ? pauseEnd : cursor;
                if (cursor >= windowEnd)
                {
                    break;
                }
            }
            if (cursor < windowEnd)
            {
                yield return (cursor, windowEnd);
            }
        }
    }

    /// <summary>The opening windows in UTC that end after <paramref name="from"/>, the first one clipped to start there.</summary>
    private IEnumerable<(DateTimeOffset Start, DateTimeOffset End)> Windows(DateTimeOffset from)
    {
        if (_week is null || _zone is null)
        {
            yield return (from, DateTimeOffset.MaxValue);
            yield break;
        }
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(from, _zone).DateTime).AddDays(-1);
        var last = DateTimeOffset.MinValue;
        for (var i = 0; i < MaxDays; i++, day = day.AddDays(1))
        {
            if (_holidays.Contains(day) || !_week.TryGetValue(day.DayOfWeek, out var hours))
            {
                continue;
            }
            foreach (var (startOfDay, endOfDay) in hours)
            {
                var start = ToUtc(day, startOfDay);
                var end = ToUtc(day, endOfDay);
                start = start < last ? last : start;
                if (end <= from || end <= start)
                {
                    continue;
                }
                last = end;
                yield return (start < from ? from : start, end);
            }
        }
    }

    /// <summary>A local wall-clock time as UTC; a time skipped by a daylight-saving change counts from the moment after the gap.</summary>
    private DateTimeOffset ToUtc(DateOnly day, TimeSpan time)
    {
        var local = day.ToDateTime(TimeOnly.MinValue).Add(time);
        while (_zone!.IsInvalidTime(local))
        {
            local = local.AddMinutes(30);
        }
        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), _zone), TimeSpan.Zero);
    }
}
