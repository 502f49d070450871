namespace PecosCrm.Core.Pipeline;

/// <summary>What happened with a lead or a deal. Stage changes are recorded by the pipeline itself.</summary>
public enum ActivityType
{
    Call,
    Email,
    Meeting,
    Note,
    StageChange,
}

/// <summary>One entry of a lead's or deal's timeline: what, when, and who.</summary>
public sealed record PipelineActivity(
    string Id,
    string SubjectId,
    ActivityType Type,
    string? Subject,
    string? Body,
    DateTimeOffset OccurredAt,
    string ActorId,
    string ActorName,
    string? FromStage,
    string? ToStage);

/// <summary>An activity as logged by staff.</summary>
public sealed record NewActivity(ActivityType? Type, string? Subject, string? Body, DateTimeOffset? OccurredAt);
