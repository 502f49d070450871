using System.Threading.Channels;
using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;

namespace PecosCrm.Bench.Scenarios.Analytics;

/// <summary>
/// Submits transactions (each within one partition, at most 100 entities) from a bounded queue with
/// several writers, so several partitions are in flight while the producer goes on generating, and
/// the producer waits when Azurite falls behind instead of piling rows up in memory. A single
/// action is sent as a plain insert. An insert the SDK retried after a timeout may find its rows
/// already written by the first attempt: it is then sent again as a replace of the same rows.
/// </summary>
internal sealed class TableBatchWriter
{
    private readonly Channel<(TableClient Table, IReadOnlyList<TableTransactionAction> Actions)> _queue;
    private readonly Task[] _writers;
    private long _entities;
    private long _requests;

    public TableBatchWriter(int writers, CancellationToken cancellationToken)
    {
        _queue = Channel.CreateBounded<(TableClient, IReadOnlyList<TableTransactionAction>)>(new BoundedChannelOptions(writers * 4)
        {
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _writers = Enumerable.Range(0, writers).Select(_ => Task.Run(() => WriteAsync(cancellationToken), cancellationToken)).ToArray();
    }

    public long Entities => Interlocked.Read(ref _entities);

    public long Requests => Interlocked.Read(ref _requests);

    public ValueTask AddAsync(TableClient table, IReadOnlyList<TableTransactionAction> actions, CancellationToken cancellationToken) =>
        _queue.Writer.WriteAsync((table, actions), cancellationToken);

    /// <summary>Waits until everything added has been written; throws the first write failure.</summary>
    public async Task CompleteAsync()
    {
        _queue.Writer.TryComplete();
        await Task.WhenAll(_writers);
    }

    private static async Task SubmitAsync(TableClient table, IReadOnlyList<TableTransactionAction> actions, CancellationToken cancellationToken)
    {
        if (actions.Count > 1)
        {
            await table.SubmitTransactionAsync(actions, cancellationToken);
        }
        else if (actions[0].ActionType == TableTransactionActionType.Add)
        {
            await table.AddEntityAsync(actions[0].Entity, cancellationToken);
        }
        else
        {
            await table.UpsertEntityAsync(actions[0].Entity, TableUpdateMode.Replace, cancellationToken);
        }
    }

    private async Task WriteAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var (table, actions) in _queue.Reader.ReadAllAsync(cancellationToken))
            {
                try
                {
                    await SubmitAsync(table, actions, cancellationToken);
                }
                catch (RequestFailedException ex) when (ex.Status == 409 && ex.ErrorCode == TableErrorCode.EntityAlreadyExists)
                {
                    await SubmitAsync(table, actions.Select(a => new TableTransactionAction(TableTransactionActionType.UpsertReplace, a.Entity)).ToList(), cancellationToken);
                }
                Interlocked.Add(ref _entities, actions.Count);
                Interlocked.Increment(ref _requests);
            }
        }
        catch (Exception ex)
        {
            // Closing the queue with the failure makes the producer's next AddAsync throw it,
            // instead of waiting forever for room that no writer will make.
            _queue.Writer.TryComplete(ex);
            throw;
        }
    }
}
