using Azure.Data.Tables;

namespace PecosCrm.Bench.Scenarios;

/// <summary>
/// Azurite's insert operations for <see cref="Load.LoadRunner"/>, shared by the scenarios that
/// report them so that "single insert" and "100-entity batch insert" mean the same thing
/// everywhere. Keys come from counters, so they never collide, however many workers call.
/// </summary>
public sealed class TableInserter(TableClient table)
{
    public const int BatchSize = 100;

    private long _rows;
    private long _batches;

    public async Task<int> InsertOneAsync(CancellationToken cancellationToken)
    {
        await table.AddEntityAsync(BenchEntity.Make("p", Interlocked.Increment(ref _rows)), cancellationToken);
        return 1;
    }

    public async Task<int> InsertBatchAsync(CancellationToken cancellationToken)
    {
        // A partition per batch: a transaction must stay in one partition, and keys never collide.
        var partition = "b" + Interlocked.Increment(ref _batches);
        await table.SubmitTransactionAsync(
            Enumerable.Range(0, BatchSize).Select(i => new TableTransactionAction(TableTransactionActionType.Add, BenchEntity.Make(partition, i))), cancellationToken);
        return BatchSize;
    }
}
