using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Integrations.Webhooks;

/// <summary>One customer's events held for one subscription behind a failed delivery.</summary>
public sealed record HeldEvents(string SubscriptionId, string OrderingKey, IReadOnlyList<string> Sequences, int Attempts, DateTimeOffset NextAttemptAt, DateTimeOffset FirstFailedAt);

/// <summary>
/// The held rows: while a customer's delivery to a subscription is failing, that customer's later
/// events queue up behind it here instead of being sent, so a receiver sees one customer's events
/// in the order they happened. Appends (the dispatcher) and removals (the retry sweep) race, so
/// each is a read and an ETag-guarded write through <see cref="OptimisticRetry"/>.
/// </summary>
public sealed class WebhookHolds(StorageAccount storage)
{
    private TableClient Table => storage.Table(StorageNames.Tables.Webhooks);

    /// <summary>The ordering keys held for a subscription (one query, usually empty).</summary>
    public async Task<IReadOnlySet<string>> HeldKeysAsync(string subscriptionId, CancellationToken cancellationToken = default)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {WebhookKeys.HeldPartition(subscriptionId)}");
        await foreach (var row in Table.QueryAsync<WebhookHeldEntity>(filter, select: ["OrderingKey"], cancellationToken: cancellationToken))
        {
            keys.Add(row.OrderingKey);
        }
        return keys;
    }

    /// <summary>Holds <paramref name="sequences"/> behind whatever is held already, or starts a hold due at <paramref name="nextAttemptAt"/>.</summary>
    public Task HoldAsync(string subscriptionId, string orderingKey, IReadOnlyList<string> sequences, int attempts, DateTimeOffset nextAttemptAt, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        OptimisticRetry.RunAsync(async _ =>
        {
            var row = await Table.FindAsync<WebhookHeldEntity>(WebhookKeys.HeldPartition(subscriptionId), WebhookKeys.Held(subscriptionId, orderingKey), cancellationToken);
            if (row is null)
            {
                row = new WebhookHeldEntity
                {
                    PartitionKey = WebhookKeys.HeldPartition(subscriptionId), RowKey = WebhookKeys.Held(subscriptionId, orderingKey), SubscriptionId = subscriptionId,
                    OrderingKey = orderingKey, SequenceList = [.. sequences], Attempts = attempts, NextAttemptAt = nextAttemptAt, FirstFailedAt = now,
                };
                await Table.AddEntityAsync(row, cancellationToken);
                return;
            }
            var list = row.SequenceList;
            list.AddRange(sequences.Where(s => !list.Contains(s)));
            row.SequenceList = list;
            await Table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken);
        }, cancellationToken: cancellationToken);

    /// <summary>The holds whose next attempt has come, of every subscription.</summary>
    public async Task<IReadOnlyList<HeldEvents>> DueAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var due = new List<HeldEvents>();
        await foreach (var row in Table.QueryAsync<WebhookHeldEntity>(WebhookKeys.AllHeldFilter(now), cancellationToken: cancellationToken))
        {
            due.Add(ToRecord(row));
        }
        return due;
    }

    /// <summary>
    /// After an attempt: drops the <paramref name="done"/> sequences from the front; the hold ends
    /// when nothing is left, else waits for <paramref name="nextAttemptAt"/> with <paramref name="attempts"/> made.
    /// </summary>
    public Task SettleAsync(string subscriptionId, string orderingKey, IReadOnlyCollection<string> done, int attempts, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken = default) =>
        OptimisticRetry.RunAsync(async _ =>
        {
            var row = await Table.FindAsync<WebhookHeldEntity>(WebhookKeys.HeldPartition(subscriptionId), WebhookKeys.Held(subscriptionId, orderingKey), cancellationToken);
            if (row is null)
            {
                return;
            }
            var left = row.SequenceList.Where(s => !done.Contains(s)).ToList();
            if (left.Count == 0)
            {
                await Table.DeleteEntityAsync(row.PartitionKey, row.RowKey, row.ETag, cancellationToken);
                return;
            }
            row.SequenceList = left;
            row.Attempts = attempts;
            row.NextAttemptAt = nextAttemptAt;
            await Table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken);
        }, cancellationToken: cancellationToken);

    private static HeldEvents ToRecord(WebhookHeldEntity row) =>
        new(row.SubscriptionId, row.OrderingKey, row.SequenceList, row.Attempts, row.NextAttemptAt, row.FirstFailedAt);
}
