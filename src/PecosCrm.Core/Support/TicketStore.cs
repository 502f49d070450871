using System.Globalization;
using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Support;

/// <summary>Where a ticket was listed before a change: its status and assignee.</summary>
internal readonly record struct TicketPlace(TicketStatus Status, string? AssigneeId);

/// <summary>What a list of tickets is filtered by; null fields do not filter. <c>AssigneeId</c> "none" lists unassigned tickets.</summary>
public sealed record TicketFilter(TicketStatus? Status, TicketPriority? Priority, string? AssigneeId, TicketCategory? Category, SlaState? Breach);

/// <summary>
/// The support desk's ticket rows (see <see cref="SupportKeys"/>): the ticket partition, the list
/// rows by status, the month copies and the customers' histories. Only this class writes them, the
/// lists by status and assignee through <see cref="TicketListHeads"/> and the histories through
/// <see cref="CustomerTicketHistory"/>.
/// </summary>
public sealed partial class TicketStore(StorageAccount storage, BlobFiles blobs)
{
    private TableClient Tickets => storage.Table(StorageNames.Tables.Tickets);

    private TableClient List => storage.Table(StorageNames.Tables.TicketList);

    private readonly TicketListHeads.ParsedHeads _parsedHeads = new();

    private TicketListHeads Heads => new(List, _parsedHeads);

    private CustomerTicketHistory History => new(Tickets);

    /// <summary>Takes the next ticket number (an ETag-guarded counter, from 1001).</summary>
    internal Task<long> NextSequenceAsync(CancellationToken cancellationToken) =>
        OptimisticRetry.RunAsync(async _ =>
        {
            var counter = await Tickets.FindAsync<CounterEntity>(SupportKeys.CounterPartition, SupportKeys.CounterRow, cancellationToken);
            if (counter is null)
            {
                await Tickets.AddEntityAsync(new CounterEntity { PartitionKey = SupportKeys.CounterPartition, RowKey = SupportKeys.CounterRow, Value = 1001 }, cancellationToken);
                return 1001L;
            }
            counter.Value++;
            await Tickets.ReplaceIfMatchAsync(counter, cancellationToken);
            return counter.Value;
        }, maxAttempts: 20, cancellationToken: cancellationToken);

    internal async Task<TicketEntity?> FindAsync(string id, CancellationToken cancellationToken) =>
        KeyRules.IsValidKey(id) ? await Tickets.FindAsync<TicketEntity>(id, SupportKeys.Ticket(id), cancellationToken) : null;

    internal async Task<TicketEntity> GetAsync(string id, CancellationToken cancellationToken) =>
        await FindAsync(id, cancellationToken) ?? throw new NotFoundException("Ticket", id);

    /// <summary>The ticket screen: the ticket, its messages, attachments and log in one query of its partition.</summary>
    internal async Task<(TicketEntity Ticket, List<TicketMessageEntity> Messages, List<TicketAttachmentEntity> Attachments, List<TicketLogEntity> Log)> GetDetailAsync(
        string id, CancellationToken cancellationToken)
    {
        if (!KeyRules.IsValidKey(id))
        {
            throw new NotFoundException("Ticket", id);
        }
        TicketEntity? ticket = null;
        var messages = new List<TicketMessageEntity>();
        var attachments = new List<TicketAttachmentEntity>();
        var log = new List<TicketLogEntity>();
        await foreach (var row in Tickets.QueryAsync<TableEntity>(SupportKeys.PartitionFilter(id), cancellationToken: cancellationToken))
        {
            if (row.RowKey.StartsWith(SupportKeys.TicketPrefix, StringComparison.Ordinal))
            {
                ticket = Convert<TicketEntity>(row);
            }
            else if (row.RowKey.StartsWith(SupportKeys.MessagePrefix, StringComparison.Ordinal))
            {
                messages.Add(Convert<TicketMessageEntity>(row));
            }
            else if (row.RowKey.StartsWith(SupportKeys.AttachmentPrefix, StringComparison.Ordinal))
            {
                attachments.Add(Convert<TicketAttachmentEntity>(row));
            }
            else if (row.RowKey.StartsWith(SupportKeys.LogPrefix, StringComparison.Ordinal))
            {
                log.Add(Convert<TicketLogEntity>(row));
            }
        }
        return (ticket ?? throw new NotFoundException("Ticket", id), messages, attachments, log);
    }

    internal async Task<TicketAttachmentEntity?> FindAttachmentAsync(string ticketId, string attachmentId, CancellationToken cancellationToken) =>
        KeyRules.IsValidKey(attachmentId) ? await Tickets.FindAsync<TicketAttachmentEntity>(ticketId, SupportKeys.Attachment(ticketId, attachmentId), cancellationToken) : null;

