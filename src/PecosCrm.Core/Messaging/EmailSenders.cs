using System.Net;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Storage;
using SendGrid;
using SendGrid.Helpers.Mail;

namespace PecosCrm.Core.Messaging;

/// <summary>An email ready to leave: addresses, content, extra headers, the custom args that tie provider events back to it, and any files attached.</summary>
public sealed record OutgoingEmail(
    string To, string? ToName, string From, string FromName, string Subject, string Html, string Text,
    IReadOnlyDictionary<string, string> Headers, IReadOnlyDictionary<string, string> CustomArgs, string? Category, string? ReplyTo = null,
    IReadOnlyList<EmailAttachment>? Attachments = null);

/// <summary>A file attached to an email (a scheduled report's CSV or XLSX); SendGrid takes it base64-encoded.</summary>
public sealed record EmailAttachment(string FileName, string ContentType, byte[] Content);

/// <summary>
/// One provider request carrying several recipients of the same content (SendGrid's
/// <c>personalizations</c>): each recipient has their own subject, headers, custom args and the
/// values of the substitution tags that <see cref="Html"/> and <see cref="Text"/> hold in place of
/// per-recipient links. SendGrid takes at most <see cref="MaxRecipients"/> personalizations a request,
/// each address once.
/// </summary>
public sealed record OutgoingBatch(string From, string FromName, string Html, string Text, string? Category, IReadOnlyList<OutgoingRecipient> Recipients)
{
    public const int MaxRecipients = 1000;

    /// <summary>The email one recipient gets: the content with their substitutions made.</summary>
    public OutgoingEmail For(OutgoingRecipient r) =>
        new(r.To, r.ToName, From, FromName, r.Subject, Substitute(Html, r.Substitutions), Substitute(Text, r.Substitutions), r.Headers, r.CustomArgs, Category);

    public static string Substitute(string content, IReadOnlyDictionary<string, string> substitutions) =>
        substitutions.Aggregate(content, (text, s) => text.Replace(s.Key, s.Value, StringComparison.Ordinal));
}

/// <summary>One recipient of an <see cref="OutgoingBatch"/>.</summary>
public sealed record OutgoingRecipient(
    string To, string? ToName, string Subject, IReadOnlyDictionary<string, string> Substitutions,
    IReadOnlyDictionary<string, string> Headers, IReadOnlyDictionary<string, string> CustomArgs);

public enum SendResult
{
    Accepted,

    /// <summary>Worth trying again later: throttled (429), the provider's own errors (5xx), the network.</summary>
    Transient,

    /// <summary>Will never work as it is: a bad request, a rejected key, a refused address.</summary>
    Permanent,
}

public sealed record SendOutcome(SendResult Result, string? ProviderMessageId, string? Error);

/// <summary>Hands an email to whatever delivers it.</summary>
public interface IEmailSender
{
    /// <summary>Where email goes: <c>sendgrid</c> or <c>outbox</c>.</summary>
    string Name { get; }

    Task<SendOutcome> SendAsync(OutgoingEmail email, CancellationToken cancellationToken = default);

    /// <summary>Hands over several recipients in one request: the provider takes or refuses the request as a whole.</summary>
    Task<SendOutcome> SendBatchAsync(OutgoingBatch batch, CancellationToken cancellationToken = default);
}

/// <summary>
/// Sends through SendGrid's v3 mail API with the <c>SendGrid</c> client. The custom args travel with
/// the message and come back on every event SendGrid posts to the event webhook.
/// </summary>
public sealed class SendGridEmailSender(HttpClient http, IOptions<MessagingOptions> options) : IEmailSender
{
    private readonly SendGridClient _client = new(http, new SendGridClientOptions { ApiKey = options.Value.SendGridApiKey, Host = options.Value.SendGridApiHost });

    public string Name => "sendgrid";

    public async Task<SendOutcome> SendAsync(OutgoingEmail email, CancellationToken cancellationToken = default)
    {
        var message = MailHelper.CreateSingleEmail(new EmailAddress(email.From, email.FromName), new EmailAddress(email.To, email.ToName), email.Subject, email.Text, email.Html);
        foreach (var (name, value) in email.Headers)
        {
            message.AddHeader(name, value);
        }
        foreach (var (name, value) in email.CustomArgs)
        {
            message.AddCustomArg(name, value);
        }
        if (email.Category is { } category)
        {
            message.AddCategory(category);
        }
        if (email.ReplyTo is { } replyTo)
        {
            message.ReplyTo = new EmailAddress(replyTo);
        }
        foreach (var attachment in email.Attachments ?? [])
        {
            message.AddAttachment(attachment.FileName, Convert.ToBase64String(attachment.Content), attachment.ContentType);
        }
        return await SendAsync(message, cancellationToken);
    }

    public async Task<SendOutcome> SendBatchAsync(OutgoingBatch batch, CancellationToken cancellationToken = default)
    {
        var message = new SendGridMessage
        {
            From = new EmailAddress(batch.From, batch.FromName),
            PlainTextContent = batch.Text,
            HtmlContent = batch.Html,
            Personalizations = batch.Recipients.Select(r => new Personalization
            {
                Tos = [new EmailAddress(r.To, r.ToName)],
                Subject = r.Subject,
                Headers = new Dictionary<string, string>(r.Headers),
                Substitutions = r.Substitutions.Count == 0 ? null : new Dictionary<string, string>(r.Substitutions),
                CustomArgs = new Dictionary<string, string>(r.CustomArgs),
            }).ToList(),
        };
        if (batch.Category is { } category)
        {
            message.AddCategory(category);
        }
        return await SendAsync(message, cancellationToken);
    }

