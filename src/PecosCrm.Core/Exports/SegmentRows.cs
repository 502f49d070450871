namespace PecosCrm.Core.Exports;

/// <summary>
/// The parts of the segments' table layout that exports read: the definition row in
/// <c>segments</c> (PartitionKey <c>segment</c>, RowKey = segment id, a <c>Name</c>) and the
/// members in <c>segmentmembers</c> (PartitionKey = segment id, RowKey = customer id). Exports read
/// nothing else of a segment, so they depend on no more of its shape than this.
/// </summary>
internal static class SegmentRows
{
    public const string Partition = "segment";
    public const string Name = "Name";
}
