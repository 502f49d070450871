using Azure.Data.Tables;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Privacy;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Customers;

/// <summary>
/// What the customers feature holds about a customer: the card (profile, metrics, tags, related
/// contacts), the timeline, notes and applied-event markers in their partition, their lookup rows,
/// their tag memberships and the links to them on related customers' cards. The erasure deletes the
/// customer's whole partition last, so rows another feature left behind go with it.
/// </summary>
internal sealed class CustomerPersonalData(
    StorageAccount storage, CustomerCards cards, TagStore tags, RelatedContactStore related, AuditLog audit, TimeProvider time) : IPersonalData
{
    private readonly CustomerIndex index = new(storage);

    private TableClient Customers => storage.Table(StorageNames.Tables.Customers);

    public ErasureStage Stage => ErasureStage.Customer;

    public async Task ExportAsync(string customerId, PersonalDataArchive archive, CancellationToken cancellationToken)
    {
        var card = await cards.FindAsync(customerId, cancellationToken);
        archive.Add("profile.json", card is { HasProfile: true } ? card.ToCustomer() : null);
        archive.Add("metrics.json", card is null ? null : new { metrics = card.ToMetrics(), engagement = card.ToEngagement(), card.HealthScore, card.ChurnRisk, card.RfmCode, card.CartOpen, card.CartValueCents });
        archive.Add("tags.json", card?.TagList() ?? []);
        archive.Add("related-contacts.json", card?.RelatedList() ?? []);
        archive.AddRows("timeline.json", await RowsAsync(customerId, CustomerKeys.TimelinePrefix, cancellationToken));
        archive.AddRows("notes.json", await RowsAsync(customerId, CustomerKeys.NotePrefix, cancellationToken));
        archive.AddRows("events-applied.json", await RowsAsync(customerId, CustomerKeys.EventPrefix, cancellationToken));
        archive.AddRows("lookup-index.json", card is { HasProfile: true } ? await index.RowsOfAsync(card.ToCustomer(), cancellationToken) : []);
    }

    public async Task<int> EraseAsync(ErasureContext context, CancellationToken cancellationToken)
    {
        var customerId = context.CustomerId;
        var card = await cards.FindAsync(customerId, cancellationToken);
        var indexRows = context.Profile is null ? 0 : await index.EraseAsync(context.Profile, cancellationToken);
        context.Tally.IndexRows += indexRows;
        var tagIds = card?.TagList().Select(t => t.TagId).ToHashSet(StringComparer.Ordinal) ?? [];
        await tags.SyncMembersAsync(customerId, tagIds, new HashSet<string>(), time.GetUtcNow(), cancellationToken);
        foreach (var link in card?.RelatedList() ?? [])
        {
            await related.ForgetAsync(link.CustomerId, customerId, cancellationToken);
        }
        // Audit entries about the customer's notes carry the note text.
        foreach (var note in await RowsAsync(customerId, CustomerKeys.NotePrefix, cancellationToken))
        {
            var noteId = note.RowKey[CustomerKeys.NotePrefix.Length..];
            context.Tally.AuditEntries += await audit.ScrubEntityAsync("note", noteId, noteId, cancellationToken);
        }
        return indexRows + await PersonalRows.DeleteWhereAsync(Customers, TableClient.CreateQueryFilter($"PartitionKey eq {customerId}"), cancellationToken);
    }

    private Task<List<TableEntity>> RowsAsync(string customerId, string prefix, CancellationToken cancellationToken) =>
        PersonalRows.ReadAsync(Customers, CustomerKeys.PrefixFilter(customerId, prefix), cancellationToken);
}
