using System.Globalization;

namespace PecosCrm.Core.Storage;

/// <summary>
/// Keys of the shared <c>jobs</c> table. Each kind of job lists in a partition of its own
/// (<c>export</c>, <c>segment-action</c>, <c>recompute</c>; RowKey the job id, which starts with
/// inverted ticks and is unique across kinds), the demo seed leaves one <c>demo</c> marker, and a
/// job's done-markers live in a partition per job whose RowKeys start with that partition, so no two
/// rows of the table share a RowKey (Azurite finds a point read by RowKey first, then walks every
/// row sharing it).
/// </summary>
public static class JobKeys
{
    /// <summary>The partition of one job's markers (shards done, segments refreshed).</summary>
    public static string MarkerPartition(string kind, string jobId) => kind + "-" + jobId;

    public static string ShardMarker(string kind, string jobId, int shard) =>
        MarkerPartition(kind, jobId) + "|shard|" + shard.ToString("D6", CultureInfo.InvariantCulture);

    public static string SegmentMarker(string kind, string jobId, string segmentId) => MarkerPartition(kind, jobId) + "|segment|" + segmentId;
}
