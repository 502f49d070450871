using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Segments;

/// <summary>
/// Keys of the segment tables. Every RowKey is unique across its table, not only in its partition
/// (Azurite finds a point read by RowKey first, then walks every row sharing it), so each RowKey
/// starts with what its partition is about.
/// <list type="bullet">
/// <item><c>segments</c>: partition <c>segment</c>, RowKey the segment id; partition <c>seeded</c>,
/// RowKey <c>seeded|{id}</c> (pre-built segments seeded once).</item>
/// <item><c>segmentmembers</c>: partition the segment id, RowKey <c>{segmentId}|{customerId}</c>, so
/// members list in customer id order.</item>
/// <item><c>segmenthistory</c>: each change twice, partition <c>s|{segmentId}</c> with RowKey
/// <c>s|{segmentId}|{inverted ticks}|{customerId}</c> and partition <c>c|{customerId}</c> with RowKey
/// <c>c|{customerId}|{inverted ticks}|{segmentId}</c>; both read newest first.</item>
/// <item><c>discountcodes</c>: one partition <c>code</c>, RowKey the code.</item>
/// </list>
/// </summary>
internal static class SegmentKeys
{
    public const string SegmentPartition = "segment";
    public const string SeededPartition = "seeded";

    public static string Seeded(string segmentId) => SeededPartition + "|" + segmentId;

    public static string Member(string segmentId, string customerId) => segmentId + "|" + customerId;

    /// <summary>The customer id a member row's RowKey holds.</summary>
    public static string MemberOf(string segmentId, string rowKey) => rowKey[(segmentId.Length + 1)..];

    public static string HistoryBySegmentPartition(string segmentId) => "s|" + segmentId;

    public static string HistoryByCustomerPartition(string customerId) => "c|" + customerId;

    public static string HistoryBySegment(string segmentId, DateTimeOffset at, string customerId) =>
        HistoryBySegmentPartition(segmentId) + "|" + KeyRules.InvertedTicks(at) + "|" + customerId;

    public static string HistoryByCustomer(string customerId, DateTimeOffset at, string segmentId) =>
        HistoryByCustomerPartition(customerId) + "|" + KeyRules.InvertedTicks(at) + "|" + segmentId;
}
