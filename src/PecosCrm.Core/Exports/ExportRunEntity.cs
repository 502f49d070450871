using Azure;
using Azure.Data.Tables;

namespace PecosCrm.Core.Exports;

/// <summary>
/// A schedule's run in the <c>exportschedules</c> table: PartitionKey <c>runs|{scheduleId}</c>, RowKey the
/// export job id (inverted ticks first), so a schedule's runs list newest first from one partition
/// and each is then read from the export history by its id.
/// </summary>
internal sealed class ExportRunEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public DateTimeOffset Occurrence { get; set; }
}
