namespace PecosCrm.Core.Customers;

/// <summary>A run of the nightly recompute and its progress.</summary>
/// <param name="ShardsTotal">Known once every shard is queued; null before.</param>
/// <param name="SegmentsTotal">Dynamic segments to refresh, known once every shard is done; null before.</param>
public sealed record RecomputeJob(
    string Id,
    string State,
    int? ShardsTotal,
    int ShardsDone,
    long CustomersProcessed,
    long CustomersChanged,
    int? SegmentsTotal,
    int SegmentsRefreshed,
    int Errors,
    string StartedBy,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt);
