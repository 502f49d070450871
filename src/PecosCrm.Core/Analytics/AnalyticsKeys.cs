namespace PecosCrm.Core.Analytics;

/// <summary>
/// Keys of the analytics tables. Every RowKey carries what its partition is about, so no two rows of
/// a table share one (Azurite finds a point read by RowKey first, then walks every row sharing it).
/// <list type="bullet">
/// <item><c>analyticsstate</c>: partition <c>dirty</c>, RowKey <c>dirty|{yyyy-MM}</c> (a month whose
/// orders changed since its Parquet file was built); partition <c>built</c>, RowKey
/// <c>built|{yyyy-MM}</c> (when the month was built, and its order count); partition
/// <c>customer</c>, RowKey the customer id (changed since the customer-features file was built).</item>
/// <item><c>rfmmaps</c>: one partition <c>version</c>: the versions (six digits) and <c>current</c>.</item>
/// <item><c>npsresponses</c>: partition <c>yyyy-MM</c>, RowKey the event id (unique already).</item>
/// <item><c>marketingspend</c>: partition <c>yyyy-MM</c>, RowKey <c>{yyyy-MM}|{channel}</c>.</item>
/// </list>
/// </summary>
internal static class AnalyticsKeys
{
    public const string DirtyPartition = "dirty";
    public const string BuiltPartition = "built";
    public const string CustomerPartition = "customer";

    public static string Dirty(string month) => DirtyPartition + "|" + month;

    public static string Built(string month) => BuiltPartition + "|" + month;

    /// <summary>The month a <c>dirty</c> or <c>built</c> row is about.</summary>
    public static string MonthOf(AnalyticsStateEntity row) => row.RowKey[(row.PartitionKey.Length + 1)..];

    public static string Spend(string month, string channel) => month + "|" + channel;

    /// <summary>The channel of a <c>marketingspend</c> row.</summary>
    public static string ChannelOf(SpendEntity row) => row.RowKey[(row.PartitionKey.Length + 1)..];
}
