using System.Net.Mail;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Access;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Messaging;
using PecosCrm.Core.Support;
using PecosCrm.Core.Storage;

namespace PecosCrm.Functions.Api;

public static class InboxEndpoints
{
    public static IEndpointRouteBuilder MapInboxEndpoints(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/inbox").WithTags("Inbox").RequireAuthorization(Permissions.MessagesRead);
        var write = app.MapGroup("/api/inbox").WithTags("Inbox").RequireAuthorization(Permissions.MessagesWrite);
        read.MapGet("/", ListAsync).WithName("ListInbox").WithSummary("Conversations newest first (status open or archived, assignedTo), with the unread total of open ones.");
        read.MapGet("/{id}", GetAsync).WithName("GetConversation");
        read.MapGet("/{id}/attachments/{attachmentId}", AttachmentLinkAsync).WithName("GetConversationAttachmentLink")
            .WithSummary("A download link of a file that came with a message, working for 15 minutes.").ProducesProblem(StatusCodes.Status404NotFound);
        write.MapPost("/{id}/read", ReadAsync).WithName("MarkConversationRead");
        write.MapPost("/{id}/assign", AssignAsync).WithName("AssignConversation").WithSummary("{ \"staffId\": \"...\" }, or null to unassign.");
        write.MapPost("/{id}/archive", (string id, Inbox inbox, AuditLog audit, HttpContext http, CancellationToken ct) => ArchiveAsync(id, true, inbox, audit, http, ct)).WithName("ArchiveConversation");
        write.MapPost("/{id}/unarchive", (string id, Inbox inbox, AuditLog audit, HttpContext http, CancellationToken ct) => ArchiveAsync(id, false, inbox, audit, http, ct)).WithName("UnarchiveConversation");
        write.MapPost("/{id}/reply", ReplyAsync).WithName("ReplyToConversation").WithSummary("{ text, html, channel: email|sms }: sent and logged like any message.");
        write.MapPost("/{id}/notes", AddNoteAsync).WithName("AddConversationNote")
            .WithSummary("{ text }: an internal note staff see in the thread (internal: true); it is never sent to the customer.");
        write.MapPost("/contact-form", ContactFormAsync).WithName("SubmitContactForm").WithSummary("The storefront's contact form: { name, email, phone, subject, message }.");
        write.MapPost("/chat", ChatAsync).WithName("SubmitChatTranscript").WithSummary("A finished chat: { email or phone, name, subject, lines: [{ from: customer|agent, text, at }] }.");

        app.MapPost("/api/webhooks/sendgrid/inbound", InboundEmailAsync).WithTags("Webhooks").WithName("SendGridInboundParse").AllowAnonymous().DisableAntiforgery()
            .WithSummary("SendGrid Inbound Parse (multipart form). The URL carries ?key= the configured Messaging__InboundParseKey; anything else is 401.");
        app.MapPost("/api/webhooks/sms/inbound", InboundSmsAsync).WithTags("Webhooks").WithName("InboundSms").AllowAnonymous().DisableAntiforgery()
            .WithSummary("Twilio-compatible inbound SMS webhook (form From, Body), verified by X-Twilio-Signature.");
        return app;
    }

    public static async Task<Ok<InboxPage>> ListAsync(Inbox inbox, string? status, string? assignedTo, int? limit, string? cursor, CancellationToken cancellationToken) =>
        TypedResults.Ok(await inbox.ListAsync(status, assignedTo, Page<Conversation>.CheckLimit(limit), cursor, cancellationToken));

    public static async Task<Ok<ConversationThread>> GetAsync(string id, Inbox inbox, CancellationToken cancellationToken) =>
        TypedResults.Ok(await inbox.GetAsync(id, cancellationToken));

    public static async Task<Ok<Conversation>> ReadAsync(string id, Inbox inbox, CancellationToken cancellationToken) =>
        TypedResults.Ok(await inbox.MarkReadAsync(id, cancellationToken));

    public static async Task<Ok<Conversation>> AssignAsync(string id, AssignRequest request, Inbox inbox, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var conversation = await inbox.AssignAsync(id, request.StaffId, cancellationToken);
        await audit.RecordAsync(http, "conversation.assigned", "conversation", id, null, request);
        return TypedResults.Ok(conversation);
    }

    public static async Task<Ok<Conversation>> ArchiveAsync(string id, bool archived, Inbox inbox, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var conversation = await inbox.ArchiveAsync(id, archived, cancellationToken);
        await audit.RecordAsync(http, archived ? "conversation.archived" : "conversation.unarchived", "conversation", id, null, null);
        return TypedResults.Ok(conversation);
    }

    public static async Task<Ok<Conversation>> ReplyAsync(string id, ReplyRequest request, Inbox inbox, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var conversation = await inbox.ReplyAsync(id, request.Text, request.Html, request.Channel, http.Actor().Name, cancellationToken);
        await audit.RecordAsync(http, "conversation.replied", "conversation", id, null, new { request.Channel });
        return TypedResults.Ok(conversation);
    }

    public static async Task<Created<ConversationMessage>> AddNoteAsync(string id, ConversationNoteRequest request, Inbox inbox, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var note = await inbox.AddNoteAsync(id, request.Text, http.Actor().Name, cancellationToken);
        await audit.RecordAsync(http, "conversation.note_added", "conversation", id, null, new { noteId = note.Id });
        return TypedResults.Created($"/api/inbox/{id}", note);
    }

