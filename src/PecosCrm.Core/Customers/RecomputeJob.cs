namespace PecosCrm.Core.Customers;

/// <summary>A run of the nightly recompute and its progress.</summary>
/// <param name="ShardsTotal">Known once every shard is queued; null before.</param>
/// <param name="CustomersProcessed">Customers scanned in the customer-features file (every customer known to it), known once every shard is queued.</param>
/// <param name="CustomersQueued">Customers whose health, churn risk, auto-tags or RFM code the scan found to need a refresh: only these are read and written.</param>
/// <param name="CustomersChanged">Customers whose card the refresh changed.</param>
/// <param name="SegmentsTotal">Dynamic segments to refresh, known once every shard is done; null before.</param>
public sealed record RecomputeJob(
    string Id,
    string State,
    int? ShardsTotal,
    int ShardsDone,
    long CustomersProcessed,
    long CustomersQueued,
    long CustomersChanged,
    int? SegmentsTotal,
    int SegmentsRefreshed,
    int Errors,
    string StartedBy,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt);
