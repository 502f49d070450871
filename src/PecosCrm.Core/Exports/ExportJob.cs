namespace PecosCrm.Core.Exports;

public enum ExportKind
{
    Customers,
    Orders,

    /// <summary>The members of one segment, with the fields of a customer export.</summary>
    Segment,
}

public enum ExportFormat
{
    Csv,
    Xlsx,
    Json,
}

/// <summary>
/// What to export: which records, which fields, in which format, for orders which period, and for
/// a segment export which segment.
/// </summary>
public sealed record ExportRequest(
    ExportKind? Kind, ExportFormat? Format, IReadOnlyList<string>? Fields, DateTimeOffset? From, DateTimeOffset? To, string? SegmentId = null);

/// <summary>
/// The schedule a run belongs to and the occurrence it runs for. A run's job id is made from both,
/// so starting the same occurrence twice finds the job already started instead of starting another.
/// </summary>
public sealed record ExportOrigin(string ScheduleId, DateTimeOffset Occurrence);

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
    string? BlobName,
    string? SegmentId,
    string? SegmentName,
    string? ScheduleId);
