using Azure;
using Azure.Data.Tables;

namespace PecosCrm.Core.Pipeline;

/// <summary>A pipeline's stages, or the lead-source list, as JSON on one settings row.</summary>
internal sealed class PipelineSettingsEntity : ITableEntity
{
    public string PartitionKey { get; set; } = PipelineKeys.SettingsPartition;
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string? Name { get; set; }
    public string Json { get; set; } = "[]";
}
