using PecosCrm.Core.Audit;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Orders;
using PecosCrm.Core.Segments;

namespace PecosCrm.Core.Integrations.Connectors;

/// <summary>The stores a sync reads and writes through.</summary>
public sealed record ConnectorData(CustomerStore Customers, OrderStore Orders, SegmentStore Segments, AuditLog Audit);

/// <summary>
/// One sync of one connector: its configuration, its calls, what changed since its cursor, the
/// stores it reads, and the counts it reports. Customers are read 16 at a time.
/// </summary>
public sealed class ConnectorRun(ConnectorConfig config, ConnectorHttp http, ChangeSet changes, ConnectorData data, DateTimeOffset startedAt)
{
    private const int ReadsAtOnce = 16;
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);

    public ConnectorConfig Config { get; } = config;

    public ConnectorHttp Http { get; } = http;

    public ChangeSet Changes { get; } = changes;

    public ConnectorData Data { get; } = data;

    public DateTimeOffset StartedAt { get; } = startedAt;

    /// <summary>Where a two-way sync's pull reached (the outside system's modification time); saved when the run succeeds.</summary>
    public DateTimeOffset? PullCursor { get; set; } = config.State.PullCursor;

    public IReadOnlyDictionary<string, int> Counts => _counts;

    public void Count(string what, int n = 1) => _counts[what] = _counts.GetValueOrDefault(what) + n;

    /// <summary>The customers that changed since the cursor, as they are now (erased ones left out).</summary>
    public Task<IReadOnlyList<Customer>> ChangedCustomersAsync(CancellationToken cancellationToken) => ReadCustomersAsync(Changes.CustomerIds, cancellationToken);

    /// <summary>The orders that changed since the cursor, as they are now.</summary>
    public async Task<IReadOnlyList<Order>> ChangedOrdersAsync(CancellationToken cancellationToken)
    {
        var read = new Order?[Changes.OrderIds.Count];
        await System.Threading.Tasks.Parallel.ForEachAsync(Enumerable.Range(0, read.Length), Reads(cancellationToken), async (i, ct) => read[i] = await Data.Orders.FindAsync(Changes.OrderIds[i], ct));
        return read.OfType<Order>().ToList();
    }

    /// <summary>When each segment was last synced; saved when the run succeeds.</summary>
    public Dictionary<string, DateTimeOffset> SegmentsSyncedAt { get; } = new(config.State.SegmentsSyncedAt, StringComparer.Ordinal);

    /// <summary>
    /// The segment's changes since it was last synced, a page at a time: every member the first time
    /// (all joins), then the joins and leaves of its membership history (newest first, read back to
    /// the last sync). The segment counts as synced at the run's start once the run succeeds.
    /// </summary>
    public async IAsyncEnumerable<(IReadOnlyList<Customer> Joined, IReadOnlyList<Customer> Left)> SegmentChangesAsync(
        string segmentId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!Config.State.SegmentsSyncedAt.TryGetValue(segmentId, out var since))
        {
            await foreach (var ids in Data.Segments.MemberIdPagesAsync(segmentId, 500, cancellationToken))
            {
                yield return (await ReadCustomersAsync(ids, cancellationToken), []);
            }
        }
        else
        {
            var latest = new Dictionary<string, string>(StringComparer.Ordinal);
            string? cursor = null;
            do
            {
                var page = await Data.Segments.HistoryAsync(segmentId, 500, cursor, cancellationToken);
                var newer = page.Items.TakeWhile(c => c.At > since).ToList();
                foreach (var change in newer)
                {
                    latest.TryAdd(change.CustomerId, change.Change);
                }
                cursor = newer.Count == page.Items.Count ? page.NextCursor : null;
            }
            while (cursor is not null);
            foreach (var chunk in latest.Chunk(500))
            {
                var joined = chunk.Where(c => c.Value != "left").Select(c => c.Key).ToList();
                var left = chunk.Where(c => c.Value == "left").Select(c => c.Key).ToList();
                yield return (await ReadCustomersAsync(joined, cancellationToken), await ReadCustomersAsync(left, cancellationToken));
            }
        }
        SegmentsSyncedAt[segmentId] = StartedAt;
    }

    public async Task<IReadOnlyList<Customer>> ReadCustomersAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var read = new Customer?[ids.Count];
        await System.Threading.Tasks.Parallel.ForEachAsync(Enumerable.Range(0, ids.Count), Reads(cancellationToken), async (i, ct) => read[i] = await Data.Customers.FindAsync(ids[i], ct));
        return read.OfType<Customer>().ToList();
    }

    private static ParallelOptions Reads(CancellationToken cancellationToken) => new() { MaxDegreeOfParallelism = ReadsAtOnce, CancellationToken = cancellationToken };
}
