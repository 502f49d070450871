using System.Collections.Concurrent;
using System.Diagnostics;

namespace PecosCrm.Bench.Scenarios;

/// <summary>
/// Waits until every customer's metrics show the events sent to them. Reading all customers over
/// and over would load the storage the app is writing to, so while work is under way it reads a
/// small sample of the customers not yet confirmed, and reads all of those only once the whole
/// sample is done. A customer once confirmed is not read again.
/// </summary>
public sealed class AppliedWaiter(CrmApiClient api, TextWriter progress, Func<CancellationToken, Task<string>>? status = null)
{
    private const int SampleSize = 8;
    private const int Readers = 16;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan ReportInterval = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Returns the time on <paramref name="clock"/> at which the last customer was seen complete:
    /// a bound on when the last effect became visible, late by at most one poll.
    /// </summary>
    public async Task<TimeSpan> WaitAsync(
        IReadOnlyDictionary<string, MetricsSnapshot> expected, Stopwatch clock, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var pending = expected.Keys.ToList();
        var lastSeen = new ConcurrentDictionary<string, MetricsSnapshot?>(StringComparer.Ordinal);
        var lastConfirmed = clock.Elapsed;
        var deadline = clock.Elapsed + timeout;
        var nextReport = clock.Elapsed + ReportInterval;
        while (pending.Count > 0)
        {
            if (clock.Elapsed > deadline)
            {
                var id = pending[0];
                throw new TimeoutException(
                    $"{pending.Count:N0} of {expected.Count:N0} customers still not applied after {timeout.TotalSeconds:F0} s; " +
                    $"{id} expected {expected[id]}, last read {(lastSeen.TryGetValue(id, out var seen) ? seen?.ToString() ?? "404" : "never")}.");
            }
            if (clock.Elapsed > nextReport)
            {
                var detail = status is null ? "" : "; " + await status(cancellationToken);
                progress.WriteLine($"  waiting: {expected.Count - pending.Count:N0}/{expected.Count:N0} customers applied at {clock.Elapsed.TotalSeconds:F1} s{detail}");
                nextReport = clock.Elapsed + ReportInterval;
            }
            var sample = pending.Count <= SampleSize ? pending : pending.OrderBy(_ => Random.Shared.Next()).Take(SampleSize).ToList();
            var done = await CheckAsync(sample, expected, lastSeen, clock, cancellationToken);
            if (done.Confirmed.Count == sample.Count && pending.Count > sample.Count)
            {
                done = await CheckAsync(pending, expected, lastSeen, clock, cancellationToken);
            }
            if (done.Confirmed.Count > 0)
            {
                pending.RemoveAll(done.Confirmed.Contains);
                lastConfirmed = done.LastConfirmedAt > lastConfirmed ? done.LastConfirmedAt : lastConfirmed;
            }
            if (pending.Count > 0)
            {
                await Task.Delay(PollInterval, cancellationToken);
            }
        }
        return lastConfirmed;
    }

    private async Task<(HashSet<string> Confirmed, TimeSpan LastConfirmedAt)> CheckAsync(
        IReadOnlyList<string> ids, IReadOnlyDictionary<string, MetricsSnapshot> expected,
        ConcurrentDictionary<string, MetricsSnapshot?> lastSeen, Stopwatch clock, CancellationToken cancellationToken)
    {
        var confirmed = new ConcurrentBag<string>();
        long lastTicks = 0;
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = Readers, CancellationToken = cancellationToken }, async (id, ct) =>
        {
            var seen = await api.GetMetricsAsync(id, ct);
            lastSeen[id] = seen;
            if (seen is null)
            {
                return;
            }
            if (seen.Exceeds(expected[id]))
            {
                throw new InvalidOperationException($"Customer {id} shows {seen}, more than the {expected[id]} sent: an event was applied twice.");
            }
            if (seen == expected[id])
            {
                confirmed.Add(id);
                var now = clock.Elapsed.Ticks;
                InterlockedMax(ref lastTicks, now);
            }
        });
        return (confirmed.ToHashSet(StringComparer.Ordinal), TimeSpan.FromTicks(lastTicks));
    }

    private static void InterlockedMax(ref long target, long value)
    {
        var current = Interlocked.Read(ref target);
        while (value > current)
        {
            var previous = Interlocked.CompareExchange(ref target, value, current);
            if (previous == current)
            {
                return;
            }
            current = previous;
        }
    }
}
