using PecosCrm.Bench;
using PecosCrm.Bench.Reporting;

if (args.Length == 0 || args.Any(a => a is "--list" or "-l" or "--help" or "-h"))
{
    Console.WriteLine("Usage: dotnet run -c Release --project bench/PecosCrm.Bench -- <scenario...> | all | --list");
    Console.WriteLine();
    foreach (var s in ScenarioRegistry.All)
    {
        Console.WriteLine($"  {s.Name,-14} {s.Description}");
    }
    return args.Length == 0 ? 2 : 0;
}

var chosen = args.Any(a => a.Equals("all", StringComparison.OrdinalIgnoreCase))
    ? ScenarioRegistry.All.ToList()
    : args.Select(a => ScenarioRegistry.Find(a) ?? throw new ArgumentException($"Unknown scenario '{a}'; --list shows them.")).Distinct().ToList();

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

var run = RunInfo.Capture(args);
Console.WriteLine($"{run.LogicalCores} cores, {run.Memory}, {run.Os}, commit {run.Commit}");
var rows = new List<ResultRow>();
var failures = new List<string>();
foreach (var scenario in chosen)
{
    Console.WriteLine();
    Console.WriteLine($"== {scenario.Name}: {scenario.Description}");
    try
    {
        var result = await scenario.RunAsync(Console.Out, stop.Token);
        rows.AddRange(result);
        Console.WriteLine();
        Console.Write(MarkdownTable.Render(result));
    }
    catch (OperationCanceledException) when (stop.IsCancellationRequested)
    {
        Console.Error.WriteLine("Stopped; nothing written to RESULTS.md.");
        return 130;
    }
    catch (Exception ex)
    {
        // One broken scenario should not throw away the figures of the others.
        Console.Error.WriteLine($"{scenario.Name} failed: {ex}");
        failures.Add($"{scenario.Name}: {ex.GetType().Name}: {ex.Message}");
    }
}

await ResultsFile.AppendAsync(run, chosen.Select(s => s.Name).ToList(), rows, failures);
Console.WriteLine();
Console.WriteLine($"Appended to {ResultsFile.PathInRepo}");
return failures.Count == 0 ? 0 : 1;
