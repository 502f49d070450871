using System.Globalization;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Messaging;

namespace PecosCrm.Core.Shared;

/// <summary>
/// The store's time zone, the one source of every local date, schedule and report: setting
/// <c>Store:TimeZone</c> (env <c>Store__TimeZone</c>, an IANA id, default America/Denver). A
/// customer's own time zone wins for sends to that customer (<see cref="For"/>). Timestamps in the
/// API stay UTC; this only decides what "today", "9 AM" or "Monday" means.
/// </summary>
public sealed class StoreTime(IOptions<StoreOptions> options)
{
    private (string Id, TimeZoneInfo Zone)? _cached;

    /// <summary>The store's zone. An id that is not a time zone fails loudly rather than silently shifting every schedule.</summary>
    public TimeZoneInfo Zone
    {
        get
        {
            var id = options.Value.TimeZone is { Length: > 0 } configured ? configured : StoreOptions.DefaultTimeZone;
            if (_cached is { } cached && cached.Id == id)
            {
                return cached.Zone;
            }
            var zone = TimeZoneInfo.TryFindSystemTimeZoneById(id, out var found)
                ? found
                : throw new InvalidOperationException($"Store:TimeZone '{id}' is not an IANA time zone such as America/Denver.");
            _cached = (id, zone);
            return zone;
        }
    }

    /// <summary>The zone named by <paramref name="id"/> (a customer's, a schedule's) when it is one, else the store's.</summary>
    public TimeZoneInfo For(string? id) =>
        id is { Length: > 0 } && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : Zone;

    /// <summary>A moment on the store's clock.</summary>
    public DateTimeOffset Local(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, Zone);

    /// <summary>The store's date at <paramref name="at"/>.</summary>
    public DateOnly Date(DateTimeOffset at) => DateOnly.FromDateTime(Local(at).DateTime);

    /// <summary>
    /// The next <paramref name="localTime"/> (<c>HH:mm</c>) in the zone <paramref name="zoneId"/> (the
    /// store's when none or unknown), on <paramref name="localDate"/> (<c>yyyy-MM-dd</c>) if given, in UTC.
    /// A wall time skipped by a spring-forward change moves an hour on (<see cref="LocalClock.Next"/>).
    /// </summary>
    public DateTimeOffset LocalSendTime(string? zoneId, string localTime, string? localDate, DateTimeOffset now) =>
        LocalClock.Next(For(zoneId), LocalClock.Time(localTime),
            localDate is null ? null : DateOnly.ParseExact(localDate, LocalClock.DateFormat, CultureInfo.InvariantCulture), now);

    /// <summary>
    /// The end of the quiet hours <paramref name="start"/>–<paramref name="end"/> (<c>HH:mm</c>) when
    /// <paramref name="now"/> falls in them in the zone <paramref name="zoneId"/> (the store's when none
    /// or unknown), else null.
    /// </summary>
    public DateTimeOffset? QuietUntil(string? zoneId, string start, string end, DateTimeOffset now) =>
        LocalClock.QuietUntil(For(zoneId), LocalClock.Time(start), LocalClock.Time(end), now);
}
