using System.Text.Json.Serialization;

namespace PecosCrm.Core.Pipeline;

/// <summary>Whether a stage is still being worked, or closes the deal won or lost.</summary>
public enum StageOutcome
{
    Open,
    Won,
    Lost,
}

/// <summary>A column of the board, with the probability a deal in it is given unless it has its own.</summary>
public sealed record Stage(string Id, string Name, int Probability, StageOutcome Outcome);

/// <summary>A sales pipeline (retail B2B, wholesale, ...) and its stages in board order.</summary>
public sealed record SalesPipeline(string Id, string Name, IReadOnlyList<Stage> Stages, string ETag)
{
    public const string Wholesale = "wholesale";
    public const string RetailB2B = "retail-b2b";

    /// <summary>The roadmap's stages, each with its default probability.</summary>
    public static IReadOnlyList<Stage> DefaultStages { get; } =
    [
        new("prospect", "Prospect", 10, StageOutcome.Open),
        new("qualified", "Qualified", 25, StageOutcome.Open),
        new("proposal", "Proposal", 50, StageOutcome.Open),
        new("negotiation", "Negotiation", 75, StageOutcome.Open),
        new("closed_won", "Closed Won", 100, StageOutcome.Won),
        new("closed_lost", "Closed Lost", 0, StageOutcome.Lost),
    ];

    /// <summary>The two pipelines every store starts with; both can be changed like any other.</summary>
    public static IReadOnlyList<SalesPipeline> Defaults { get; } =
    [
        new(Wholesale, "Wholesale", DefaultStages, ""),
        new(RetailB2B, "Retail B2B", DefaultStages, ""),
    ];

    public Stage? FindStage(string? id) => Stages.FirstOrDefault(s => s.Id == id);

    public Stage GetStage(string id, string field = "stage") =>
        FindStage(id) ?? throw new ValidationFailedException(field, $"'{id}' is not a stage of pipeline '{Id}': {string.Join(", ", Stages.Select(s => s.Id))}.");

    public int IndexOf(string stageId) => Stages.ToList().FindIndex(s => s.Id == stageId);

    [JsonIgnore]
    public IEnumerable<Stage> OpenStages => Stages.Where(s => s.Outcome == StageOutcome.Open);

    [JsonIgnore]
    public Stage FirstOpen => OpenStages.First();
}

/// <summary>A pipeline as sent to be created or replaced.</summary>
public sealed record PipelineFields(string? Name, IReadOnlyList<StageFields>? Stages);

public sealed record StageFields(string? Id, string? Name, int? Probability, StageOutcome? Outcome);