    /// <summary>Adds a new ticket with its first rows in one transaction, then its copies.</summary>
    internal async Task CreateAsync(TicketEntity ticket, IReadOnlyList<ITableEntity> rows, CancellationToken cancellationToken)
    {
        var actions = new List<TableTransactionAction> { new(TableTransactionActionType.Add, ticket) };
        actions.AddRange(rows.Select(r => new TableTransactionAction(TableTransactionActionType.Add, r)));
        await Tickets.SubmitClaimingAsync(actions, $"Ticket {ticket.TicketId} exists already.", cancellationToken);
        await WriteCopiesAsync(ticket, null, cancellationToken);
    }

    /// <summary>
    /// Replaces the ticket under the ETag it was read with, adding <paramref name="rows"/> in the same
    /// transaction (a lost race is a <see cref="ConcurrencyException"/>); then its list row (moved
    /// when the status changed), its month row and the customer's history.
    /// </summary>
    internal async Task SaveAsync(TicketEntity ticket, TicketPlace before, IReadOnlyList<ITableEntity> rows, CancellationToken cancellationToken)
    {
        var actions = new List<TableTransactionAction> { new(TableTransactionActionType.UpdateReplace, ticket, ticket.ETag) };
        actions.AddRange(rows.Select(r => new TableTransactionAction(TableTransactionActionType.Add, r)));
        Response<IReadOnlyList<Response>> response;
        try
        {
            response = await Tickets.SubmitTransactionAsync(actions, cancellationToken);
        }
        catch (TableTransactionFailedException ex) when (ex.Status is 412 or 409 or 404)
        {
            throw new ConcurrencyException();
        }
        ticket.ETag = response.Value[0].Headers.ETag ?? default;
        await WriteCopiesAsync(ticket, before, cancellationToken);
    }

    /// <summary>
    /// The list rows (moved out of the old status's partition, and out of the old status and assignee
    /// partition with its head), the month row and the customer's history line.
    /// </summary>
    private async Task WriteCopiesAsync(TicketEntity ticket, TicketPlace? before, CancellationToken cancellationToken)
    {
        var listRow = SupportKeys.ListRow(ticket.Sequence, ticket.TicketId);
        var partition = SupportKeys.ListPartition(ticket.StatusValue);
        await List.UpsertEntityAsync(ticket.CopyAs(partition, listRow), TableUpdateMode.Replace, cancellationToken);
        if (before is { } old && old.Status != ticket.StatusValue)
        {
            await List.DeleteEntityAsync(SupportKeys.ListPartition(old.Status), listRow, ETag.All, cancellationToken);
        }
        await Heads.PutAsync(ticket, cancellationToken);
        if (before is { } moved && (moved.Status != ticket.StatusValue || moved.AssigneeId != ticket.AssigneeId))
        {
            await Heads.RemoveAsync(moved.Status, moved.AssigneeId, ticket, cancellationToken);
        }
        await Tickets.UpsertEntityAsync(ticket.CopyAs(SupportKeys.MonthPartition(ticket.CreatedAt), SupportKeys.MonthRow(ticket.TicketId)), TableUpdateMode.Replace, cancellationToken);
        await History.PutAsync(ticket, cancellationToken);
    }

    /// <summary>Rewrites only the list row (the SLA sweep's state changes that touch nothing else).</summary>
    internal Task UpdateListRowAsync(TicketEntity ticket, CancellationToken cancellationToken) =>
        List.UpsertEntityAsync(ticket.CopyAs(SupportKeys.ListPartition(ticket.StatusValue), SupportKeys.ListRow(ticket.Sequence, ticket.TicketId)), TableUpdateMode.Replace, cancellationToken);

    /// <summary>A customer's ticket history, newest first: one point read (the newest <see cref="CustomerTicketHistory.MaxHistory"/>).</summary>
    public Task<IReadOnlyList<CustomerTicket>> HistoryAsync(string customerId, CancellationToken cancellationToken = default) =>
        History.NewestAsync(customerId, cancellationToken);

    /// <summary>One page of a customer's tickets, newest first (see <see cref="CustomerTicketHistory.PageAsync"/>).</summary>
    internal Task<Storage.Page<CustomerTicket>> HistoryPageAsync(string customerId, IReadOnlyList<CustomerTicket> newest, int limit, string? cursor, CancellationToken cancellationToken) =>
        History.PageAsync(customerId, newest, limit, cursor, cancellationToken);

