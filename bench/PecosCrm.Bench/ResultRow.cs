using PecosCrm.Bench.Load;

namespace PecosCrm.Bench;

/// <summary>One figure: a rate at a concurrency, with the latency of a single operation where it was timed.</summary>
public sealed record ResultRow(
    string Scenario, string Measurement, int Concurrency, double Rate, string Unit, long Operations, double? P50Ms, double? P99Ms, string Note = "")
{
    public static ResultRow From(string scenario, string measurement, LoadResult result, string unit, string note = "") =>
        new(scenario, measurement, result.Concurrency, result.ItemsPerSecond, unit, result.Operations, result.Percentile(50), result.Percentile(99), note);
}
