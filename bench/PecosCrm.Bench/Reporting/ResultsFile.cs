using System.Globalization;
using System.Text;
using PecosCrm.Testing;

namespace PecosCrm.Bench.Reporting;

/// <summary>bench/RESULTS.md: every run appends a section, newest last, so figures keep their history.</summary>
public static class ResultsFile
{
    public const string Header =
        """
        # Benchmark results

        Figures from `bench/PecosCrm.Bench`, one section per run, newest last, each with the machine
        and commit it ran on. Every run starts its own in-memory Azurite on free ports, and the bench
        client, the app and Azurite share the machine's cores, so compare figures only between runs
        on the same kind of machine. Run it from the repository root:

            dotnet run -c Release --project bench/PecosCrm.Bench -- --list
            dotnet run -c Release --project bench/PecosCrm.Bench -- all
            dotnet run -c Release --project bench/PecosCrm.Bench -- azurite api-overhead

        Rates are per second over a closed loop of `concurrency` workers (each starts its next call
        when the last returns); `ops` is how many operations were timed, and p50 and p99 are the
        latency of one operation (one read, one batch, one page, one receive of up to 32 messages
        with its deletes), so a p99 over few operations is close to the slowest one. See
        `bench/README.md` for the scenarios.

        """;

    public static string PathInRepo => Path.Combine(AzuriteProcess.RepoRoot(), "bench", "RESULTS.md");

    public static async Task AppendAsync(RunInfo run, IReadOnlyList<string> scenarios, IReadOnlyList<ResultRow> rows, IReadOnlyList<string> failures)
    {
        var path = PathInRepo;
        var text = new StringBuilder();
        if (!File.Exists(path))
        {
            text.Append(Header);
        }
        text.AppendLine();
        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"## {run.StartedAt:yyyy-MM-dd HH:mm} UTC: {string.Join(", ", scenarios)}"));
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"- Command: `{run.CommandLine}`");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Machine: {run.LogicalCores} logical cores, {run.Memory} memory, {run.Cpu}");
        text.AppendLine(CultureInfo.InvariantCulture, $"- OS: {run.Os}");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Runtime: {run.Runtime}; Azurite {run.Azurite} in memory");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Commit: {run.Commit}");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Load average (1, 5, 15 min): {run.LoadAtStart} at the start, {RunInfo.LoadAverage()} at the end");
        text.AppendLine();
        text.Append(MarkdownTable.Render(rows));
        foreach (var failure in failures)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"Failed: {failure}");
        }
        await File.AppendAllTextAsync(path, text.ToString());
    }
}
