using Azure;
using Azure.Data.Tables;

namespace PecosCrm.Core.Analytics;

/// <summary>
/// <c>analyticsstate</c>: PartitionKey <c>dirty</c> holds a row per month whose orders changed since
/// its Parquet file was built (RowKey = <c>yyyy-MM</c>); <c>built</c> a row per month with when it
/// was built and how many orders it holds; <c>customer</c> a row per customer changed since the
/// customer-features file was built (RowKey = customer id).
/// </summary>
internal sealed class AnalyticsStateEntity : ITableEntity
{
    public const string Dirty = "dirty";
    public const string Built = "built";
    public const string Customer = "customer";

    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public DateTimeOffset At { get; set; }
    public int Orders { get; set; }
}
