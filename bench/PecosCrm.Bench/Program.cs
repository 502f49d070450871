using PecosCrm.Bench;
using PecosCrm.Bench.Reporting;

if (args.Length == 0 || args.Any(a => a is "--list" or "-l" or "--help" or "-h"))
{
    Console.WriteLine("Usage: dotnet run -c Release --project bench/PecosCrm.Bench -- <scenario...> | all | --list  [--name=value...] [--no-record]");
    Console.WriteLine();
    foreach (var s in ScenarioRegistry.All)
    {
        Console.WriteLine($"  {s.Name,-14} {s.Description}");
        foreach (var option in (s as IConfigurableScenario)?.Options ?? [])
        {
            Console.WriteLine($"  {"",-14}   --{option.Name}=N: {option.Description}");
        }
    }
    Console.WriteLine();
    Console.WriteLine("  --no-record    print the figures but do not append them to RESULTS.md (trial runs at a small size)");
    return args.Length == 0 ? 2 : 0;
}

// "--name=value" options go to the chosen scenarios that declare them; anything else names a scenario.
var record = !args.Contains("--no-record");
var options = args.Where(a => a.StartsWith("--", StringComparison.Ordinal) && a != "--no-record")
    .Select(a => a[2..].Split('=', 2))
    .ToDictionary(p => p[0], p => p.Length == 2 ? p[1] : throw new ArgumentException($"Option '--{p[0]}' needs a value: --{p[0]}=..."), StringComparer.OrdinalIgnoreCase);
var names = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
var chosen = names.Any(a => a.Equals("all", StringComparison.OrdinalIgnoreCase))
    ? ScenarioRegistry.All.ToList()
    : names.Select(a => ScenarioRegistry.Find(a) ?? throw new ArgumentException($"Unknown scenario '{a}'; --list shows them.")).Distinct().ToList();
var claimed = chosen.OfType<IConfigurableScenario>().SelectMany(s => s.Options).Select(o => o.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
if (options.Keys.FirstOrDefault(k => !claimed.Contains(k)) is { } unknown)
{
    throw new ArgumentException($"No chosen scenario takes '--{unknown}'; --list shows the options.");
}
chosen = chosen.Select(s => s is IConfigurableScenario c
        ? c.Configure(options.Where(o => c.Options.Any(d => d.Name.Equals(o.Key, StringComparison.OrdinalIgnoreCase))).ToDictionary(StringComparer.OrdinalIgnoreCase))
        : s)
    .ToList();

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

if (record)
{
    await ResultsFile.AppendAsync(run, chosen.Select(s => s.Name).ToList(), rows, failures);
    Console.WriteLine();
    Console.WriteLine($"Appended to {ResultsFile.PathInRepo}");
}
return failures.Count == 0 ? 0 : 1;
