using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Support;

/// <summary>
/// A customer's ticket history in the <c>tickets</c> table (see <see cref="SupportKeys"/>): a history
/// row holding the newest <see cref="MaxHistory"/> lines for the customer screen, and a line row per
/// ticket in the same partition to page past them. Only <see cref="TicketStore"/> calls this class.
/// </summary>
internal sealed class CustomerTicketHistory(TableClient tickets)
{
    /// <summary>The history row keeps at most this many tickets (the newest); a table property holds 32K characters.</summary>
    public const int MaxHistory = 150;

    /// <summary>
    /// The customer's history row (the newest <see cref="MaxHistory"/> tickets) and the ticket's own
    /// line row in the same partition, in one transaction under the history row's ETag; the line rows
    /// page the history past the newest.
    /// </summary>
    public Task PutAsync(TicketEntity ticket, CancellationToken cancellationToken) =>
        OptimisticRetry.RunAsync(async _ =>
        {
            var partition = SupportKeys.CustomerPartition(ticket.CustomerId);
            var row = await tickets.FindAsync<CustomerTicketsEntity>(partition, SupportKeys.CustomerRow(ticket.CustomerId), cancellationToken);
            var list = row?.TicketList() ?? [];
            var line = Line(ticket);
            var at = list.FindIndex(t => t.Id == ticket.TicketId);
            if (at >= 0 && list[at] == line)
            {
                return;
            }
            if (at >= 0)
            {
                list[at] = line;
            }
            else
            {
                list.Insert(0, line);
            }
            var json = TicketEntity.Write(list.OrderByDescending(t => t.CreatedAt).Take(MaxHistory).ToList());
            TableTransactionAction history = row is null
                ? new(TableTransactionActionType.Add, new CustomerTicketsEntity { PartitionKey = partition, RowKey = SupportKeys.CustomerRow(ticket.CustomerId), Tickets = json })
                : new(TableTransactionActionType.UpdateReplace, new CustomerTicketsEntity { PartitionKey = partition, RowKey = row.RowKey, Tickets = json }, row.ETag);
            await tickets.SubmitTransactionAsync([history, new TableTransactionAction(TableTransactionActionType.UpsertReplace, LineRow(ticket))], cancellationToken);
        }, cancellationToken: cancellationToken);

    /// <summary>A customer's ticket history, newest first: one point read (the newest <see cref="MaxHistory"/>).</summary>
    public async Task<IReadOnlyList<CustomerTicket>> NewestAsync(string customerId, CancellationToken cancellationToken)
    {
        if (!KeyRules.IsValidKey(customerId))
        {
            return [];
        }
        var row = await tickets.FindAsync<CustomerTicketsEntity>(SupportKeys.CustomerPartition(customerId), SupportKeys.CustomerRow(customerId), cancellationToken);
        return row?.TicketList() ?? [];
    }

    /// <summary>
    /// One page of a customer's tickets, newest first: the first from the history row (one point read),
    /// later ones, and anything past the newest <see cref="MaxHistory"/>, from the line rows after the cursor's.
    /// </summary>
    public async Task<Storage.Page<CustomerTicket>> PageAsync(string customerId, IReadOnlyList<CustomerTicket> newest, int limit, string? cursor, CancellationToken cancellationToken)
    {
        var partition = SupportKeys.CustomerPartition(customerId);
        var after = Cursor.Decode(cursor);
        if (after is null)
        {
            if (limit <= newest.Count || newest.Count < MaxHistory)
            {
                var items = newest.Take(limit).ToList();
                var more = newest.Count > limit || newest.Count == MaxHistory;
                return new Storage.Page<CustomerTicket>(items, more && items.Count > 0 ? Next(items[^1]) : null);
            }
            after = SupportKeys.CustomerTicketRow(newest[^1].CreatedAt, newest[^1].Id);
            var rest = await RangeAsync(partition, after, limit - newest.Count, cancellationToken);
            return new Storage.Page<CustomerTicket>(newest.Concat(rest.Items).ToList(), rest.NextCursor);
        }
        if (!after.StartsWith(SupportKeys.CustomerTicketPrefix, StringComparison.Ordinal) || !KeyRules.IsValidKey(after))
        {
            throw new ValidationFailedException("cursor", "is not a cursor this API handed out.");
        }
        return await RangeAsync(partition, after, limit, cancellationToken);
    }

    private async Task<Storage.Page<CustomerTicket>> RangeAsync(string partition, string afterRow, int limit, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {partition} and RowKey gt {afterRow} and RowKey lt {KeyRules.PrefixEnd(SupportKeys.CustomerTicketPrefix)}");
        // One row more than the page tells whether another page follows.
        await foreach (var page in tickets.QueryAsync<CustomerTicketLineEntity>(filter, limit + 1, cancellationToken: cancellationToken).AsPages(null, limit + 1))
        {
            var items = page.Values.Take(limit).Select(l => l.Line()).ToList();
            var more = page.ContinuationToken is not null || page.Values.Count > limit;
            return new Storage.Page<CustomerTicket>(items, more && items.Count > 0 ? Next(items[^1]) : null);
        }
        return new Storage.Page<CustomerTicket>([], null);
    }

    private static string Next(CustomerTicket last) => Cursor.Encode(SupportKeys.CustomerTicketRow(last.CreatedAt, last.Id))!;

    /// <summary>Adds the ticket's line row when it is missing (the backfill of tickets written before line rows existed).</summary>
    public async Task EnsureLineAsync(TicketEntity ticket, CancellationToken cancellationToken)
    {
        try
        {
            await tickets.AddEntityAsync(LineRow(ticket), cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Written by the ticket's own change; that one is as new or newer.
        }
    }

    public Task DeleteLineAsync(TicketEntity ticket, CancellationToken cancellationToken) =>
        tickets.DeleteEntityAsync(SupportKeys.CustomerPartition(ticket.CustomerId), SupportKeys.CustomerTicketRow(ticket.CreatedAt, ticket.TicketId), ETag.All, cancellationToken);

    private static CustomerTicket Line(TicketEntity ticket) =>
        new(ticket.TicketId, ticket.Subject, ticket.CategoryValue, ticket.PriorityValue, ticket.StatusValue, ticket.CreatedAt, ticket.ResolvedAt, ticket.CsatRating);

    private static CustomerTicketLineEntity LineRow(TicketEntity ticket) => new()
    {
        PartitionKey = SupportKeys.CustomerPartition(ticket.CustomerId),
        RowKey = SupportKeys.CustomerTicketRow(ticket.CreatedAt, ticket.TicketId),
        Ticket = TicketEntity.Write(Line(ticket)),
    };
}
