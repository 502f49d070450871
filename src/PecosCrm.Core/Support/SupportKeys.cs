using System.Globalization;
using Azure.Data.Tables;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Support;

/// <summary>
/// The support desk's rows. Every RowKey carries the ticket, customer, rule or article id, so it is
/// unique across its table.
/// <list type="bullet">
/// <item><c>tickets</c>, one partition per ticket (PartitionKey = ticket id, e.g. <c>PRT-1045</c>):
/// <c>ticket|{id}</c> the ticket; <c>msg|{id}|{ticks}|{messageId}</c> its conversation in order;
/// <c>att|{id}|{attachmentId}</c> its attachments; <c>log|{id}|{ticks}|{entryId}</c> its log
/// (status changes, escalations, ratings). The ticket screen is one query of the partition.</item>
/// <item><c>tickets</c>, partition <c>cust|{customerId}</c>: <c>cust|{customerId}</c>, one row with
/// the customer's newest 150 tickets (the history screen is one point read), and
/// <c>ct|{inverted creation ticks}|{ticketId}</c>, one line per ticket, newest first, written in the same
/// transaction, from which the history pages past the newest.</item>
/// <item><c>tickets</c>, partition <c>month|{yyyy-MM}</c>: <c>mon|{id}</c>, a copy of each ticket
/// created that month, rewritten with it, which the service analytics read by month.</item>
/// <item><c>tickets</c>, partition <c>conv|{conversationId}</c>: <c>conv|{conversationId}</c>, the ticket
/// an inbox conversation was turned into (a second conversion is refused).</item>
/// <item><c>tickets</c>, partition <c>counter</c>: <c>counter|ticket</c>, the last ticket number.</item>
/// <item><c>tickets</c>, partition <c>backfill</c>: <c>backfill|lists</c>, how far the backfill of the
/// status and assignee lists and the customer line rows has gone (<see cref="TicketStore.BackfillAsync"/>).</item>
/// <item><c>ticketlist</c>, one partition per status (<c>1-open</c> … <c>5-closed</c>, so that a list
/// of every status reads the working queue first): <c>tl|{inverted number}|{id}</c>, a copy of the
/// ticket, newest first. The lists and the SLA sweep read it; a status change moves the row.</item>
/// <item><c>ticketlist</c>, one partition per status and assignee (<c>sa|{status partition}|{assigneeId or none}</c>):
/// <c>sa|{inverted number}|{id}</c>, a copy of the ticket, newest first, and <c>head|{status partition}|{assigneeId or none}</c>,
/// the newest <see cref="TicketListHeads.Size"/> of those copies in one row, written in the same transaction as
/// every row of the partition, so the first page of a status and assignee list is one point read.</item>
/// <item><c>supportsettings</c>: <c>settings|policies</c> and <c>settings|escalations</c> (partition
/// <c>settings</c>, each the whole ordered list); <c>canned|{id}</c> (partition <c>canned</c>);
/// <c>seed|canned</c> (partition <c>seed</c>) once the default canned responses are in.</item>
/// <item><c>kbarticles</c>: <c>article|{id}</c> (partition <c>article</c>) and <c>kbmeta|version</c>
/// (partition <c>kbmeta</c>), which tells every instance to rebuild its search index.</item>
/// </list>
/// </summary>
public static class SupportKeys
{
    public const string TicketPrefix = "ticket|";
    public const string MessagePrefix = "msg|";
    public const string AttachmentPrefix = "att|";
    public const string LogPrefix = "log|";
    public const string CounterPartition = "counter";
    public const string CounterRow = "counter|ticket";
    public const string BackfillPartition = "backfill";
    public const string BackfillRow = "backfill|lists";
    public const string SettingsPartition = "settings";
    public const string PoliciesRow = "settings|policies";
    public const string EscalationsRow = "settings|escalations";
    public const string CannedPartition = "canned";
    public const string CannedPrefix = "canned|";
    public const string SeedPartition = "seed";
    public const string CannedSeedRow = "seed|canned";
    public const string ArticlePartition = "article";
    public const string ArticlePrefix = "article|";
    public const string KbMetaPartition = "kbmeta";
    public const string KbVersionRow = "kbmeta|version";
    public const string ListRowPrefix = "tl|";
    public const string AssigneeListRowPrefix = "sa|";

