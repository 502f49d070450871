using Azure.Data.Tables;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Integrations.Webhooks;

/// <summary>
/// Every published event, by hour of publication and in sequence: written 100 to a transaction
/// as a batch is published, read back by range when the batch is delivered, by sequence for a
/// retry or a redelivery, and from a cursor onwards for a replay.
/// </summary>
public sealed class WebhookEventLog(StorageAccount storage)
{
    private TableClient Table => storage.Table(StorageNames.Tables.WebhookEvents);

    /// <summary>Writes the events (all of one hour's partition, as one publication makes them).</summary>
    internal Task AppendAsync(IReadOnlyList<WebhookEventEntity> events, CancellationToken cancellationToken) =>
        Table.SubmitChunkedAsync(events.Select(e => new TableTransactionAction(TableTransactionActionType.Add, e)), cancellationToken);

    /// <summary>The events of one partition from <paramref name="from"/> to <paramref name="to"/>, both included, in order.</summary>
    public async Task<IReadOnlyList<LoggedEvent>> ReadRangeAsync(string partition, string from, string to, CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {WebhookKeys.Event(from)} and RowKey le {WebhookKeys.Event(to)}");
        return await QueryAsync(filter, int.MaxValue, cancellationToken);
    }

    public async Task<LoggedEvent?> FindAsync(string sequence, CancellationToken cancellationToken = default) =>
        WebhookSequence.IsValid(sequence)
            ? (await Table.FindAsync<WebhookEventEntity>(WebhookKeys.EventPartition(sequence), WebhookKeys.Event(sequence), cancellationToken))?.ToRecord()
            : null;

    /// <summary>
    /// Up to <paramref name="limit"/> events published after <paramref name="since"/>, in order, walking the hour partitions
    /// from the cursor's hour to <paramref name="until"/>.
    /// </summary>
    public async Task<IReadOnlyList<LoggedEvent>> ReadAfterAsync(string since, DateTimeOffset until, int limit, CancellationToken cancellationToken = default)
    {
        var found = new List<LoggedEvent>();
        var hour = Hour(WebhookSequence.TimeOf(since));
        while (hour <= until && found.Count < limit)
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {WebhookKeys.EventPartition(hour)} and RowKey gt {WebhookKeys.Event(since)}");
            found.AddRange(await QueryAsync(filter, limit - found.Count, cancellationToken));
            hour = hour.AddHours(1);
        }
        return found;
    }

    private async Task<List<LoggedEvent>> QueryAsync(string filter, int limit, CancellationToken cancellationToken)
    {
        var found = new List<LoggedEvent>();
        await foreach (var entity in Table.QueryAsync<WebhookEventEntity>(filter, maxPerPage: Math.Min(1000, limit), cancellationToken: cancellationToken))
        {
            found.Add(entity.ToRecord());
            if (found.Count >= limit)
            {
                break;
            }
        }
        return found;
    }

    private static DateTimeOffset Hour(DateTimeOffset at) => new(at.Year, at.Month, at.Day, at.Hour, 0, 0, TimeSpan.Zero);
}
