using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Privacy;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Support;

/// <summary>
/// The support desk's answer for a customer: every ticket of theirs with its conversation (internal
/// notes included: they are about the customer), attachments, log and satisfaction rating. Erasure
/// deletes each ticket's partition and attachment files, its list rows (and their place in the list
/// heads), its month copy and conversion marker, then the customer's history rows.
/// </summary>
public sealed partial class TicketStore : IPersonalData
{
    async Task IPersonalData.ExportAsync(string customerId, PersonalDataArchive archive, CancellationToken cancellationToken)
    {
        var rows = new List<TableEntity>();
        foreach (var id in await CustomerTicketIdsAsync(customerId, cancellationToken))
        {
            rows.AddRange(await Privacy.PersonalRows.ReadAsync(Tickets, SupportKeys.PartitionFilter(id), cancellationToken));
        }
        archive.AddRows("tickets.json", rows);
    }

    async Task<int> IPersonalData.EraseAsync(ErasureContext context, CancellationToken cancellationToken)
    {
        var deleted = 0;
        foreach (var id in await CustomerTicketIdsAsync(context.CustomerId, cancellationToken))
        {
            if (await FindAsync(id, cancellationToken) is { } ticket && ticket.CustomerId == context.CustomerId)
            {
                await List.DeleteEntityAsync(SupportKeys.ListPartition(ticket.StatusValue), SupportKeys.ListRow(ticket.Sequence, ticket.TicketId), ETag.All, cancellationToken);
                await Heads.RemoveAsync(ticket.StatusValue, ticket.AssigneeId, ticket, cancellationToken);
                await Tickets.DeleteEntityAsync(SupportKeys.MonthPartition(ticket.CreatedAt), SupportKeys.MonthRow(ticket.TicketId), ETag.All, cancellationToken);
                if (ticket.ConversationId is { } conversation)
                {
                    await Tickets.DeleteEntityAsync(SupportKeys.ConversationPartition(conversation), SupportKeys.ConversationRow(conversation), ETag.All, cancellationToken);
                }
                deleted += 2;
            }
            await blobs.DeleteOlderThanAsync(StorageNames.Containers.TicketAttachments, id + "/", DateTimeOffset.MaxValue, cancellationToken);
            deleted += await Privacy.PersonalRows.DeleteWhereAsync(Tickets, SupportKeys.PartitionFilter(id), cancellationToken);
        }
        deleted += await Privacy.PersonalRows.DeleteWhereAsync(Tickets, SupportKeys.PartitionFilter(SupportKeys.CustomerPartition(context.CustomerId)), cancellationToken);
        return deleted;
    }

    /// <summary>The customer's tickets: their line rows, and the history row for tickets written before line rows existed.</summary>
    private async Task<List<string>> CustomerTicketIdsAsync(string customerId, CancellationToken cancellationToken)
    {
        if (!KeyRules.IsValidKey(customerId))
        {
            return [];
        }
        var ids = (await HistoryAsync(customerId, cancellationToken)).Select(t => t.Id).ToList();
        await foreach (var line in Tickets.QueryAsync<CustomerTicketLineEntity>(
            SupportKeys.PrefixFilter(SupportKeys.CustomerPartition(customerId), SupportKeys.CustomerTicketPrefix), cancellationToken: cancellationToken))
        {
            ids.Add(line.Line().Id);
        }
        return ids.Distinct(StringComparer.Ordinal).ToList();
    }
}
