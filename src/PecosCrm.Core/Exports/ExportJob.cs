namespace PecosCrm.Core.Exports;

public enum ExportKind
{
    Customers,
    Orders,
}

public enum ExportFormat
{
    Csv,
    Xlsx,
    Json,
}

public enum JobState
{
    Queued,
    Running,
    Succeeded,
    Failed,
}

/// <summary>What to export: which records, which fields, in which format, and for orders which period.</summary>
public sealed record ExportRequest(ExportKind? Kind, ExportFormat? Format, IReadOnlyList<string>? Fields, DateTimeOffset? From, DateTimeOffset? To);

/// <summary>One export run and its progress.</summary>
public sealed record ExportJob(
    string Id,
    ExportKind Kind,
    ExportFormat Format,
    IReadOnlyList<string> Fields,
    DateTimeOffset? From,
    DateTimeOffset? To,
    JobState State,
    long Rows,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    string? Error,
    string? BlobName);