    public static string Ticket(string id) => TicketPrefix + id;

    public static string Message(string ticketId, DateTimeOffset at, string messageId) =>
        MessagePrefix + ticketId + "|" + at.UtcTicks.ToString("D19", CultureInfo.InvariantCulture) + "|" + messageId;

    public static string Attachment(string ticketId, string attachmentId) => AttachmentPrefix + ticketId + "|" + attachmentId;

    public static string Log(string ticketId, DateTimeOffset at, string entryId) =>
        LogPrefix + ticketId + "|" + at.UtcTicks.ToString("D19", CultureInfo.InvariantCulture) + "|" + entryId;

    public static string CustomerPartition(string customerId) => "cust|" + customerId;

    public static string CustomerRow(string customerId) => "cust|" + customerId;

    public const string CustomerTicketPrefix = "ct|";

    /// <summary>A customer's ticket line, newest first (inverted creation ticks).</summary>
    public static string CustomerTicketRow(DateTimeOffset createdAt, string ticketId) =>
        CustomerTicketPrefix + (DateTimeOffset.MaxValue.UtcTicks - createdAt.UtcTicks).ToString("D19", CultureInfo.InvariantCulture) + "|" + ticketId;

    public static string MonthPartition(DateTimeOffset createdAt) => "month|" + createdAt.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    public static string MonthRow(string ticketId) => "mon|" + ticketId;

    /// <summary>The list partition of a status: numbered so that the working queue sorts first.</summary>
    public static string ListPartition(TicketStatus status) => status switch
    {
        TicketStatus.Open => "1-open",
        TicketStatus.InProgress => "2-in_progress",
        TicketStatus.PendingCustomer => "3-pending_customer",
        TicketStatus.Resolved => "4-resolved",
        TicketStatus.Closed => "5-closed",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    /// <summary>Newest first: ticket numbers count up, so the RowKey counts down.</summary>
    public static string ListRow(long sequence, string ticketId) =>
        ListRowPrefix + (9_999_999_999L - sequence).ToString("D10", CultureInfo.InvariantCulture) + "|" + ticketId;

    /// <summary>Every status partition of <c>ticketlist</c>, and none of the status and assignee ones (their copies would list each ticket twice).</summary>
    public static string StatusListsFilter { get; } =
        TableClient.CreateQueryFilter($"PartitionKey ge {ListPartition(TicketStatus.Open)} and PartitionKey le {ListPartition(TicketStatus.Closed)}");

    /// <summary>The list partition of a status and an assignee (<c>none</c> for unassigned tickets).</summary>
    public static string AssigneeListPartition(TicketStatus status, string? assigneeId) => "sa|" + ListPartition(status) + "|" + (assigneeId ?? "none");

    /// <summary>The head row of a status and assignee partition: its newest copies in one row.</summary>
    public static string HeadRow(TicketStatus status, string? assigneeId) => "head|" + ListPartition(status) + "|" + (assigneeId ?? "none");

    /// <summary>Newest first in the status and assignee partition, as <see cref="ListRow"/>.</summary>
    public static string AssigneeListRow(long sequence, string ticketId) =>
        AssigneeListRowPrefix + (9_999_999_999L - sequence).ToString("D10", CultureInfo.InvariantCulture) + "|" + ticketId;

    /// <summary>Which ticket an inbox conversation became (<c>conv|{conversationId}</c> in partition <c>conv|{conversationId}</c>).</summary>
    public static string ConversationPartition(string conversationId) => "conv|" + conversationId;

    public static string ConversationRow(string conversationId) => "conv|" + conversationId;

    public static string Canned(string id) => CannedPrefix + id;

    public static string Article(string id) => ArticlePrefix + id;

    public static string PartitionFilter(string partition) => TableClient.CreateQueryFilter($"PartitionKey eq {partition}");

    public static string PrefixFilter(string partition, string prefix) =>
        TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {prefix} and RowKey lt {KeyRules.PrefixEnd(prefix)}");
}
