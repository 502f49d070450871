namespace PecosCrm.Core.Exports;

public enum ExportFrequency
{
    Daily,
    Weekly,
}

/// <summary>
/// A schedule as <c>POST</c> and <c>PATCH /api/exports/schedules</c> take it. On a patch, what is
/// left out (null) stays as it was.
/// </summary>
public sealed record ExportScheduleRequest(
    string? Name,
    ExportKind? Kind,
    string? SegmentId,
    ExportFormat? Format,
    IReadOnlyList<string>? Fields,
    ExportFrequency? Frequency,
    DayOfWeek? DayOfWeek,
    string? TimeOfDay,
    string? TimeZone,
    int? OrdersLookbackDays,
    bool? Active);

/// <summary>
/// An export that runs daily or weekly at a time of day in a time zone. <see cref="NextRunAt"/> is
/// the next occurrence in UTC (null while inactive); <see cref="OrdersLookbackDays"/> is the
/// period an orders export covers, ending at the run time (null for other kinds).
/// </summary>
public sealed record ExportSchedule(
    string Id,
    string Name,
    ExportKind Kind,
    string? SegmentId,
    ExportFormat Format,
    IReadOnlyList<string> Fields,
    ExportFrequency Frequency,
    DayOfWeek? DayOfWeek,
    string TimeOfDay,
    string TimeZone,
    int? OrdersLookbackDays,
    bool Active,
    DateTimeOffset? NextRunAt,
    DateTimeOffset? LastRunAt,
    string? LastExportId,
    string? LastError,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string ETag);
