namespace PecosCrm.Bench;

/// <summary>A scenario that takes <c>--name=value</c> options from the command line, such as the size of its data.</summary>
public interface IConfigurableScenario : IScenario
{
    /// <summary>The options it understands, each with what it means and its default, for <c>--list</c>.</summary>
    IReadOnlyList<ScenarioOption> Options { get; }

    /// <summary>The scenario with these options applied (only its own are passed); throws <see cref="ArgumentException"/> on a bad value.</summary>
    IScenario Configure(IReadOnlyDictionary<string, string> options);
}

public sealed record ScenarioOption(string Name, string Description);
