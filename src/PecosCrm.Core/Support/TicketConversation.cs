using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Messaging;
using PecosCrm.Core.Orders;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Support;

/// <summary>
/// A ticket's conversation: staff replies (emailed to the customer through the message service, so
/// they are logged, consent-checked and retried), internal notes (never sent, never shown to the
/// customer), the customer's messages (by email or the API), and attachments, checked by content
/// and kept in blob storage. Each message updates the SLA bookkeeping: the first staff reply is the
/// first response, a customer message after a reply starts the next-response clock, and a customer
/// writing to a ticket that waits on them or is resolved opens it again.
/// </summary>
public sealed class TicketConversation(
    TicketService tickets, TicketStore store, TicketSla sla, CannedResponses canned, CustomerStore customers, OrderStore orders,
    MessageService messages, TicketLinks links, BlobFiles blobs, IOptions<SupportOptions> options, IOptions<StoreOptions> storeOptions, TimeProvider time)
{
    public async Task<(Ticket Ticket, TicketMessage Message)> ReplyAsync(string id, TicketReply reply, TicketActor actor, CancellationToken cancellationToken = default)
    {
        var check = new Validation();
        if (string.IsNullOrWhiteSpace(reply.Text) == (reply.CannedResponseId is null))
        {
            check.Add("text", "give either text or cannedResponseId.");
        }
        check.MaxLength("text", reply.Text, 30_000);
        if (reply.Status is TicketStatus.Closed)
        {
            check.Add("status", "a reply cannot close a ticket; resolve it, then close it.");
        }
        check.ThrowIfInvalid();
        var current = await store.GetAsync(id, cancellationToken);
        var text = reply.Text?.Trim() ?? "";
        if (reply.CannedResponseId is { } cannedId)
        {
            var response = await canned.GetAsync(cannedId, cancellationToken);
            text = CannedResponses.Render(response.Body, await ContextAsync(current, actor, cancellationToken));
        }
        await CheckAttachmentsAsync(id, reply.AttachmentIds, cancellationToken);
        var message = new TicketMessage(Ids.New(time), MessageAuthor.Staff, actor.Id, actor.Name, text, false, reply.AttachmentIds ?? [], time.GetUtcNow(), null);
        var customer = await customers.FindAsync(current.CustomerId, cancellationToken);
        if (customer?.Email is not null)
        {
            message = message with { EmailMessageId = message.Id };
        }
        var ticket = await tickets.ChangeAsync(id, null, actor, (t, now) =>
        {
            var log = new List<TicketLogEntry>();
            t.StaffReplies++;
            t.FirstResponseAt ??= now;
            if (t.AwaitingReplySince is { } since)
            {
                var policy = t.PolicyValue();
                var target = policy?.Targets.GetValueOrDefault(t.PriorityValue)?.NextResponseMinutes;
                var clock = SlaClock.Clock(since, now, target, t.PauseList(), sla.CalendarOf(t), 0.8, now);
                t.NextResponses++;
                t.NextResponsesMet += clock.State is SlaState.Met or SlaState.None ? 1 : 0;
                t.AwaitingReplySince = null;
            }
            var status = reply.Status ?? (t.StatusValue is TicketStatus.Open ? TicketStatus.InProgress : t.StatusValue);
            log.AddRange(TicketStatusRules.Apply(t, status, actor, now));
            var rows = new List<ITableEntity> { TicketMessageEntity.From(t.TicketId, message with { At = now }) };
            rows.AddRange(log.Select(e => TicketLogEntity.From(t.TicketId, e)));
            return Task.FromResult<TicketChange?>(new TicketChange(rows));
        }, cancellationToken);
        if (reply.CannedResponseId is { } used)
        {
            await canned.CountUseAsync(used, cancellationToken);
        }
        if (customer?.Email is not null)
        {
            await EmailAsync(ticket, customer.Id, message.Id, text, actor, cancellationToken);
        }
        return (ticket, message);
    }

    /// <summary>An internal note: staff only, never emailed; it changes no SLA clock.</summary>
    public async Task<TicketMessage> AddNoteAsync(string id, string? text, IReadOnlyList<string>? attachmentIds, TicketActor actor, CancellationToken cancellationToken = default)
    {
        new Validation().Required("text", text, 30_000).ThrowIfInvalid();
        await CheckAttachmentsAsync(id, attachmentIds, cancellationToken);
        var note = new TicketMessage(Ids.New(time), MessageAuthor.Staff, actor.Id, actor.Name, text!.Trim(), true, attachmentIds ?? [], time.GetUtcNow(), null);
        await tickets.ChangeAsync(id, null, actor, (t, now) => Task.FromResult<TicketChange?>(new TicketChange([TicketMessageEntity.From(t.TicketId, note with { At = now })])), cancellationToken);
        return note;
    }

    /// <summary>A message from the customer (their email reply, or the storefront's form through the API), with any files.</summary>
    public async Task<(Ticket Ticket, TicketMessage Message)> CustomerMessageAsync(
        string id, string? text, IReadOnlyList<IncomingFile> files, string source, CancellationToken cancellationToken = default)
    {
        new Validation().Required("text", text, 30_000).ThrowIfInvalid();
        var current = await store.GetAsync(id, cancellationToken);
        if (current.StatusValue == TicketStatus.Closed)
        {
            throw new ConflictException($"Ticket {id} is closed; open a new ticket instead.");
        }
        var attachmentIds = new List<string>();
        var refused = new List<string>();
        foreach (var file in files)
        {
            try
            {
                attachmentIds.Add((await StoreFileAsync(id, file, current.CustomerName ?? "customer", cancellationToken)).Id);
            }
            catch (ValidationFailedException ex)
            {
                refused.Add($"{file.FileName}: {string.Join(" ", ex.Errors.Values.SelectMany(v => v))}");
            }
        }
        var customer = new TicketActor(current.CustomerId, current.CustomerName ?? "customer");
        var message = new TicketMessage(Ids.New(time), MessageAuthor.Customer, current.CustomerId, current.CustomerName, text!.Trim(), false, attachmentIds, time.GetUtcNow(), null);
        var ticket = await tickets.ChangeAsync(id, null, customer, (t, now) =>
        {
            var log = new List<TicketLogEntry>();
            t.CustomerMessages++;
            if (t.FirstResponseAt is not null)
            {
                t.AwaitingReplySince ??= now;
            }
            if (t.StatusValue is TicketStatus.PendingCustomer or TicketStatus.Resolved)
            {
                log.AddRange(TicketStatusRules.Apply(t, TicketStatus.Open, customer, now));
            }
            var rows = new List<ITableEntity> { TicketMessageEntity.From(t.TicketId, message with { At = now }) };
            rows.AddRange(log.Select(e => TicketLogEntity.From(t.TicketId, e)));
            if (refused.Count > 0)
            {
                rows.Add(TicketLogEntity.From(t.TicketId, tickets.Entry("attachment_refused", $"Attachments refused from {source}: {string.Join("; ", refused)}", TicketActor.System, now)));
            }
            return Task.FromResult<TicketChange?>(new TicketChange(rows));
        }, cancellationToken);
        return (ticket, message);
    }

    /// <summary>Checks a file by its content and keeps it on the ticket.</summary>
    public async Task<TicketAttachment> AttachAsync(string id, IncomingFile file, TicketActor actor, CancellationToken cancellationToken = default)
    {
        var ticket = await store.GetAsync(id, cancellationToken);
        if (ticket.StatusValue == TicketStatus.Closed)
        {
            throw new ConflictException($"Ticket {id} is closed.");
        }
        return await StoreFileAsync(id, file, actor.Name, cancellationToken);
    }

    /// <summary>A short-lived download link of an attachment.</summary>
    public async Task<(TicketAttachment Attachment, Uri Url, DateTimeOffset ExpiresAt)> LinkAsync(string id, string attachmentId, CancellationToken cancellationToken = default)
    {
        var row = await store.FindAttachmentAsync(id, attachmentId, cancellationToken) ?? throw new NotFoundException("Attachment", attachmentId);
        return (row.ToRecord(), blobs.GetDownloadLink(StorageNames.Containers.TicketAttachments, row.BlobName, BlobFiles.DefaultLinkLifetime, row.FileName),
            time.GetUtcNow() + BlobFiles.DefaultLinkLifetime);
    }

    /// <summary>Keeps a file that came with an inbox message on the ticket the conversation became, under the id its message already names.</summary>
    internal Task<TicketAttachment> CarryFileAsync(string ticketId, IncomingFile file, string uploadedBy, string attachmentId, DateTimeOffset at, CancellationToken cancellationToken) =>
        StoreFileAsync(ticketId, file, uploadedBy, cancellationToken, attachmentId, at);

    private async Task<TicketAttachment> StoreFileAsync(
        string ticketId, IncomingFile file, string uploadedBy, CancellationToken cancellationToken, string? attachmentId = null, DateTimeOffset? at = null)
    {
        var kind = AttachmentInspector.Inspect(file.Content, file.FileName, options.Value.MaxAttachmentBytes);
        var row = new TicketAttachmentEntity
        {
            PartitionKey = ticketId,
            AttachmentId = attachmentId ?? Ids.New(time),
            FileName = file.FileName.Trim(),
            ContentType = kind.ContentType,
            Size = file.Content.Length,
            UploadedBy = uploadedBy,
            At = at ?? time.GetUtcNow(),
        };
        row.RowKey = SupportKeys.Attachment(ticketId, row.AttachmentId);
        using (var content = new MemoryStream(file.Content, writable: false))
        {
            await blobs.UploadAsync(StorageNames.Containers.TicketAttachments, row.BlobName, content, kind.ContentType, cancellationToken);
        }
        await store.AddRowsAsync(ticketId, [row], cancellationToken);
        return row.ToRecord();
    }

    private async Task CheckAttachmentsAsync(string id, IReadOnlyList<string>? attachmentIds, CancellationToken cancellationToken)
    {
        var check = new Validation();
        for (var i = 0; i < (attachmentIds?.Count ?? 0); i++)
        {
            if (await store.FindAttachmentAsync(id, attachmentIds![i], cancellationToken) is null)
            {
                check.Add($"attachmentIds[{i}]", $"ticket {id} has no attachment '{attachmentIds[i]}'.");
            }
        }
        check.ThrowIfInvalid();
    }

    private async Task<CannedContext> ContextAsync(TicketEntity t, TicketActor actor, CancellationToken cancellationToken)
    {
        var customer = await customers.FindAsync(t.CustomerId, cancellationToken);
        var order = t.OrderId is null ? null : await orders.FindAsync(t.OrderId, cancellationToken);
        var store = storeOptions.Value;
        return new CannedContext(
            customer?.FirstName, customer?.LastName, customer?.Email,
            order?.Number, order is null ? null : TicketService.Name(order.Status), order is null ? null : Money.Format(order.TotalCents, order.Currency),
            t.TicketId, t.Subject, TicketService.Name(t.StatusValue), TicketService.Name(t.PriorityValue),
            actor.Name, store.Name, store.Phone, store.Email);
    }

    /// <summary>
    /// Emails a staff reply. The email's message id is the ticket message's, so a retried reply is
    /// not sent twice; the subject carries the ticket number and the text the signed reply address,
    /// either of which brings the customer's answer back to the ticket.
    /// </summary>
    private async Task EmailAsync(Ticket ticket, string customerId, string messageId, string text, TicketActor actor, CancellationToken cancellationToken)
    {
        var footer = $"\n\n--\nTicket {ticket.Id}. Reply to this email to add to it, or write to {links.ReplyAddress(ticket.Id)}.";
        await messages.SendEmailAsync(new EmailRequest(customerId, Subject: $"Re: {ticket.Subject} [{ticket.Id}]", Text: text + footer,
            Purpose: MessagePurpose.Transactional, ThreadId: ticket.Id, MessageId: messageId, ReplyTo: links.ReplyAddress(ticket.Id)), actor.Name, cancellationToken);
    }
}
