using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Privacy;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Loyalty;

/// <summary>
/// A customer's loyalty points: a <c>loyalty|{customerId}</c> row with the balance and one
/// <c>pts|{key}|{customerId}</c> row per change, written together in the customer's partition with
/// the timeline entry (and so the customer's card). The key makes a change idempotent:
/// awarding with a key already used changes nothing, so a retried automation step never awards twice.
/// </summary>
public sealed class PointsLedger(StorageAccount storage, CustomerCards cards, TimeProvider time) : IPersonalData
{
    public const string BalancePrefix = "loyalty|";
    public const string EntryPrefix = "pts|";

    private static string BalanceRow(string customerId) => BalancePrefix + customerId;

    private static string EntryRow(string customerId, string key) => EntryPrefix + key + "|" + customerId;

    private TableClient Customers => storage.Table(StorageNames.Tables.Customers);

    public async Task<long> BalanceAsync(string customerId, CancellationToken cancellationToken = default) =>
        (await Customers.FindAsync<TableEntity>(customerId, BalanceRow(customerId), cancellationToken))?.GetInt64("Points") ?? 0;

    /// <summary>The customer's point changes and balance, as stored (GDPR export).</summary>
    public async Task ExportAsync(string customerId, PersonalDataArchive archive, CancellationToken cancellationToken) =>
        archive.AddRows("loyalty-points.json", [
            .. await PersonalRows.ReadAsync(Customers, CustomerKeys.PrefixFilter(customerId, EntryPrefix), cancellationToken),
            .. await PersonalRows.ReadAsync(Customers, CustomerKeys.PrefixFilter(customerId, BalancePrefix), cancellationToken)]);

    /// <summary>Deletes the customer's point changes and balance (GDPR erasure).</summary>
    public async Task<int> EraseAsync(ErasureContext context, CancellationToken cancellationToken) =>
        await PersonalRows.DeleteWhereAsync(Customers, CustomerKeys.PrefixFilter(context.CustomerId, EntryPrefix), cancellationToken)
        + await PersonalRows.DeleteWhereAsync(Customers, CustomerKeys.PrefixFilter(context.CustomerId, BalancePrefix), cancellationToken);

    /// <summary>Adds (or with a negative amount deducts, never below zero) points; returns the balance before and after.</summary>
    public async Task<(long Before, long After)> ChangeAsync(string customerId, long points, string key, string reason, string actor, CancellationToken cancellationToken = default)
    {
        (long Before, long After) result = default;
        await cards.ChangeAsync(customerId, async card =>
        {
            var row = await Customers.FindAsync<TableEntity>(customerId, BalanceRow(customerId), cancellationToken);
            var before = row?.GetInt64("Points") ?? 0;
            result = (before, before);
            if (await Customers.FindAsync<TableEntity>(customerId, EntryRow(customerId, key), cancellationToken) is not null)
            {
                return null;
            }
            var after = Math.Max(0, before + points);
            result = (before, after);
            var now = time.GetUtcNow();
            var balance = new TableEntity(customerId, BalanceRow(customerId)) { ["Points"] = after, ["UpdatedAt"] = now };
            var entry = new TableEntity(customerId, EntryRow(customerId, key)) { ["Points"] = after - before, ["Reason"] = reason, ["Actor"] = actor, ["At"] = now };
            var timeline = new TimelineEntry("pts-" + key, customerId, TimelineType.Loyalty,
                after >= before ? $"Earned {after - before} points: {reason}" : $"Spent {before - after} points: {reason}", now, actor, null, null);
            return new CardChange(
            [
                row is null ? new(TableTransactionActionType.Add, balance) : new(TableTransactionActionType.UpdateReplace, balance, row.ETag),
                new(TableTransactionActionType.Add, entry),
            ], [timeline]);
        }, cancellationToken);
        return result;
    }
}
