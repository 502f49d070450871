using System.Globalization;

namespace PecosCrm.Core.Customers;

/// <summary>
/// The recompute's rows in the <c>jobs</c> table. Every RowKey carries the job id, so it is unique
/// across the table (Azurite finds a row by its RowKey first):
/// <list type="bullet">
/// <item>partition <c>recompute</c>, RowKey <c>{jobId}</c>: the job and its progress (the id starts
/// with inverted ticks, so jobs list newest first);</item>
/// <item>partition <c>recompute-{jobId}</c>, RowKey <c>{jobId}|shard|{n:D6}</c>: a shard that is done;</item>
/// <item>partition <c>recompute-{jobId}</c>, RowKey <c>{jobId}|segment|{segmentId}</c>: a dynamic
/// segment whose refresh has been counted.</item>
/// </list>
/// </summary>
internal static class RecomputeKeys
{
    public const string JobPartition = "recompute";

    public static string MarkerPartition(string jobId) => JobPartition + "-" + jobId;

    public static string ShardDone(string jobId, int shard) => jobId + "|shard|" + shard.ToString("D6", CultureInfo.InvariantCulture);

    public static string SegmentRefreshed(string jobId, string segmentId) => jobId + "|segment|" + segmentId;
}
