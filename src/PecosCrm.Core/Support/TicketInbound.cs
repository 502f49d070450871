using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Messaging;
using PecosCrm.Core.Storage;
using Azure.Data.Tables;

namespace PecosCrm.Core.Support;

/// <summary>Where an inbound email went: onto a ticket, or not (then the inbox takes it), and why a ticket address was refused.</summary>
public sealed record InboundRoute(string? TicketId, string? Refused)
{
    public static readonly InboundRoute None = new(null, null);
}

/// <summary>Turning an inbox conversation into a ticket.</summary>
public sealed record ConvertConversation(string? CustomerId = null, string? Subject = null, TicketCategory? Category = null, TicketPriority? Priority = null, string? AssigneeId = null);

/// <summary>
/// Email into the support desk, on top of the inbox's SendGrid Inbound Parse: a customer's reply
/// lands on its ticket when it is addressed to the ticket's signed reply address
/// (<c>ticket+prt-1045.{signature}@…</c>: a forged or altered address is refused and the email goes
/// to the inbox instead), or when its subject names the ticket (<c>[PRT-1045]</c>) and it comes from
/// the ticket's customer (numbers are guessable, so the sender must match). Anything else is the
/// inbox's. Also turns an inbox conversation into a ticket, keeping its messages and their files.
/// </summary>
public sealed partial class TicketInbound(
    TicketService tickets, TicketConversation conversation, TicketStore store, TicketLinks links, Inbox inbox, StorageAccount storage, IOptions<SupportOptions> options,
    TimeProvider time)
{
    public async Task<InboundRoute> ReceiveAsync(
        string from, IEnumerable<string> recipients, string? subject, string text, IReadOnlyList<IncomingFile> files, CancellationToken cancellationToken = default)
    {
        foreach (var recipient in recipients)
        {
            if (links.ReadReplyAddress(recipient) is not { } address)
            {
                continue;
            }
            if (!address.Valid)
            {
                return new InboundRoute(null, "the ticket reply address is not one PecosCrm signed");
            }
            return await LandAsync(address.TicketId, text, files, cancellationToken);
        }
        var match = TicketNumber().Matches(subject ?? "").FirstOrDefault(m => m.Groups[1].Value.Equals(options.Value.TicketPrefix, StringComparison.OrdinalIgnoreCase));
        if (match is not null)
        {
            var id = $"{options.Value.TicketPrefix}-{match.Groups[2].Value}";
            var ticket = await store.FindAsync(id, cancellationToken);
            if (ticket?.CustomerEmail is { } email && email.Equals(from.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return await LandAsync(id, text, files, cancellationToken);
            }
        }
        return InboundRoute.None;
    }

    private async Task<InboundRoute> LandAsync(string ticketId, string text, IReadOnlyList<IncomingFile> files, CancellationToken cancellationToken)
    {
        var ticket = await store.FindAsync(ticketId, cancellationToken);
        if (ticket is null || ticket.StatusValue == TicketStatus.Closed)
        {
            return InboundRoute.None; // A closed or unknown ticket: the inbox takes the email and someone opens a new ticket.
        }
        await conversation.CustomerMessageAsync(ticketId, StripQuoted(text), files, "email", cancellationToken);
        return new InboundRoute(ticketId, null);
    }

    /// <summary>
    /// Opens a ticket from an inbox conversation with its messages (notes stay internal) and their
    /// files (each message names its files' new ids on the ticket), and archives the conversation.
    /// </summary>
    public async Task<Ticket> ConvertAsync(string conversationId, ConvertConversation request, TicketActor actor, CancellationToken cancellationToken = default)
    {
        var thread = await inbox.GetAsync(conversationId, cancellationToken);
        var table = storage.Table(StorageNames.Tables.Tickets);
        var marker = await table.FindAsync<TableEntity>(SupportKeys.ConversationPartition(conversationId), SupportKeys.ConversationRow(conversationId), cancellationToken);
        if (marker is not null)
        {
            throw new ConflictException($"The conversation was turned into ticket {marker.GetString("TicketId")} already.");
        }
        var customerId = request.CustomerId ?? thread.Conversation.CustomerId
            ?? throw new ValidationFailedException("customerId", "is required: the conversation's sender is not a known customer.");
        var files = thread.Messages.SelectMany(m => (m.Attachments ?? []).Select(a => (Message: m, Attachment: a, TicketAttachmentId: Ids.New(time)))).ToList();
        var messages = thread.Messages.Select(m => new TicketMessage(
            m.Id, m.Direction == Direction.Inbound ? MessageAuthor.Customer : MessageAuthor.Staff,
            m.Direction == Direction.Inbound ? customerId : m.SentBy, m.Direction == Direction.Inbound ? thread.Conversation.Name : m.SentBy,
            m.Text, m.Internal, files.Where(f => f.Message.Id == m.Id).Select(f => f.TicketAttachmentId).ToList(), m.At, m.LogMessageId)).ToList();
        var entity = await tickets.CreateEntityAsync(new NewTicket(customerId, request.Subject ?? thread.Conversation.Subject, request.Category, request.Priority,
            TicketChannel.Inbox, AssigneeId: request.AssigneeId), actor, messages, conversationId, cancellationToken);
        foreach (var (message, attachment, ticketAttachmentId) in files)
        {
            if (await inbox.ReadAttachmentAsync(conversationId, attachment.Id, cancellationToken) is { } content)
            {
                await conversation.CarryFileAsync(entity.TicketId, new IncomingFile(attachment.FileName, content), message.From ?? "customer", ticketAttachmentId, message.At, cancellationToken);
            }
        }
        await table.UpsertEntityAsync(new TableEntity(SupportKeys.ConversationPartition(conversationId), SupportKeys.ConversationRow(conversationId)) { ["TicketId"] = entity.TicketId },
            TableUpdateMode.Replace, cancellationToken);
        await inbox.AddNoteAsync(conversationId, $"Turned into support ticket {entity.TicketId}.", actor.Name, cancellationToken);
        await inbox.ArchiveAsync(conversationId, archived: true, cancellationToken);
        return await tickets.GetAsync(entity.TicketId, cancellationToken);
    }

    /// <summary>The new part of a reply: quoted lines and what follows an "On … wrote:" line are left out.</summary>
    public static string StripQuoted(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var kept = new List<string>();
        foreach (var line in lines)
        {
            if (Wrote().IsMatch(line) || line.StartsWith("--", StringComparison.Ordinal))
            {
                break;
            }
            if (!line.StartsWith('>'))
            {
                kept.Add(line);
            }
        }
        var result = string.Join('\n', kept).Trim();
        return result.Length == 0 ? text.Trim() : result;
    }

    [GeneratedRegex(@"\[?\b([A-Za-z]{2,10})-(\d{1,10})\b\]?")]
    private static partial Regex TicketNumber();

    [GeneratedRegex(@"^On .+wrote:\s*$")]
    private static partial Regex Wrote();
}
