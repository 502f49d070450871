namespace PecosCrm.Core.Customers;

/// <summary>A run of the nightly recompute and its progress.</summary>
/// <param name="ShardsTotal">Known once every shard is queued; null before.</param>
public sealed record RecomputeJob(
    string Id,
    string State,
    int? ShardsTotal,
    int ShardsDone,
    long CustomersProcessed,
    long CustomersChanged,
    int Errors,
    string StartedBy,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt);
