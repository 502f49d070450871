namespace PecosCrm.Bench;

/// <summary>One named benchmark. Register new ones in <see cref="ScenarioRegistry.All"/>.</summary>
public interface IScenario
{
    /// <summary>The name typed on the command line: lower case, no spaces.</summary>
    string Name { get; }

    string Description { get; }

    /// <summary>Measures and returns one row per figure; progress lines go to <paramref name="progress"/>.</summary>
    Task<IReadOnlyList<ResultRow>> RunAsync(TextWriter progress, CancellationToken cancellationToken);
}
