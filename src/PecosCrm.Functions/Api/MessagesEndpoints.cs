using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using PecosCrm.Core;
using PecosCrm.Core.Access;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Messaging;
using PecosCrm.Core.Storage;

namespace PecosCrm.Functions.Api;

public static class MessagesEndpoints
{
    public static IEndpointRouteBuilder MapMessagesEndpoints(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api").WithTags("Messages").RequireAuthorization(Permissions.MessagesRead);
        var write = app.MapGroup("/api").WithTags("Messages").RequireAuthorization(Permissions.MessagesWrite);
        write.MapPost("/messages/email", SendEmailAsync).WithName("SendEmail")
            .WithSummary("Email one customer: templateId (rendered for them) or subject with html/text; purpose marketing or transactional; sendAt, or localTime (HH:mm in the customer's time zone) with an optional localDate.");
        write.MapPost("/messages/sms", SendSmsAsync).WithName("SendSms")
            .WithSummary("Text one customer: { customerId, text, purpose }; marketing needs SMS consent; without an SMS account it goes to the outbox.");
        read.MapGet("/customers/{id}/messages", ListAsync).WithName("ListCustomerMessages").WithSummary("The communication log, newest first; filter by channel.");
        read.MapGet("/customers/{id}/messages/{messageId}", GetAsync).WithName("GetCustomerMessage");
        write.MapPost("/customers/{id}/messages", LogAsync).WithName("LogCustomerMessage")
            .WithSummary("Log a call, note, chat, social message or an email/SMS sent or received elsewhere.");
        write.MapPost("/customers/{id}/messages/{messageId}/cancel", CancelAsync).WithName("CancelScheduledMessage").WithSummary("Call off a scheduled message before it is sent.");
        read.MapGet("/customers/{id}/send-time", SendTimeAsync).WithName("GetSendTimeSuggestion")
            .WithSummary("The local hour most of the customer's opens happened (the store's when they have fewer than 3).");
        read.MapGet("/customers/{id}/preferences", PreferencesAsync).WithName("GetSubscriptionPreferences");
        write.MapPut("/customers/{id}/preferences", SetPreferencesAsync).WithName("SetSubscriptionPreferences");
        read.MapGet("/outbox", OutboxAsync).WithName("ListOutbox").WithSummary("The development outbox: what would have been sent while no SendGrid key (or SMS account) is configured.");
        read.MapGet("/suppressions", SuppressionsAsync).WithName("ListSuppressions");
        read.MapGet("/suppressions/export", ExportSuppressionsAsync).WithName("ExportSuppressions").WithSummary("The suppression list as CSV: address, reason, marketing_only, source, at.");
        write.MapPost("/suppressions", AddSuppressionAsync).WithName("AddSuppression");
        write.MapPost("/suppressions/import", ImportSuppressionsAsync).WithName("ImportSuppressions")
            .WithSummary("Add many addresses: { \"channel\": \"email\", \"reason\": \"manual\", \"addresses\": [ ... ] } (at most 10,000).");
        write.MapDelete("/suppressions/{channel}/{address}", RemoveSuppressionAsync).WithName("RemoveSuppression");

        // Called by SendGrid and by customers: no API key, each verifies its own signature or signed token.
        app.MapPost("/api/webhooks/sendgrid/events", WebhookAsync).WithTags("Webhooks").WithName("SendGridEventWebhook").AllowAnonymous()
            .WithSummary("SendGrid's signed event webhook; 401 when the signature is missing, wrong or stale.");
        app.MapGet("/api/unsubscribe/{token}", UnsubscribePageAsync).WithTags("Webhooks").WithName("UnsubscribePage").AllowAnonymous().ExcludeFromDescription();
        app.MapPost("/api/unsubscribe/{token}", UnsubscribeAsync).WithTags("Webhooks").WithName("Unsubscribe").AllowAnonymous()
            .WithSummary("One-click unsubscribe (RFC 8058 List-Unsubscribe-Post) and the confirm button of the unsubscribe page.").DisableAntiforgery();
        app.MapGet("/api/preferences/{token}", PreferencesPageAsync).WithTags("Webhooks").WithName("PreferencesPage").AllowAnonymous().ExcludeFromDescription();
        app.MapPost("/api/preferences/{token}", SavePreferencesPageAsync).WithTags("Webhooks").WithName("SavePreferencesPage").AllowAnonymous().ExcludeFromDescription().DisableAntiforgery();
        return app;
    }

