using Azure.Data.Tables;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Support;

/// <summary>
/// The backfill of rows added after tickets were first written: each ticket's copy in the list of its
/// status and assignee (with its place in the head) and its line row in the customer's history. It
/// walks the status lists, which every ticket has had from the start, a page at a time, and keeps
/// how far it got in one row, so it resumes where a stop left it and costs one point read per
/// instance once it is done.
/// </summary>
public sealed partial class TicketStore
{
    private const string BackfillStatus = "Status";
    private const string BackfillCursor = "Cursor";
    private const string BackfillDone = "Done";

    private volatile bool _backfilled;

    /// <summary>Tickets read per step; the progress row is written after each.</summary>
    private const int BackfillPage = 100;

    /// <summary>
    /// Backfills pages of tickets until every ticket has been done or <paramref name="budget"/> has
    /// passed; true once every ticket has been (then each call is free).
    /// </summary>
    public async Task<bool> BackfillAsync(TimeSpan budget, CancellationToken cancellationToken = default)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (!_backfilled && started.Elapsed < budget)
        {
            await BackfillStepAsync(BackfillPage, cancellationToken);
        }
        return _backfilled;
    }

    /// <summary>Backfills up to <paramref name="limit"/> tickets from where the last step stopped.</summary>
    internal async Task BackfillStepAsync(int limit, CancellationToken cancellationToken)
    {
        var marker = await Tickets.FindAsync<TableEntity>(SupportKeys.BackfillPartition, SupportKeys.BackfillRow, cancellationToken)
            ?? new TableEntity(SupportKeys.BackfillPartition, SupportKeys.BackfillRow);
        var status = marker.GetInt32(BackfillStatus) ?? (int)TicketStatus.Open;
        if (marker.GetBoolean(BackfillDone) == true || !Enum.IsDefined((TicketStatus)status))
        {
            _backfilled = true;
            return;
        }
        var page = await List.QueryPageAsync<TicketEntity>(
            SupportKeys.PrefixFilter(SupportKeys.ListPartition((TicketStatus)status), SupportKeys.ListRowPrefix), limit, marker.GetString(BackfillCursor), cancellationToken);
        foreach (var row in page.Items)
        {
            // The ticket's own row, not the list copy: the copy may be a change behind.
            if (await FindAsync(row.TicketId, cancellationToken) is not { } ticket)
            {
                continue;
            }
            await Heads.EnsureAsync(ticket, cancellationToken);
            await History.EnsureLineAsync(ticket, cancellationToken);
            if (await FindAsync(row.TicketId, cancellationToken) is null)
            {
                // Erased meanwhile: what was just added must not outlive it.
                await Heads.RemoveAsync(ticket.StatusValue, ticket.AssigneeId, ticket, cancellationToken);
                await History.DeleteLineAsync(ticket, cancellationToken);
            }
        }
        var next = page.NextCursor is null ? status + 1 : status;
        marker[BackfillStatus] = next;
        marker[BackfillCursor] = page.NextCursor;
        marker[BackfillDone] = !Enum.IsDefined((TicketStatus)next);
        await Tickets.UpsertEntityAsync(marker, TableUpdateMode.Replace, cancellationToken);
    }
}
