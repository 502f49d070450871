using Microsoft.AspNetCore.Http.HttpResults;
using PecosCrm.Core.Access;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Storage;
using PecosCrm.Core.Support;

namespace PecosCrm.Functions.Api;

/// <summary>Support tickets: the lists, one ticket with its conversation, changes, replies, notes, customer messages and attachments.</summary>
public static class TicketsEndpoints
{
    private const string FileField = "file";
    private static readonly string[] UnknownField = ["is not a field of this request."];

    public static IEndpointRouteBuilder MapTicketsEndpoints(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/tickets").WithTags("Support").RequireAuthorization(Permissions.SupportRead);
        var write = app.MapGroup("/api/tickets").WithTags("Support").RequireAuthorization(Permissions.SupportWrite);

        read.MapGet("/", ListAsync).WithName("ListTickets")
            .WithSummary("Newest first; filter by status, priority, assignee (a staff id, or none), category, breach (ok, near_breach, breached). Without a status the working queue (open, in progress, pending) comes first.")
            .ProducesValidationProblem();
        write.MapPost("/", CreateAsync).WithName("CreateTicket").ProducesValidationProblem();
        read.MapGet("/{id}", GetAsync).WithName("GetTicket").WithSummary("The ticket with its SLA clocks, conversation (internal notes marked), attachments and log.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        write.MapPatch("/{id}", UpdateAsync).WithName("UpdateTicket").WithSummary("Change subject, category, priority, status, assignee (\"\" unassigns), tags, order. If-Match honoured.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        write.MapPost("/{id}/replies", ReplyAsync).WithName("ReplyToTicket")
            .WithSummary("A staff reply, emailed to the customer: text, or cannedResponseId rendered for the ticket; attachmentIds; an optional new status.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        write.MapPost("/{id}/notes", AddNoteAsync).WithName("AddTicketNote").WithSummary("An internal note: staff only, never emailed.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        write.MapPost("/{id}/messages", CustomerMessageAsync).WithName("AddCustomerMessage")
            .WithSummary("A message from the customer (the storefront's form): reopens a ticket that waits on the customer or is resolved.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        write.MapPost("/{id}/attachments", AttachAsync).WithName("AddTicketAttachment").Accepts<AttachmentUploadForm>("multipart/form-data").DisableAntiforgery()
            .WithSummary("Upload a file (multipart/form-data: file): JPEG, PNG, GIF, WebP or PDF judged by content, named with a matching extension, at most 10 MB.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        read.MapGet("/{id}/attachments/{attachmentId}", AttachmentLinkAsync).WithName("GetTicketAttachmentLink").WithSummary("A download link that works for 15 minutes.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        app.MapPost("/api/inbox/{id}/ticket", ConvertAsync).WithTags("Support").RequireAuthorization(Permissions.SupportWrite).WithName("ConvertConversationToTicket")
            .WithSummary("Open a ticket from an inbox conversation, with its messages; the conversation is archived. customerId is needed when the sender is not a known customer.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        app.MapGet("/api/customers/{id}/tickets", HistoryAsync).WithTags("Support").RequireAuthorization(Permissions.SupportRead).WithName("ListCustomerTickets")
            .WithSummary("The customer's tickets, newest first, a page at a time (limit, cursor), with their open count and average satisfaction rating over the newest 150.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<Ok<ListResponse<Ticket>>> ListAsync(
        TicketService tickets, string? status, string? priority, string? assignee, string? category, string? breach, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var filter = new TicketFilter(
            QueryEnum.Parse<TicketStatus>(status, "status"), QueryEnum.Parse<TicketPriority>(priority, "priority"),
            string.IsNullOrEmpty(assignee) ? null : assignee, QueryEnum.Parse<TicketCategory>(category, "category"), QueryEnum.Parse<SlaState>(breach, "breach"));
        var page = await tickets.ListAsync(filter, Page<Ticket>.CheckLimit(limit), cursor, cancellationToken);
        return TypedResults.Ok(new ListResponse<Ticket>(page.Items, page.NextCursor));
    }

    public static async Task<Created<Ticket>> CreateAsync(NewTicket request, TicketService tickets, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var ticket = await tickets.CreateAsync(request, http.TicketActor(), cancellationToken);
        await audit.RecordAsync(http, "ticket.created", "ticket", ticket.Id, null, ticket);
        http.SetETag(ticket.ETag);
        return TypedResults.Created($"/api/tickets/{ticket.Id}", ticket);
    }

    public static async Task<Ok<TicketDetail>> GetAsync(string id, TicketService tickets, HttpContext http, CancellationToken cancellationToken)
    {
        var detail = await tickets.GetDetailAsync(id, includeInternal: true, cancellationToken);
        http.SetETag(detail.Ticket.ETag);
        return TypedResults.Ok(detail);
    }

    public static async Task<Ok<Ticket>> UpdateAsync(string id, TicketPatch request, TicketService tickets, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var (before, after) = await tickets.UpdateAsync(id, request, http.IfMatch(), http.TicketActor(), cancellationToken);
        await audit.RecordAsync(http, "ticket.updated", "ticket", id, before, after);
        http.SetETag(after.ETag);
        return TypedResults.Ok(after);
    }

    public static async Task<Created<TicketMessage>> ReplyAsync(string id, TicketReply request, TicketConversation conversation, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var (ticket, message) = await conversation.ReplyAsync(id, request, http.TicketActor(), cancellationToken);
        await audit.RecordAsync(http, "ticket.replied", "ticket", id, null, new { messageId = message.Id, request.CannedResponseId, ticket.Status });
        http.SetETag(ticket.ETag);
        return TypedResults.Created($"/api/tickets/{id}", message);
    }

    public static async Task<Created<TicketMessage>> AddNoteAsync(string id, TicketNoteRequest request, TicketConversation conversation, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var note = await conversation.AddNoteAsync(id, request.Text, request.AttachmentIds, http.TicketActor(), cancellationToken);
        await audit.RecordAsync(http, "ticket.note_added", "ticket", id, null, new { messageId = note.Id });
        return TypedResults.Created($"/api/tickets/{id}", note);
    }

    public static async Task<Created<TicketMessage>> CustomerMessageAsync(
        string id, CustomerMessageRequest request, TicketConversation conversation, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var (_, message) = await conversation.CustomerMessageAsync(id, request.Text, [], "api", cancellationToken);
        await audit.RecordAsync(http, "ticket.customer_message", "ticket", id, null, new { messageId = message.Id });
        return TypedResults.Created($"/api/tickets/{id}", message);
    }

    public static async Task<Results<Created<TicketAttachment>, ProblemHttpResult>> AttachAsync(
        string id, HttpRequest request, TicketConversation conversation, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        if (!request.HasFormContentType || !request.ContentType!.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported content type.",
                detail: "Send the file as multipart/form-data with a 'file' part.");
        }
        var form = await request.ReadFormAsync(cancellationToken);
        var unknown = form.Keys.Concat(form.Files.Select(f => f.Name).Where(n => n != FileField)).Distinct().ToList();
        if (unknown.Count > 0)
        {
            throw new ValidationFailedException(unknown.ToDictionary(u => u, _ => UnknownField));
        }
        var files = form.Files.GetFiles(FileField);
        if (files.Count != 1)
        {
            throw new ValidationFailedException(FileField, files.Count == 0 ? "is required." : "one file per request.");
        }
        var content = new byte[files[0].Length];
        await using (var stream = files[0].OpenReadStream())
        {
            await stream.ReadExactlyAsync(content, cancellationToken);
        }
        var attachment = await conversation.AttachAsync(id, new IncomingFile(files[0].FileName, content), http.TicketActor(), cancellationToken);
        await audit.RecordAsync(http, "ticket.attachment_added", "ticket", id, null, attachment);
        return TypedResults.Created($"/api/tickets/{id}/attachments/{attachment.Id}", attachment);
    }

    public static async Task<Ok<AttachmentLink>> AttachmentLinkAsync(string id, string attachmentId, TicketConversation conversation, CancellationToken cancellationToken)
    {
        var (attachment, url, expiresAt) = await conversation.LinkAsync(id, attachmentId, cancellationToken);
        return TypedResults.Ok(new AttachmentLink(attachment, url.ToString(), expiresAt));
    }

    public static async Task<Created<Ticket>> ConvertAsync(
        string id, ConvertConversation request, TicketInbound inbound, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var ticket = await inbound.ConvertAsync(id, request, http.TicketActor(), cancellationToken);
        await audit.RecordAsync(http, "ticket.created", "ticket", ticket.Id, null, new { ticket, conversationId = id });
        http.SetETag(ticket.ETag);
        return TypedResults.Created($"/api/tickets/{ticket.Id}", ticket);
    }

    public static async Task<Ok<CustomerTickets>> HistoryAsync(string id, TicketService tickets, int? limit, string? cursor, CancellationToken cancellationToken) =>
        TypedResults.Ok(await tickets.HistoryAsync(id, Page<CustomerTicket>.CheckLimit(limit), cursor, cancellationToken));

    /// <summary>The caller as a ticket actor: the staff member (or integration) behind the key.</summary>
    public static TicketActor TicketActor(this HttpContext http)
    {
        var actor = http.Actor();
        return new TicketActor(actor.Id, actor.Name);
    }
}

public sealed record TicketNoteRequest(string? Text, IReadOnlyList<string>? AttachmentIds);

public sealed record CustomerMessageRequest(string? Text);

public sealed record AttachmentLink(TicketAttachment Attachment, string Url, DateTimeOffset ExpiresAt);

public sealed record AttachmentUploadForm([property: Microsoft.AspNetCore.Mvc.FromForm(Name = "file")] IFormFile File);