    public static async Task<Accepted<Message>> SendEmailAsync(EmailRequest request, MessageService messages, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var message = await messages.SendEmailAsync(request, http.Actor().Name, cancellationToken);
        await audit.RecordAsync(http, "message.email_requested", "message", message.Id, null, new { message.CustomerId, message.Subject, message.TemplateId, message.Status, message.ScheduledAt });
        return TypedResults.Accepted($"/api/customers/{message.CustomerId}/messages/{message.Id}", message);
    }

    public static async Task<Accepted<Message>> SendSmsAsync(SmsRequest request, MessageService messages, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var message = await messages.SendSmsAsync(request, http.Actor().Name, cancellationToken);
        await audit.RecordAsync(http, "message.sms_requested", "message", message.Id, null, new { message.CustomerId, message.Status });
        return TypedResults.Accepted($"/api/customers/{message.CustomerId}/messages/{message.Id}", message);
    }

    public static async Task<Ok<ListResponse<Message>>> ListAsync(
        string id, string? channel, CustomerStore customers, MessageStore log, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        await customers.GetAsync(id, cancellationToken);
        var page = await log.ListAsync(id, QueryEnum.Parse<Channel>(channel, "channel"), Page<Message>.CheckLimit(limit), cursor, cancellationToken);
        return TypedResults.Ok(ListResponse<Message>.From(page, m => m));
    }

    public static async Task<Ok<Message>> GetAsync(string id, string messageId, MessageStore log, CancellationToken cancellationToken) =>
        TypedResults.Ok(await log.GetAsync(id, messageId, cancellationToken));

    public static async Task<Created<Message>> LogAsync(string id, ManualMessage request, MessageService messages, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var message = await messages.LogAsync(id, request, http.Actor().Name, cancellationToken);
        await audit.RecordAsync(http, "message.logged", "message", message.Id, null, new { message.CustomerId, message.Channel, message.Direction });
        return TypedResults.Created($"/api/customers/{id}/messages/{message.Id}", message);
    }

    public static async Task<Ok<Message>> CancelAsync(
        string id, string messageId, MessageService messages, MessageStore log, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        if (!await messages.CancelAsync(id, messageId, cancellationToken))
        {
            throw new ConflictException("The message is not scheduled any more: it has been queued or sent.");
        }
        await audit.RecordAsync(http, "message.cancelled", "message", messageId, null, null);
        return TypedResults.Ok(await log.GetAsync(id, messageId, cancellationToken));
    }

    public static async Task<Ok<SendTimeSuggestion>> SendTimeAsync(string id, CustomerStore customers, SendTimes times, CancellationToken cancellationToken) =>
        TypedResults.Ok(await times.SuggestAsync(await customers.GetAsync(id, cancellationToken), cancellationToken));

    public static async Task<Ok<SubscriptionPreferences>> PreferencesAsync(string id, Preferences preferences, CancellationToken cancellationToken) =>
        TypedResults.Ok(await preferences.GetAsync(id, cancellationToken));

    public static async Task<Ok<SubscriptionPreferences>> SetPreferencesAsync(
        string id, PreferencesRequest request, Preferences preferences, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var before = await preferences.GetAsync(id, cancellationToken);
        var after = await preferences.SetAsync(id, request.MarketingEmail, request.MarketingSms, request.TransactionalEmail, http.Actor().Name, cancellationToken);
        await audit.RecordAsync(http, "customer.preferences_changed", "customer", id, before, after);
        return TypedResults.Ok(after);
    }

    public static async Task<Ok<ListResponse<OutboxItem>>> OutboxAsync(Outbox outbox, string? channel, int? limit, string? cursor, CancellationToken cancellationToken) =>
        TypedResults.Ok(ListResponse<OutboxItem>.From(
            await outbox.ListAsync(QueryEnum.Parse<Channel>(channel, "channel") ?? Channel.Email, Page<OutboxItem>.CheckLimit(limit), cursor, cancellationToken), o => o));

