using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Loyalty;

/// <summary>
/// A customer's loyalty points: a <c>loyalty</c> row with the balance and one <c>pts|{key}</c> row
/// per change, written together in the customer's partition. The key makes a change idempotent:
/// awarding with a key already used changes nothing, so a retried automation step never awards twice.
/// </summary>
public sealed class PointsLedger(StorageAccount storage, TimeProvider time)
{
    private const string BalanceRow = "loyalty";
    private const string EntryPrefix = "pts|";

    private readonly CustomerPartition _partition = new(storage);

    private TableClient Customers => storage.Table(StorageNames.Tables.Customers);

    public async Task<long> BalanceAsync(string customerId, CancellationToken cancellationToken = default) =>
        (await Customers.FindAsync<TableEntity>(customerId, BalanceRow, cancellationToken))?.GetInt64("Points") ?? 0;

    /// <summary>Adds (or with a negative amount deducts, never below zero) points; returns the balance before and after.</summary>
    public async Task<(long Before, long After)> ChangeAsync(string customerId, long points, string key, string reason, string actor, CancellationToken cancellationToken = default)
    {
        // The balance may move, or this key be applied, meanwhile: then everything is read again.
        return await OptimisticRetry.RunAsync(async _ =>
        {
            var row = await Customers.FindAsync<TableEntity>(customerId, BalanceRow, cancellationToken);
            var before = row?.GetInt64("Points") ?? 0;
            if (await Customers.FindAsync<TableEntity>(customerId, EntryPrefix + key, cancellationToken) is not null)
            {
                return (before, before);
            }
            var after = Math.Max(0, before + points);
            var now = time.GetUtcNow();
            var balance = new TableEntity(customerId, BalanceRow) { ["Points"] = after, ["UpdatedAt"] = now };
            var entry = new TableEntity(customerId, EntryPrefix + key) { ["Points"] = after - before, ["Reason"] = reason, ["Actor"] = actor, ["At"] = now };
            var timeline = new TimelineEntry("pts-" + key, customerId, TimelineType.Loyalty,
                after >= before ? $"Earned {after - before} points: {reason}" : $"Spent {before - after} points: {reason}", now, actor, null, null);
            List<TableTransactionAction> actions =
            [
                row is null ? new(TableTransactionActionType.Add, balance) : new(TableTransactionActionType.UpdateReplace, balance, row.ETag),
                new(TableTransactionActionType.Add, entry),
                .. TimelineEntity.RowsFor(timeline).Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r)),
            ];
            await _partition.SubmitAsync(actions, cancellationToken);
            return (before, after);
        }, 8, cancellationToken);
    }
}
