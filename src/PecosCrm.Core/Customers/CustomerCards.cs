using Azure.Data.Tables;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Customers;

/// <summary>
/// Reads and changes customer cards. Every change other than applying store events (which
/// <see cref="CustomerEventWriter"/> folds in batches) goes through <c>ChangeAsync</c>: read
/// the card, let the caller decide, and commit the card with the caller's rows and timeline entries
/// in one transaction guarded by the card's ETag, again from a fresh read when someone else got there first.
/// </summary>
public sealed class CustomerCards(StorageAccount storage, TimeProvider time)
{
    private readonly CustomerPartition _partition = new(storage);

    private TableClient Customers => storage.Table(StorageNames.Tables.Customers);

    internal async Task<CardEntity?> FindAsync(string customerId, CancellationToken cancellationToken) =>
        KeyRules.IsValidKey(customerId) ? await Customers.FindAsync<CardEntity>(customerId, CustomerKeys.Card(customerId), cancellationToken) : null;

    /// <summary>The card of a customer with a profile; otherwise the customer is not found.</summary>
    internal async Task<CardEntity> GetAsync(string customerId, CancellationToken cancellationToken) =>
        (await FindAsync(customerId, cancellationToken) ?? CardEntity.New(customerId)).RequireProfile();

    /// <summary>
    /// Reads the card (a new, empty one when there is none), asks <paramref name="decide"/> what to
    /// change (null: nothing; it may be called again after a lost race, always with a fresh card, so
    /// it must only change the card it is given), and commits. Returns the card as written, or as
    /// read when nothing changed.
    /// </summary>
    internal Task<CardEntity> ChangeAsync(string customerId, Func<CardEntity, CardChange?> decide, CancellationToken cancellationToken) =>
        ChangeAsync(customerId, card => Task.FromResult(decide(card)), cancellationToken);

    /// <summary>As above, for a decision that reads rows of its own (read again on every attempt, so their ETags are fresh).</summary>
    internal Task<CardEntity> ChangeAsync(string customerId, Func<CardEntity, Task<CardChange?>> decide, CancellationToken cancellationToken) =>
        OptimisticRetry.RunAsync(async _ =>
        {
            var card = await FindAsync(customerId, cancellationToken);
            var isNew = card is null;
            card ??= CardEntity.New(customerId);
            var change = await decide(card);
            if (change is null)
            {
                return card;
            }
            CustomerCard.AddActivity(card, change.Entries);
            card.UpdatedAt = time.GetUtcNow();
            var actions = new List<TableTransactionAction>(change.Rows);
            actions.AddRange(change.Entries.SelectMany(TimelineEntity.RowsFor).Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r)));
            var cardAt = actions.Count;
            actions.Add(isNew ? new(TableTransactionActionType.Add, card) : new(TableTransactionActionType.UpdateReplace, card, card.ETag));
            var written = await _partition.SubmitAsync(actions, cardAt, change.FeaturesChanged, cancellationToken);
            card.ETag = written.CardETag;
            return card;
        }, cancellationToken: cancellationToken);

    /// <summary>Every card with a profile (a nightly job's pass over all customers; it scans the table once).</summary>
    internal async IAsyncEnumerable<CardEntity> AllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"RowKey ge {CustomerKeys.CardPrefix} and RowKey lt {KeyRules.PrefixEnd(CustomerKeys.CardPrefix)} and HasProfile eq true");
        await foreach (var card in Customers.QueryAsync<CardEntity>(filter, cancellationToken: cancellationToken))
        {
            yield return card;
        }
    }

    /// <summary>Shows where an automation instance of the customer stands on the card (a finished one leaves it); no write when the card shows it already.</summary>
    internal Task SetAutomationAsync(string customerId, CustomerAutomation automation, bool finished, CancellationToken cancellationToken) =>
        ChangeAsync(customerId, card =>
        {
            var shown = card.AutomationList().Find(a => a.InstanceId == automation.InstanceId);
            if (finished ? shown is null : shown == automation)
            {
                return null;
            }
            CustomerCard.PutAutomation(card, automation, finished);
            return CardChange.Card(featuresChanged: false);
        }, cancellationToken);

    /// <summary>Adds timeline entries (and rows of the caller's own, such as a message) to a customer's partition and card.</summary>
    internal Task AppendAsync(string customerId, IReadOnlyList<TimelineEntry> entries, IReadOnlyList<TableTransactionAction> rows, CancellationToken cancellationToken) =>
        ChangeAsync(customerId, _ => new CardChange(rows, entries), cancellationToken);
}

/// <summary>What a change writes with the card: rows of the customer's partition, timeline entries, and whether the customer-features file must learn of it.</summary>
internal sealed record CardChange(IReadOnlyList<TableTransactionAction> Rows, IReadOnlyList<TimelineEntry> Entries, bool FeaturesChanged = false)
{
    public static CardChange Card(bool featuresChanged = true, params TimelineEntry[] entries) => new([], entries, featuresChanged);
}
