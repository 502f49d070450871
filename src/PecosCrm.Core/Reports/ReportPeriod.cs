using System.Globalization;

namespace PecosCrm.Core.Reports;

/// <summary>A resolved date range: <c>[From, To)</c> in UTC, and the local days it covers.</summary>
public sealed record ResolvedPeriod(DateTimeOffset From, DateTimeOffset To, DateOnly FirstDay, DateOnly LastDay);

/// <summary>A stretch of UTC time over which the store's clock keeps one offset from UTC.</summary>
public sealed record ZoneSpan(DateTimeOffset From, DateTimeOffset To, int OffsetMinutes);

/// <summary>
/// Date ranges on the store's clock, without I/O. A day runs from local midnight to the next local
/// midnight, so a day with a daylight-saving change lasts 23 or 25 hours; a midnight that the clocks
/// skip starts the day at the first moment after the gap, a midnight they repeat at its first
/// occurrence. "Last N days" are the N whole days before today (today is not complete); "month to
/// date" and "year to date" run to now.
/// </summary>
public static class ReportPeriod
{
    public const string DateFormat = "yyyy-MM-dd";

    /// <summary>The longest range a report covers, in days (three years).</summary>
    public const int MaxDays = 1096;

    public static readonly IReadOnlyList<string> RelativeRanges =
        ["last_7_days", "last_30_days", "last_90_days", "month_to_date", "previous_month", "year_to_date"];

    private static readonly TimeSpan Quarter = TimeSpan.FromMinutes(15);

    public static bool TryParseDate(string? value, out DateOnly date) =>
        DateOnly.TryParseExact(value, DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    /// <summary>The range as of <paramref name="now"/>; the range must have passed <see cref="ReportRules.Check"/>.</summary>
    public static ResolvedPeriod Resolve(ReportDateRange range, TimeZoneInfo zone, DateTimeOffset now)
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        var monthStart = new DateOnly(today.Year, today.Month, 1);
        return range.Relative switch
        {
            "last_7_days" => Days(today.AddDays(-7), today.AddDays(-1), zone),
            "last_30_days" => Days(today.AddDays(-30), today.AddDays(-1), zone),
            "last_90_days" => Days(today.AddDays(-90), today.AddDays(-1), zone),
            "month_to_date" => new ResolvedPeriod(StartOfDay(monthStart, zone), now, monthStart, today),
            "previous_month" => Days(monthStart.AddMonths(-1), monthStart.AddDays(-1), zone),
            "year_to_date" => new ResolvedPeriod(StartOfDay(new DateOnly(today.Year, 1, 1), zone), now, new DateOnly(today.Year, 1, 1), today),
            null => Days(Date(range.From), Date(range.To), zone),
            _ => throw new ArgumentException($"'{range.Relative}' is not a relative range.", nameof(range)),
        };
    }

    /// <summary>The first moment of <paramref name="day"/> on the clock of <paramref name="zone"/>, in UTC.</summary>
    public static DateTimeOffset StartOfDay(DateOnly day, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(TimeOnly.MinValue);
        while (zone.IsInvalidTime(local))
        {
            local = local.Add(Quarter);
        }
        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }

    /// <summary>
    /// The offsets of <paramref name="zone"/> over <c>[from, to)</c>, as consecutive spans: the
    /// query shifts each order onto the store's clock by its span's offset. Offsets change on a
    /// 15-minute grid of UTC, so the search steps a day at a time and then 15 minutes.
    /// </summary>
    public static IReadOnlyList<ZoneSpan> Offsets(TimeZoneInfo zone, DateTimeOffset from, DateTimeOffset to)
    {
        int Offset(DateTimeOffset at) => (int)zone.GetUtcOffset(at).TotalMinutes;
        var spans = new List<ZoneSpan>();
        var start = from;
        var offset = Offset(from);
        var at = from;
        while (at < to)
        {
            var next = at.AddDays(1) < to ? at.AddDays(1) : to;
            if (Offset(next) == offset)
            {
                at = next;
                continue;
            }
            var change = new DateTimeOffset(at.UtcTicks - at.UtcTicks % Quarter.Ticks, TimeSpan.Zero);
            while (change < next && Offset(change) == offset)
            {
                change += Quarter;
            }
            if (change >= to)
            {
                break;
            }
            spans.Add(new ZoneSpan(start, change, offset));
            (start, offset, at) = (change, Offset(change), change);
        }
        spans.Add(new ZoneSpan(start, to, offset));
        return spans;
    }

    private static ResolvedPeriod Days(DateOnly first, DateOnly last, TimeZoneInfo zone) =>
        new(StartOfDay(first, zone), StartOfDay(last.AddDays(1), zone), first, last);

    private static DateOnly Date(string? value) =>
        TryParseDate(value, out var date) ? date : throw new ArgumentException($"'{value}' is not a date as {DateFormat}.", nameof(value));
}