    /// <summary>
    /// One page of the ticket list, newest first. A status and an assignee alone read their own
    /// partition, the first page from its head row; any other filter reads the status's partition (or,
    /// without one, every status, the working queue first) with the rest as property filters.
    /// </summary>
    internal async Task<Storage.Page<TicketEntity>> ListAsync(TicketFilter filter, int limit, string? cursor, CancellationToken cancellationToken)
    {
        if (filter is { Status: { } byStatus, AssigneeId: { } byAssignee, Priority: null, Category: null, Breach: null })
        {
            return await Heads.PageAsync(byStatus, byAssignee == "none" ? null : byAssignee, limit, cursor, cancellationToken);
        }
        var parts = new List<string>
        {
            filter.Status is { } status ? SupportKeys.PartitionFilter(SupportKeys.ListPartition(status)) : SupportKeys.StatusListsFilter,
        };
        if (filter.Priority is { } priority)
        {
            parts.Add(TableClient.CreateQueryFilter($"Priority eq {priority.ToString()}"));
        }
        if (filter.Category is { } category)
        {
            parts.Add(TableClient.CreateQueryFilter($"Category eq {category.ToString()}"));
        }
        if (filter.Breach is { } breach)
        {
            parts.Add(TableClient.CreateQueryFilter($"BreachState eq {breach.ToString()}"));
        }
        if (filter.AssigneeId is { } assignee and not "none")
        {
            parts.Add(TableClient.CreateQueryFilter($"AssigneeId eq {assignee}"));
        }
        var query = string.Join(" and ", parts);
        if (filter.AssigneeId == "none")
        {
            // Table Storage cannot filter on a missing property: unassigned rows are picked from the page read.
            var page = await List.QueryPageAsync<TicketEntity>(query, limit, cursor, cancellationToken);
            return new Storage.Page<TicketEntity>(page.Items.Where(t => t.AssigneeId is null).ToList(), page.NextCursor);
        }
        return await List.QueryPageAsync<TicketEntity>(query, limit, cursor, cancellationToken);
    }

    /// <summary>The list rows of tickets whose clocks may run (open, in progress, pending), page by page, for the SLA sweep.</summary>
    internal async IAsyncEnumerable<IReadOnlyList<TicketEntity>> ActivePagesAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var status in new[] { TicketStatus.Open, TicketStatus.InProgress, TicketStatus.PendingCustomer })
        {
            await foreach (var page in List.QueryAsync<TicketEntity>(SupportKeys.PartitionFilter(SupportKeys.ListPartition(status)), 1000, cancellationToken: cancellationToken).AsPages())
            {
                yield return page.Values;
            }
        }
    }

    /// <summary>The month copies of tickets created from <paramref name="from"/> to <paramref name="to"/>, for the analytics.</summary>
    internal async Task<List<TicketEntity>> CreatedBetweenAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var result = new List<TicketEntity>();
        for (var month = new DateTimeOffset(from.Year, from.Month, 1, 0, 0, 0, TimeSpan.Zero); month < to; month = month.AddMonths(1))
        {
            await foreach (var row in Tickets.QueryAsync<TicketEntity>(SupportKeys.PartitionFilter(SupportKeys.MonthPartition(month)), cancellationToken: cancellationToken))
            {
                if (row.CreatedAt >= from && row.CreatedAt < to)
                {
                    result.Add(row);
                }
            }
        }
        return result;
    }

    internal Task AddRowsAsync(string ticketId, IReadOnlyList<ITableEntity> rows, CancellationToken cancellationToken) =>
        rows.Count == 0 ? Task.CompletedTask : Tickets.SubmitChunkedAsync(rows.Select(r => new TableTransactionAction(TableTransactionActionType.Add, r)), cancellationToken);

    private static T Convert<T>(TableEntity row) where T : class, ITableEntity, new()
    {
        // One query reads rows of four kinds: each is bound to its typed row by the same rules the SDK uses.
        var typed = new T { PartitionKey = row.PartitionKey, RowKey = row.RowKey, Timestamp = row.Timestamp, ETag = row.ETag };
        foreach (var property in typeof(T).GetProperties().Where(p => p.CanWrite && p.Name is not (nameof(ITableEntity.PartitionKey) or nameof(ITableEntity.RowKey) or nameof(ITableEntity.Timestamp) or nameof(ITableEntity.ETag))))
        {
            if (!row.TryGetValue(property.Name, out var value) || value is null)
            {
                continue;
            }
            var target = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            property.SetValue(typed, value switch
            {
                DateTime d when target == typeof(DateTimeOffset) => new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)),
                _ when target.IsInstanceOfType(value) => value,
                _ => System.Convert.ChangeType(value, target, CultureInfo.InvariantCulture),
            });
        }
        return typed;
    }
}
