using Azure;
using Azure.Data.Tables;

namespace PecosCrm.Core.Analytics;

/// <summary>
/// A row of <c>analyticsstate</c>: a month marked dirty or built, or a customer changed since the
/// customer-features file was built (keys in <see cref="AnalyticsKeys"/>).
/// </summary>
internal sealed class AnalyticsStateEntity : ITableEntity
{
    public const string Customer = AnalyticsKeys.CustomerPartition;

    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public DateTimeOffset At { get; set; }
    public int Orders { get; set; }
}
