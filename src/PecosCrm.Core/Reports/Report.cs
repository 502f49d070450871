namespace PecosCrm.Core.Reports;

/// <summary>A saved report: its definition and, when scheduled, when it runs next and how its last run went.</summary>
public sealed record Report(
    string Id, ReportDefinition Definition, string CreatedBy, DateTimeOffset CreatedAt, string UpdatedBy, DateTimeOffset UpdatedAt,
    DateTimeOffset? NextRunAt, DateTimeOffset? LastRunAt, string? LastSnapshotId, string? LastError, string ETag);

/// <summary>
/// A run kept as it was: the definition as run and its result. Never changed afterwards, except
/// for <see cref="EmailedAt"/> on a scheduled run once its email has gone.
/// </summary>
public sealed record ReportSnapshot(
    string Id, string ReportId, string ReportName, string Trigger, string RanBy, DateTimeOffset RanAt,
    ReportDefinition Definition, ReportResult Result, DateTimeOffset? EmailedAt = null);

/// <summary>A snapshot as the list shows it: when, by whom, over what range, its row count and total.</summary>
public sealed record ReportSnapshotSummary(
    string Id, string ReportId, string ReportName, string Metric, string Trigger, string RanBy, DateTimeOffset RanAt,
    DateTimeOffset From, DateTimeOffset To, DateTimeOffset? AsOf, int Rows, decimal Total, DateTimeOffset? EmailedAt);

public static class ReportTriggers
{
    public const string Manual = "manual";
    public const string Schedule = "schedule";
}