    public static async Task<Ok<ListResponse<Suppression>>> SuppressionsAsync(Suppressions suppressions, string? channel, int? limit, string? cursor, CancellationToken cancellationToken) =>
        TypedResults.Ok(ListResponse<Suppression>.From(
            await suppressions.ListAsync(QueryEnum.Parse<Channel>(channel, "channel") ?? Channel.Email, Page<Suppression>.CheckLimit(limit), cursor, cancellationToken), s => s));

    public static async Task<FileContentHttpResult> ExportSuppressionsAsync(Suppressions suppressions, string? channel, CancellationToken cancellationToken)
    {
        var csv = new StringBuilder("address,reason,marketing_only,source,at\n");
        string? cursor = null;
        do
        {
            var page = await suppressions.ListAsync(QueryEnum.Parse<Channel>(channel, "channel") ?? Channel.Email, Page<Suppression>.MaxLimit, cursor, cancellationToken);
            foreach (var s in page.Items)
            {
                csv.Append(Csv(s.Address)).Append(',').Append(s.Reason.ToString().ToLowerInvariant()).Append(',').Append(s.MarketingOnly ? "true" : "false")
                    .Append(',').Append(Csv(s.Source)).Append(',').Append(s.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
            }
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return TypedResults.File(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv", "suppressions.csv");
    }

    public static async Task<Created<Suppression>> AddSuppressionAsync(SuppressionRequest request, Suppressions suppressions, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var (channel, reason) = Check(request.Channel, request.Reason, request.Address is null ? [] : [request.Address], "address");
        var added = await suppressions.AddAsync(channel, request.Address!, reason, http.Actor().Name, null, cancellationToken);
        await audit.RecordAsync(http, "suppression.added", "suppression", added.Address, null, added);
        return TypedResults.Created($"/api/suppressions?channel={channel.ToString().ToLowerInvariant()}", added);
    }

    public static async Task<Ok<ImportResult>> ImportSuppressionsAsync(SuppressionImport request, Suppressions suppressions, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var addresses = request.Addresses ?? [];
        var (channel, reason) = Check(request.Channel, request.Reason, addresses, "addresses");
        await Parallel.ForEachAsync(addresses, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (a, ct) =>
            await suppressions.AddAsync(channel, a, reason, "import:" + http.Actor().Name, null, ct));
        await audit.RecordAsync(http, "suppression.imported", "suppression", "import", null, new { count = addresses.Count, channel, reason });
        return TypedResults.Ok(new ImportResult(addresses.Count));
    }

    public static async Task<Results<NoContent, NotFound>> RemoveSuppressionAsync(
        string channel, string address, Suppressions suppressions, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        if (!await suppressions.RemoveAsync(QueryEnum.Parse<Channel>(channel, "channel") ?? Channel.Email, address, cancellationToken))
        {
            return TypedResults.NotFound();
        }
        await audit.RecordAsync(http, "suppression.removed", "suppression", address, new { address, channel }, null);
        return TypedResults.NoContent();
    }

    public static async Task<IResult> WebhookAsync(HttpRequest request, SendGridEvents events, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        var body = buffer.ToArray();
        if (events.Verify(request.Headers[SendGridEvents.SignatureHeader], request.Headers[SendGridEvents.TimestampHeader], body) is { } refused)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: "SendGrid event webhook refused: " + refused + ".");
        }
        var accepted = await events.AcceptAsync(body, cancellationToken);
        return TypedResults.Ok(new { accepted });
    }

    public static IResult UnsubscribePageAsync(string token, SignedLinks links) =>
        links.Verify(token) is null
            ? Page("Link not recognised", "<p>This unsubscribe link is not valid. If you copied it, please check it was copied whole.</p>", StatusCodes.Status404NotFound)
            : Page("Unsubscribe", $"""
                <p>Stop marketing email from Pecos River Traders? Order and service messages still reach you.</p>
                <form method="post" action="/api/unsubscribe/{WebUtility.HtmlEncode(token)}"><button type="submit">Unsubscribe</button></form>
                """);

    public static async Task<IResult> UnsubscribeAsync(string token, Unsubscribes unsubscribes, CancellationToken cancellationToken) =>
        await unsubscribes.UnsubscribeAsync(token, cancellationToken) is null
            ? Page("Link not recognised", "<p>This unsubscribe link is not valid.</p>", StatusCodes.Status404NotFound)
            : Page("Unsubscribed", "<p>You will get no more marketing email from us. You can change this at any time from the preferences link in any of our emails.</p>");

    public static async Task<IResult> PreferencesPageAsync(string token, SignedLinks links, Preferences preferences, CancellationToken cancellationToken)
    {
        if (links.Verify(token) is not var (customerId, _))
        {
            return Page("Link not recognised", "<p>This preferences link is not valid.</p>", StatusCodes.Status404NotFound);
        }
        var current = await preferences.GetAsync(customerId, cancellationToken);
        static string Box(string name, string label, bool on) =>
            $"""<label><input type="checkbox" name="{name}" value="true"{(on ? " checked" : "")}> {label}</label><br>""";
        return Page("Your email preferences", $"""
            <form method="post" action="/api/preferences/{WebUtility.HtmlEncode(token)}">
            {Box("marketingEmail", "News, new arrivals and offers by email", current.MarketingEmail)}
            {Box("marketingSms", "Offers by text message", current.MarketingSms)}
            {Box("transactionalEmail", "Order, shipping and account email", current.TransactionalEmail)}
            <button type="submit">Save</button></form>
            """);
    }

    public static async Task<IResult> SavePreferencesPageAsync(string token, HttpRequest request, SignedLinks links, Preferences preferences, CancellationToken cancellationToken)
    {
        if (links.Verify(token) is not var (customerId, _) || !request.HasFormContentType)
        {
            return Page("Link not recognised", "<p>This preferences link is not valid.</p>", StatusCodes.Status404NotFound);
        }
        var form = await request.ReadFormAsync(cancellationToken);
        await preferences.SetAsync(customerId, form["marketingEmail"] == "true", form["marketingSms"] == "true", form["transactionalEmail"] == "true", "customer", cancellationToken);
        return Page("Saved", "<p>Your preferences are saved.</p>");
    }

    private static (Channel, SuppressionReason) Check(Channel? channel, SuppressionReason? reason, IReadOnlyList<string> addresses, string field)
    {
        var check = new Validation();
        if (channel is not (null or Channel.Email or Channel.Sms))
        {
            check.Add("channel", "must be email or sms.");
        }
        if (addresses.Count is 0 or > 10_000)
        {
            check.Add(field, "must hold 1 to 10,000 addresses.");
        }
        foreach (var bad in addresses.Where(a => string.IsNullOrWhiteSpace(a) || a.Length > 254 || ((channel ?? Channel.Email) == Channel.Email && !a.Contains('@'))).Take(10))
        {
            check.Add(field, $"'{bad}' is not an address.");
        }
        check.ThrowIfInvalid();
        return (channel ?? Channel.Email, reason ?? SuppressionReason.Manual);
    }

    private static string Csv(string value) => value.Contains(',') || value.Contains('"') ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;

    private static IResult Page(string title, string body, int status = StatusCodes.Status200OK) =>
        TypedResults.Content($"""
            <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
            <title>{WebUtility.HtmlEncode(title)} · Pecos River Traders</title>
            <style>body{"{"}font-family:Georgia,serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#3b2a1a{"}"}button{"{"}background:#8b4513;color:#fff;border:0;padding:.6rem 1.2rem;font-size:1rem{"}"}</style>
            </head><body><h1>{WebUtility.HtmlEncode(title)}</h1>{body}</body></html>
            """, "text/html", Encoding.UTF8, status);
}

public sealed record PreferencesRequest(bool? MarketingEmail, bool? MarketingSms, bool? TransactionalEmail);

public sealed record SuppressionRequest(string? Address, Channel? Channel, SuppressionReason? Reason);

public sealed record SuppressionImport(IReadOnlyList<string>? Addresses, Channel? Channel, SuppressionReason? Reason);

public sealed record ImportResult(int Imported);
