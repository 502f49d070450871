using System.Collections.Concurrent;

namespace PecosCrm.Core.Support;

/// <summary>A stretch of time during which a ticket's SLA clocks stand still (while it waits on the customer, or is resolved); open while <c>To</c> is null.</summary>
public sealed record SlaPause(DateTimeOffset From, DateTimeOffset? To);

/// <summary>
/// Counts time the way an SLA does: only inside opening hours (a weekly schedule of local windows,
/// closed on holidays, read in one time zone, daylight-saving changes included) or around the
/// clock, and never inside a pause. <see cref="Elapsed"/> counts the time between two moments;
/// <see cref="DueAt"/> finds the moment a target is reached. Pure: the caller hands in "now".
/// <para>
/// Opening hours are kept as a running total per local year (<see cref="OpeningYear"/>), built once
/// per calendar and year, so a clock costs a few binary searches however old its ticket is, rather
/// than a walk over every day since the ticket was opened: the ticket list works out three clocks
/// for each of 50 tickets per request.
/// </para>
/// </summary>
public sealed class BusinessCalendar
{
    /// <summary>No target is searched further ahead than this many years.</summary>
    private const int MaxYears = 20;

    private readonly TimeZoneInfo? _zone;
    private readonly IReadOnlyDictionary<DayOfWeek, IReadOnlyList<(TimeSpan Start, TimeSpan End)>>? _week;
    private readonly IReadOnlySet<DateOnly> _holidays;
    private readonly ConcurrentDictionary<int, OpeningYear> _years = new();

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
        if (to <= from)
        {
            return TimeSpan.Zero;
        }
        var (start, end) = (from.UtcTicks, to.UtcTicks);
        var total = Open(start, end);
        foreach (var (pauseFrom, pauseTo) in Merged(pauses, start))
        {
            if (pauseFrom >= end)
            {
                break;
            }
            total -= Open(Math.Max(pauseFrom, start), Math.Min(pauseTo, end));
        }
        return TimeSpan.FromTicks(total);
    }

    /// <summary>The moment <paramref name="target"/> of counted time has passed since <paramref name="from"/>; null when a pause with no end comes first.</summary>
    public DateTimeOffset? DueAt(DateTimeOffset from, TimeSpan target, IReadOnlyList<SlaPause> pauses)
    {
        var cursor = from.UtcTicks;
        var remaining = target.Ticks;
        foreach (var (pauseFrom, pauseTo) in Merged(pauses, cursor))
        {
            if (pauseFrom > cursor)
            {
                var before = Open(cursor, pauseFrom);
                if (remaining <= before)
                {
                    return MomentAfter(cursor, remaining);
                }
                remaining -= before;
            }
            if (pauseTo == long.MaxValue)
            {
                return null; // Nothing counts until the pause ends.
            }
            cursor = Math.Max(cursor, pauseTo);
        }
        return MomentAfter(cursor, remaining);
    }

    /// <summary>The pauses that end after <paramref name="from"/> in UTC ticks, in order, overlapping ones joined; an open pause runs to <see cref="long.MaxValue"/>.</summary>
    private static List<(long From, long To)> Merged(IReadOnlyList<SlaPause> pauses, long from)
    {
        var merged = new List<(long From, long To)>(pauses.Count);
        foreach (var p in pauses.OrderBy(p => p.From))
        {
            var (start, end) = (p.From.UtcTicks, p.To?.UtcTicks ?? long.MaxValue);
            if (end <= from || end <= start)
            {
                continue;
            }
            if (merged.Count > 0 && start <= merged[^1].To)
            {
                merged[^1] = (merged[^1].From, Math.Max(merged[^1].To, end));
            }
            else
            {
                merged.Add((start, end));
            }
        }
        return merged;
    }

    /// <summary>The opening time between two moments (UTC ticks), pauses not considered.</summary>
    private long Open(long from, long to)
    {
        if (to <= from)
        {
            return 0;
        }
        if (_week is null)
        {
            return to - from;
        }
        var (first, last) = (YearOf(from), YearOf(to));
        if (first == last)
        {
            var year = Year(first);
            return year.OpenBefore(to) - year.OpenBefore(from);
        }
        var start = Year(first);
        var total = start.Total - start.OpenBefore(from);
        for (var y = first + 1; y < last; y++)
        {
            total += Year(y).Total;
        }
        return total + Year(last).OpenBefore(to);
    }

    /// <summary>The earliest moment by which <paramref name="amount"/> of opening time has passed since <paramref name="from"/>; null beyond <see cref="MaxYears"/>.</summary>
    private DateTimeOffset? MomentAfter(long from, long amount)
    {
        if (amount <= 0)
        {
            return new DateTimeOffset(from, TimeSpan.Zero);
        }
        if (_week is null)
        {
            return from > DateTimeOffset.MaxValue.UtcTicks - amount ? null : new DateTimeOffset(from + amount, TimeSpan.Zero);
        }
        var y = YearOf(from);
        var needed = Year(y).OpenBefore(from) + amount;
        for (var i = 0; i < MaxYears && y < DateOnly.MaxValue.Year; i++, y++)
        {
            var year = Year(y);
            if (needed <= year.Total)
            {
                return new DateTimeOffset(year.MomentAt(needed), TimeSpan.Zero);
            }
            needed -= year.Total;
        }
        return null;
    }

    /// <summary>The local year a moment falls in: every opening window of a local day lies in that day's year.</summary>
    private int YearOf(long utcTicks) => TimeZoneInfo.ConvertTime(new DateTimeOffset(utcTicks, TimeSpan.Zero), _zone!).Year;

    private OpeningYear Year(int year) => _years.GetOrAdd(year, y => OpeningYear.Build(Windows(y)));

    /// <summary>The opening windows in UTC ticks of the local days of <paramref name="year"/>, in order, none overlapping the one before.</summary>
    private IEnumerable<(long Start, long End)> Windows(int year)
    {
        var last = long.MinValue;
        var first = new DateOnly(year, 1, 1);
        for (var day = year > 1 ? first.AddDays(-1) : first; day.Year <= year; day = day.AddDays(1))
        {
            if (_holidays.Contains(day) || !_week!.TryGetValue(day.DayOfWeek, out var hours))
            {
                continue;
            }
            foreach (var (startOfDay, endOfDay) in hours)
            {
                var start = Math.Max(ToUtc(day, startOfDay), last);
                var end = ToUtc(day, endOfDay);
                if (end <= start)
                {
                    continue;
                }
                last = end;
                if (day >= first)
                {
                    yield return (start, end);
                }
            }
            if (day == DateOnly.MaxValue)
            {
                yield break;
            }
        }
    }

    /// <summary>A local wall-clock time as UTC ticks; a time skipped by a daylight-saving change counts from the moment after the gap.</summary>
    private long ToUtc(DateOnly day, TimeSpan time)
    {
        var local = day.ToDateTime(TimeOnly.MinValue).Add(time);
        while (_zone!.IsInvalidTime(local))
        {
            local = local.AddMinutes(30);
        }
        return TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), _zone).Ticks;
    }

    /// <summary>One local year's opening windows (UTC ticks, in order) with the opening time before each: a running total to search.</summary>
    private sealed class OpeningYear
    {
        private readonly long[] _starts;
        private readonly long[] _ends;
        private readonly long[] _before;

        private OpeningYear(long[] starts, long[] ends, long[] before, long total)
        {
            _starts = starts;
            _ends = ends;
            _before = before;
            Total = total;
        }

        /// <summary>The opening time of the whole year.</summary>
        public long Total { get; }

        public static OpeningYear Build(IEnumerable<(long Start, long End)> windows)
        {
            var list = windows.ToList();
            var before = new long[list.Count];
            var total = 0L;
            for (var i = 0; i < list.Count; i++)
            {
                before[i] = total;
                total += list[i].End - list[i].Start;
            }
            return new OpeningYear(list.Select(w => w.Start).ToArray(), list.Select(w => w.End).ToArray(), before, total);
        }

        /// <summary>The year's opening time before <paramref name="moment"/>.</summary>
        public long OpenBefore(long moment)
        {
            var i = LastStartingBy(moment);
            return i < 0 ? 0 : _before[i] + Math.Min(moment, _ends[i]) - _starts[i];
        }

        /// <summary>The earliest moment by which <paramref name="open"/> (between 1 tick and <see cref="Total"/>) of the year's opening time has passed.</summary>
        public long MomentAt(long open)
        {
            var (low, high) = (0, _starts.Length - 1);
            while (low < high)
            {
                var mid = (low + high) / 2;
                if (_before[mid] + (_ends[mid] - _starts[mid]) >= open)
                {
                    high = mid;
                }
                else
                {
                    low = mid + 1;
                }
            }
            return _starts[low] + (open - _before[low]);
        }

        /// <summary>The index of the last window that starts at or before <paramref name="moment"/>, or -1.</summary>
        private int LastStartingBy(long moment)
        {
            var i = Array.BinarySearch(_starts, moment);
            return i >= 0 ? i : ~i - 1;
        }
    }
}