    private async Task<SendOutcome> SendAsync(SendGridMessage message, CancellationToken cancellationToken)
    {
        Response response;
        try
        {
            response = await _client.SendEmailAsync(message, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            return new SendOutcome(SendResult.Transient, null, "SendGrid unreachable: " + ex.Message);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new SendOutcome(SendResult.Transient, null, "SendGrid did not answer in time");
        }
        if (response.IsSuccessStatusCode)
        {
            var id = response.Headers.TryGetValues("X-Message-Id", out var values) ? values.FirstOrDefault() : null;
            return new SendOutcome(SendResult.Accepted, id, null);
        }
        var body = await response.Body.ReadAsStringAsync(cancellationToken);
        var error = $"SendGrid answered {(int)response.StatusCode}: {(body.Length > 500 ? body[..500] : body)}";
        var transient = response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500;
        return new SendOutcome(transient ? SendResult.Transient : SendResult.Permanent, null, error);
    }
}

/// <summary>
/// The development outbox: with no SendGrid key, email is kept in the <c>outbox</c> table instead of
/// sent, exactly as it would have left (headers and custom args included), for staff to read
/// through <c>GET /api/outbox</c>.
/// </summary>
public sealed class OutboxEmailSender(StorageAccount storage, TimeProvider time) : IEmailSender
{
    public string Name => "outbox";

    public async Task<SendOutcome> SendAsync(OutgoingEmail email, CancellationToken cancellationToken = default)
    {
        var id = NewId();
        await storage.Table(StorageNames.Tables.Outbox).AddEntityAsync(Row(email, id, time.GetUtcNow()), cancellationToken);
        return new SendOutcome(SendResult.Accepted, id, null);
    }

    /// <summary>Keeps each recipient's email as it would have arrived (substitutions made), 100 rows a transaction.</summary>
    public async Task<SendOutcome> SendBatchAsync(OutgoingBatch batch, CancellationToken cancellationToken = default)
    {
        var id = NewId();
        var now = time.GetUtcNow();
        var rows = batch.Recipients.Select((r, i) => Row(batch.For(r), $"{id}-{i:D4}", now));
        await storage.Table(StorageNames.Tables.Outbox).SubmitChunkedAsync(rows.Select(r => new TableTransactionAction(TableTransactionActionType.Add, r)), cancellationToken);
        return new SendOutcome(SendResult.Accepted, id, null);
    }

    private static string NewId() => "outbox-" + Guid.NewGuid().ToString("N")[..16];

    private static TableEntity Row(OutgoingEmail email, string id, DateTimeOffset now) => new(MessagingKeys.OutboxPartition(Channel.Email), MessagingKeys.Outbox(now, id))
    {
        ["To"] = email.To,
        ["From"] = email.From,
        ["Subject"] = email.Subject,
        ["Html"] = email.Html,
        ["Text"] = email.Text,
        ["Headers"] = JsonSerializer.Serialize(email.Headers, CrmJson.Options),
        ["CustomArgs"] = JsonSerializer.Serialize(email.CustomArgs, CrmJson.Options),
        ["Category"] = email.Category,
        ["ReplyTo"] = email.ReplyTo,
        ["Attachments"] = email.Attachments is { Count: > 0 } files ? JsonSerializer.Serialize(files.Select(f => new { f.FileName, f.ContentType, Bytes = f.Content.Length }), CrmJson.Options) : null,
        ["At"] = now,
    };
}

/// <summary>One email or SMS kept by the development outbox.</summary>
public sealed record OutboxItem(
    string Id, string Channel, string To, string? From, string? Subject, string? Html, string? Text,
    IReadOnlyDictionary<string, string> Headers, IReadOnlyDictionary<string, string> CustomArgs, DateTimeOffset At);

/// <summary>Reads the development outbox, newest first.</summary>
public sealed class Outbox(StorageAccount storage) : Privacy.IPersonalData
{
    /// <summary>Outbox copies are development aids, not records about the customer: the export has no file for them.</summary>
    Task Privacy.IPersonalData.ExportAsync(string customerId, Privacy.PersonalDataArchive archive, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Deletes the copies of emails sent to the customer's address.</summary>
    async Task<int> Privacy.IPersonalData.EraseAsync(Privacy.ErasureContext context, CancellationToken cancellationToken) =>
        context.Email is { } email
            ? await Privacy.PersonalRows.DeleteWhereAsync(storage.Table(StorageNames.Tables.Outbox), TableClient.CreateQueryFilter($"PartitionKey eq {MessagingKeys.OutboxPartition(Channel.Email)} and To eq {email}"), cancellationToken)
            : 0;

    public async Task<Storage.Page<OutboxItem>> ListAsync(Channel channel, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        var partition = MessagingKeys.OutboxPartition(channel);
        var page = await storage.Table(StorageNames.Tables.Outbox).QueryPageAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), limit, cursor, cancellationToken);
        return page.Select(r => new OutboxItem(
            MessagingKeys.OutboxIdOf(r.RowKey), partition, r.GetString("To"), r.GetString("From"), r.GetString("Subject"), r.GetString("Html"), r.GetString("Text"),
            JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString("Headers") ?? "{}", CrmJson.Options) ?? [],
            JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString("CustomArgs") ?? "{}", CrmJson.Options) ?? [],
            r.GetDateTimeOffset("At") ?? default));
    }
}
