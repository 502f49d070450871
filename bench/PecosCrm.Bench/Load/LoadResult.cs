namespace PecosCrm.Bench.Load;

/// <summary>What a timed run did: operations, the items they handled, and each operation's latency.</summary>
public sealed record LoadResult(int Concurrency, long Operations, long Items, TimeSpan Elapsed, IReadOnlyList<double> SortedLatenciesMs)
{
    public double ItemsPerSecond => Elapsed > TimeSpan.Zero ? Items / Elapsed.TotalSeconds : 0;

    public double OperationsPerSecond => Elapsed > TimeSpan.Zero ? Operations / Elapsed.TotalSeconds : 0;

    /// <summary>Nearest-rank percentile in milliseconds, or null when nothing was timed.</summary>
    public double? Percentile(double percent)
    {
        if (SortedLatenciesMs.Count == 0)
        {
            return null;
        }
        var rank = (int)Math.Ceiling(percent / 100 * SortedLatenciesMs.Count);
        return SortedLatenciesMs[Math.Clamp(rank - 1, 0, SortedLatenciesMs.Count - 1)];
    }

    /// <summary>Adds up runs of the same operation at the same concurrency, as if they were one.</summary>
    public static LoadResult Combine(IReadOnlyList<LoadResult> runs)
    {
        var latencies = runs.SelectMany(r => r.SortedLatenciesMs).ToList();
        latencies.Sort();
        return new LoadResult(
            runs[0].Concurrency,
            runs.Sum(r => r.Operations),
            runs.Sum(r => r.Items),
            TimeSpan.FromTicks(runs.Sum(r => r.Elapsed.Ticks)),
            latencies);
    }

    public override string ToString() =>
        $"c={Concurrency,-3} {ItemsPerSecond,10:N0}/s  ops {Operations,7:N0} in {Elapsed.TotalSeconds:F1}s  " +
        $"p50 {Percentile(50) ?? 0:F2} ms  p99 {Percentile(99) ?? 0:F2} ms";
}
