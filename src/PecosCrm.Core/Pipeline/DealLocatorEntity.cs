using Azure;
using Azure.Data.Tables;

namespace PecosCrm.Core.Pipeline;

/// <summary>Which pipeline (so which partition) a deal lives in, found by its id alone.</summary>
internal sealed class DealLocatorEntity : ITableEntity
{
    public string PartitionKey { get; set; } = PipelineKeys.LocatorPartition;
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string PipelineId { get; set; } = "";
}
