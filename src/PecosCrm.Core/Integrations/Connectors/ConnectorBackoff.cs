using System.Net.Http.Headers;

namespace PecosCrm.Core.Integrations.Connectors;

/// <summary>The waits of retries, without I/O: of one call (a 429's <c>Retry-After</c> first), and of a failed sync.</summary>
public static class ConnectorBackoff
{
    /// <summary>
    /// The wait before try <paramref name="attempt"/> + 1 of a call that failed on try <paramref name="attempt"/> (from 1),
    /// or null when the tries are used up. A server's <c>Retry-After</c> replaces the schedule's wait.
    /// </summary>
    public static TimeSpan? BeforeNextCall(int attempt, IReadOnlyList<TimeSpan> delays, TimeSpan? retryAfter) =>
        attempt > delays.Count ? null : retryAfter ?? delays[attempt - 1];

    /// <summary><c>Retry-After</c> as seconds or as an HTTP date; null when absent or unreadable.</summary>
    public static TimeSpan? RetryAfter(RetryConditionHeaderValue? header, DateTimeOffset now) => header switch
    {
        { Delta: { } delta } => delta < TimeSpan.Zero ? TimeSpan.Zero : delta,
        { Date: { } date } => date > now ? date - now : TimeSpan.Zero,
        _ => null,
    };

    /// <summary>The wait before a sync runs again after <paramref name="failuresInARow"/> failed runs: doubling from <paramref name="first"/>, at most <paramref name="max"/>.</summary>
    public static TimeSpan AfterFailedSync(int failuresInARow, TimeSpan first, TimeSpan max)
    {
        var factor = Math.Pow(2, Math.Clamp(failuresInARow - 1, 0, 30));
        var wait = TimeSpan.FromTicks((long)Math.Min(first.Ticks * factor, max.Ticks));
        return wait < max ? wait : max;
    }
}
