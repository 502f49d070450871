using System.Diagnostics;

namespace PecosCrm.Bench.Load;

/// <summary>
/// Runs an operation from a fixed number of concurrent workers for a fixed time and times each call.
/// Closed loop: a worker starts its next call when the previous one returns, so the rate is what the
/// system under test sustains at that concurrency, not an offered load.
/// </summary>
public static class LoadRunner
{
    /// <summary>Short enough that a scenario stays within a minute or so on a 2-core machine.</summary>
    public static readonly TimeSpan DefaultDuration = TimeSpan.FromSeconds(3);

    /// <summary>Lets connection pools fill and the JIT settle before anything is counted.</summary>
    public static readonly TimeSpan DefaultWarmup = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Calls <paramref name="operation"/> until the time is up; it returns how many items it handled
    /// (1 for a point read, 100 for a batch). Returning 0 ends that worker: the work has run out, as
    /// when a queue is drained, and the rate counts only the time spent until then.
    /// </summary>
    public static async Task<LoadResult> RunAsync(
        int concurrency,
        Func<CancellationToken, Task<int>> operation,
        CancellationToken cancellationToken,
        TimeSpan? duration = null,
        TimeSpan? warmup = null)
    {
        var warm = warmup ?? DefaultWarmup;
        if (warm > TimeSpan.Zero)
        {
            await MeasureAsync(concurrency, operation, warm, cancellationToken);
        }
        return await MeasureAsync(concurrency, operation, duration ?? DefaultDuration, cancellationToken);
    }

    /// <summary>
    /// Runs the operations in turn, <paramref name="slice"/> each, for several rounds after a warm-up
    /// round, and adds up each one's rounds. On a shared 2-core machine the rate drifts by tens of
    /// percent from one few-second run to the next (JIT, Azurite's garbage collector); slicing the
    /// time this way lets each operation see the same drift, which keeps their ratio meaningful.
    /// </summary>
    public static async Task<IReadOnlyList<LoadResult>> InterleaveAsync(
        IReadOnlyList<Func<CancellationToken, Task<int>>> operations, int concurrency, int rounds, TimeSpan slice, CancellationToken cancellationToken)
    {
        var runs = operations.Select(_ => new List<LoadResult>()).ToList();
        for (var round = -1; round < rounds; round++)
        {
            for (var i = 0; i < operations.Count; i++)
            {
                var result = await RunAsync(concurrency, operations[i], cancellationToken, slice, TimeSpan.Zero);
                if (round >= 0)
                {
                    runs[i].Add(result);
                }
            }
        }
        return runs.Select(LoadResult.Combine).ToList();
    }

    private static async Task<LoadResult> MeasureAsync(
        int concurrency, Func<CancellationToken, Task<int>> operation, TimeSpan duration, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency)
            .Select(_ => Task.Run(() => WorkAsync(operation, clock, duration, cancellationToken), cancellationToken))
            .ToArray();
        var done = await Task.WhenAll(workers);
        // The last calls may end after the deadline; the rate divides by the time they really took.
        var elapsed = done.Max(w => w.End);

        var latencies = new List<double>(done.Sum(w => w.LatencyTicks.Count));
        foreach (var worker in done)
        {
            latencies.AddRange(worker.LatencyTicks.Select(t => t * 1000.0 / Stopwatch.Frequency));
        }
        latencies.Sort();
        return new LoadResult(concurrency, done.Sum(w => (long)w.LatencyTicks.Count), done.Sum(w => w.Items), elapsed, latencies);
    }

    private static async Task<WorkerResult> WorkAsync(
        Func<CancellationToken, Task<int>> operation, Stopwatch clock, TimeSpan duration, CancellationToken cancellationToken)
    {
        var latencies = new List<long>(4096);
        long items = 0;
        while (clock.Elapsed < duration)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var start = Stopwatch.GetTimestamp();
            var handled = await operation(cancellationToken);
            if (handled == 0)
            {
                break;
            }
            latencies.Add(Stopwatch.GetTimestamp() - start);
            items += handled;
        }
        return new WorkerResult(latencies, items, clock.Elapsed);
    }

    private sealed record WorkerResult(List<long> LatencyTicks, long Items, TimeSpan End);
}