    public static async Task<Created<Conversation>> ContactFormAsync(ContactFormRequest request, Inbox inbox, CancellationToken cancellationToken)
    {
        var text = request.Message ?? "";
        if (!string.IsNullOrWhiteSpace(request.Phone))
        {
            text += $"\n\nPhone: {request.Phone}";
        }
        var conversation = await inbox.ReceiveAsync(new InboundMessage(Channel.Email, request.Email ?? "", request.Name, request.Subject ?? "Contact form", text, null, null, "contact_form"), cancellationToken);
        return TypedResults.Created($"/api/inbox/{conversation.Id}", conversation);
    }

    public static async Task<Created<Conversation>> ChatAsync(ChatRequest request, Inbox inbox, CancellationToken cancellationToken)
    {
        if (request.Lines is not { Count: > 0 })
        {
            throw new ValidationFailedException("lines", "must hold at least one line of the chat.");
        }
        var transcript = string.Join("\n", request.Lines.Select(l => $"[{l.At:yyyy-MM-dd HH:mm}] {(l.From == "agent" ? "Agent" : request.Name ?? "Customer")}: {l.Text}"));
        var byPhone = string.IsNullOrWhiteSpace(request.Email) && !string.IsNullOrWhiteSpace(request.Phone);
        var conversation = await inbox.ReceiveAsync(new InboundMessage(byPhone ? Channel.Sms : Channel.Email, (byPhone ? request.Phone : request.Email) ?? "", request.Name,
            request.Subject ?? "Chat", transcript, null, request.Lines.Min(l => l.At), "chat"), cancellationToken);
        return TypedResults.Created($"/api/inbox/{conversation.Id}", conversation);
    }

    public static async Task<Ok<ConversationAttachmentLink>> AttachmentLinkAsync(string id, string attachmentId, Inbox inbox, CancellationToken cancellationToken)
    {
        var (attachment, url, expiresAt) = await inbox.AttachmentLinkAsync(id, attachmentId, cancellationToken);
        return TypedResults.Ok(new ConversationAttachmentLink(attachment, url.ToString(), expiresAt));
    }

    public static async Task<IResult> InboundEmailAsync(HttpRequest request, Inbox inbox, TicketInbound tickets, IOptions<MessagingOptions> options, CancellationToken cancellationToken)
    {
        var key = options.Value.InboundParseKey;
        var given = request.Query["key"].ToString();
        if (string.IsNullOrEmpty(key) || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(key)))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: "Inbound parse refused: the key in the URL is missing or wrong.");
        }
        if (!request.HasFormContentType)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported Media Type", detail: "SendGrid Inbound Parse posts multipart/form-data.");
        }
        var form = await request.ReadFormAsync(cancellationToken);
        if (!MailAddress.TryCreate(form["from"].ToString(), out var from))
        {
            throw new ValidationFailedException("from", "is not an email address.");
        }
        var text = form["text"].ToString();
        var html = form["html"].ToString();
        var body = string.IsNullOrWhiteSpace(text) ? PecosCrm.Core.Messaging.Templates.HtmlText.Convert(html) : text;
        // A reply to a support ticket lands on the ticket (docs/support.md); everything else is the inbox's.
        var files = await SupportInbound.FilesAsync(form, cancellationToken);
        var route = await tickets.ReceiveAsync(from.Address, SupportInbound.Recipients(form), form["subject"].ToString(), body, files, cancellationToken);
        if (route.TicketId is { } ticketId)
        {
            return TypedResults.Ok(new { ticket = ticketId });
        }
        var conversation = await inbox.ReceiveAsync(new InboundMessage(Channel.Email, from.Address, string.IsNullOrEmpty(from.DisplayName) ? null : from.DisplayName, form["subject"].ToString(),
            body, string.IsNullOrEmpty(html) ? null : html, null, "email", files), cancellationToken);
        return route.Refused is null ? TypedResults.Ok(new { conversation = conversation.Id }) : TypedResults.Ok(new { conversation = conversation.Id, ticketRefused = route.Refused });
    }

    public static async Task<IResult> InboundSmsAsync(HttpRequest request, Inbox inbox, IOptions<MessagingOptions> options, CancellationToken cancellationToken)
    {
        if (!request.HasFormContentType)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported Media Type", detail: "Inbound SMS webhooks post a form.");
        }
        var form = await request.ReadFormAsync(cancellationToken);
        var url = options.Value.PublicBaseUrl.TrimEnd('/') + request.Path + request.QueryString;
        if (inbox.VerifyTwilio(request.Headers["X-Twilio-Signature"], url, form.Select(f => new KeyValuePair<string, string>(f.Key, f.Value.ToString()))) is { } refused)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: "Inbound SMS refused: " + refused + ".");
        }
        await inbox.ReceiveAsync(new InboundMessage(Channel.Sms, form["From"].ToString(), null, null, form["Body"].ToString(), null, null, "sms"), cancellationToken);
        // Twilio expects TwiML; an empty response sends no automatic answer.
        return TypedResults.Content("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>", "application/xml");
    }
}

public sealed record ConversationAttachmentLink(ConversationAttachment Attachment, string Url, DateTimeOffset ExpiresAt);

public sealed record AssignRequest(string? StaffId);

public sealed record ConversationNoteRequest(string? Text);

public sealed record ReplyRequest(string? Text, string? Html, Channel? Channel);

public sealed record ContactFormRequest(string? Name, string? Email, string? Phone, string? Subject, string? Message);

public sealed record ChatLine(string? From, string? Text, DateTimeOffset At);

public sealed record ChatRequest(string? Email, string? Phone, string? Name, string? Subject, IReadOnlyList<ChatLine>? Lines);
