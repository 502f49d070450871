using Azure;
using Azure.Data.Tables;

namespace PecosCrm.Core.Exports;

/// <summary>
/// An export job in the <c>jobs</c> table, partition <c>export</c>. Job ids start with inverted
/// ticks, so the partition lists newest first and the id alone finds the row.
/// </summary>
internal sealed class ExportEntity : ITableEntity
{
    public const string Partition = ExportKeys.JobPartition;

    public string PartitionKey { get; set; } = Partition;
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Kind { get; set; } = "";
    public string Format { get; set; } = "";
    public string Fields { get; set; } = "";
    public DateTimeOffset? From { get; set; }
    public DateTimeOffset? To { get; set; }
    public string State { get; set; } = "";
    public long Rows { get; set; }
    public string CreatedBy { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public string? Error { get; set; }
    public string? BlobName { get; set; }
    public string? SegmentId { get; set; }

    /// <summary>The segment's name when the export was started; it names the file.</summary>
    public string? SegmentName { get; set; }

    public string? ScheduleId { get; set; }

    public ExportJob ToRecord() => new(
        RowKey, Enum.Parse<ExportKind>(Kind), Enum.Parse<ExportFormat>(Format), Fields.Split(','), From, To,
        Enum.Parse<JobState>(State), Rows, CreatedBy, CreatedAt, StartedAt, EndedAt, Error, BlobName, SegmentId, SegmentName, ScheduleId);
}
