using Azure;
using Azure.Data.Tables;

namespace PecosCrm.Core.Reports;

/// <summary>
/// A report definition (<see cref="ReportKeys"/>): the definition as JSON, and the schedule's
/// state: the next run (UTC; null without an active schedule), and the occurrence claimed by a
/// sweep until its email is sent (<see cref="PendingOccurrence"/>, <see cref="ClaimedAt"/>).
/// </summary>
internal sealed class ReportEntity : ITableEntity
{
    public string PartitionKey { get; set; } = ReportKeys.Partition;
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Name { get; set; } = "";
    public string Definition { get; set; } = "";
    public string CreatedBy { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public string UpdatedBy { get; set; } = "";
    public DateTimeOffset UpdatedAt { get; set; }

    public bool Scheduled { get; set; }
    public DateTimeOffset? NextRunAt { get; set; }
    public DateTimeOffset? PendingOccurrence { get; set; }
    public DateTimeOffset? ClaimedAt { get; set; }
    public DateTimeOffset? LastRunAt { get; set; }
    public string? LastSnapshotId { get; set; }
    public string? LastError { get; set; }
}

/// <summary>One run of a report: what the snapshot list shows; the full result is the blob <see cref="ReportKeys.Blob"/>.</summary>
internal sealed class ReportSnapshotEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string ReportId { get; set; } = "";
    public string ReportName { get; set; } = "";
    public string Metric { get; set; } = "";
    public string Trigger { get; set; } = "";
    public string RanBy { get; set; } = "";
    public DateTimeOffset RanAt { get; set; }
    public DateTimeOffset From { get; set; }
    public DateTimeOffset To { get; set; }
    public DateTimeOffset? AsOf { get; set; }
    public int Rows { get; set; }
    public string Total { get; set; } = "";
    public DateTimeOffset? EmailedAt { get; set; }
}
