using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Staff;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Messaging;

/// <summary>Something a customer (or a stranger) sent: an email, a contact form, a chat transcript, a text message.</summary>
public sealed record InboundMessage(
    Channel Channel, string Address, string? Name, string? Subject, string Text, string? Html, DateTimeOffset? At, string Source, IReadOnlyList<IncomingFile>? Files = null);

/// <summary>A thread of the unified inbox, as listed.</summary>
public sealed record Conversation(
    string Id, Channel Channel, string? CustomerId, string Address, string? Name, string Subject, string Status, string? AssignedTo,
    int Unread, DateTimeOffset LastMessageAt, string LastPreview, string Source, DateTimeOffset CreatedAt);

/// <summary>
/// One message of a thread. <c>Internal</c> marks a staff note: shown to staff in the thread, never
/// sent to the customer, never in their communication log. <c>Attachments</c> are the files that came
/// with an inbound email (see <c>Inbox.Attachments.cs</c>).
/// </summary>
public sealed record ConversationMessage(
    string Id, Direction Direction, Channel Channel, string? From, string Text, string? Html, DateTimeOffset At, string? SentBy, string? LogMessageId, bool Internal = false,
    IReadOnlyList<ConversationAttachment>? Attachments = null);

public sealed record ConversationThread(Conversation Conversation, IReadOnlyList<ConversationMessage> Messages);

/// <summary>An inbox page, and how many unread messages wait in open conversations.</summary>
public sealed record InboxPage(IReadOnlyList<Conversation> Items, string? NextCursor, int Unread);

/// <summary>
/// The unified inbox. Inbound email (SendGrid Inbound Parse), contact forms, chat transcripts and
/// text messages land in conversations, matched to a customer by address and threaded by sender and
/// subject ("Re:" and "Fwd:" set aside; one thread per number for SMS). Each conversation row in
/// <c>conversations</c> (partition <c>conversation</c>) has an index row in partition <c>open</c> or
/// <c>archived</c> keyed by inverted last-message time, moved on every message, so the inbox reads
/// newest first; a conversation's messages are in partition <c>m|{id}</c>. Messages of a known
/// customer also go into their communication log and timeline.
/// </summary>
public sealed partial class Inbox(
    StorageAccount storage, CustomerStore customers, MessageService messages, IEmailSender email, StaffStore staff, BlobFiles blobs, IOptions<MessagingOptions> options, TimeProvider time)
{
    private const string ConversationPartition = MessagingKeys.ConversationPartition;
    private const string ThreadPartition = MessagingKeys.ThreadPartition;

    private TableClient Table => storage.Table(StorageNames.Tables.Conversations);

    public async Task<Conversation> ReceiveAsync(InboundMessage inbound, CancellationToken cancellationToken = default)
    {
        var check = new Validation();
        check.Required(inbound.Channel == Channel.Sms ? "phone" : "email", inbound.Address, 254).Required("message", inbound.Text, 100_000).MaxLength("subject", inbound.Subject, 500);
        if (inbound.Channel != Channel.Sms)
        {
            check.Email("email", inbound.Address);
        }
        check.ThrowIfInvalid();
        var at = inbound.At ?? time.GetUtcNow();
        var customer = inbound.Channel == Channel.Sms
            ? (await customers.FindByPhoneAsync(inbound.Address, 1, null, cancellationToken)).Items.FirstOrDefault()?.Id
            : (await customers.FindByEmailAsync(inbound.Address, cancellationToken))?.Id;
        var subject = string.IsNullOrWhiteSpace(inbound.Subject) ? (inbound.Channel == Channel.Sms ? "Text message" : "(no subject)") : inbound.Subject.Trim();
        var threadKey = ThreadKey(inbound.Channel, inbound.Address, subject);
        var conversation = await FindThreadAsync(threadKey, cancellationToken);
        string? logId = null;
        if (customer is not null)
        {
            var logged = await messages.LogAsync(customer, new ManualMessage(inbound.Channel, Direction.Inbound, subject, inbound.Text, inbound.Address, at, conversation?.RowKey), "customer", cancellationToken);
            logId = logged.Id;
        }
        if (conversation is null)
        {
            conversation = new TableEntity(ConversationPartition, Ids.New(time))
            {
                ["Channel"] = inbound.Channel.ToString(),
                ["CustomerId"] = customer,
                ["Address"] = inbound.Address.Trim(),
                ["Name"] = inbound.Name,
                ["Subject"] = subject,
                ["Status"] = "open",
                ["Unread"] = 0,
                ["Source"] = inbound.Source,
                ["CreatedAt"] = at,
            };
            await Table.AddEntityAsync(conversation, cancellationToken);
            conversation = (await Table.GetEntityAsync<TableEntity>(ConversationPartition, conversation.RowKey, cancellationToken: cancellationToken)).Value;
            await Table.UpsertEntityAsync(new TableEntity(ThreadPartition, threadKey) { ["ConversationId"] = conversation.RowKey }, TableUpdateMode.Replace, cancellationToken);
        }
        var (attachments, refused) = await StoreFilesAsync(conversation.RowKey, inbound.Files ?? [], cancellationToken);
        await AddMessageAsync(conversation.RowKey, new ConversationMessage(Guid.NewGuid().ToString("N"), Direction.Inbound, inbound.Channel, inbound.Address, inbound.Text, inbound.Html, at, null, logId,
            Attachments: attachments), cancellationToken);
        if (refused.Count > 0)
        {
            await AddMessageAsync(conversation.RowKey, new ConversationMessage(Guid.NewGuid().ToString("N"), Direction.Outbound, inbound.Channel, "system",
                $"Attachments refused: {string.Join("; ", refused)}", null, at.AddTicks(1), "system", null, Internal: true), cancellationToken); // Right after the message it is about.
        }
        return await TouchAsync(conversation.RowKey, c =>
        {
            c["Unread"] = (c.GetInt32("Unread") ?? 0) + 1;
            c["Status"] = "open";
            c["CustomerId"] ??= customer;
            Last(c, at, inbound.Text);
        }, cancellationToken);
    }

    public async Task<InboxPage> ListAsync(string? status, string? assignedTo, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        var partition = status ?? MessagingKeys.OpenPartition;
        if (partition is not (MessagingKeys.OpenPartition or MessagingKeys.ArchivedPartition))
        {
            throw new ValidationFailedException("status", "must be open or archived.");
        }
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition}");
        if (assignedTo is not null)
        {
            filter += " and " + TableClient.CreateQueryFilter($"AssignedTo eq {assignedTo}");
        }
        var page = await Table.QueryPageAsync<TableEntity>(filter, limit, cursor, cancellationToken);
        var unread = 0;
        await foreach (var row in Table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {MessagingKeys.OpenPartition}"), select: ["Unread"], cancellationToken: cancellationToken))
        {
            unread += row.GetInt32("Unread") ?? 0;
        }
        return new InboxPage(page.Items.Select(r => ToRecord(r, r.GetString("ConversationId"))).ToList(), page.NextCursor, unread);
    }

    public async Task<ConversationThread> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        var conversation = await GetEntityAsync(id, cancellationToken);
        var items = new List<ConversationMessage>();
        await foreach (var row in Table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {MessagingKeys.MessagesPartition(id)}"), cancellationToken: cancellationToken))
        {
            items.Add(new ConversationMessage(row.GetString("MessageId"), Enum.Parse<Direction>(row.GetString("Direction")), Enum.Parse<Channel>(row.GetString("Channel")),
                row.GetString("From"), row.GetString("Text") ?? "", row.GetString("Html"), row.GetDateTimeOffset("At") ?? default, row.GetString("SentBy"), row.GetString("LogMessageId"), row.GetBoolean("Internal") ?? false, ReadAttachments(row)));
        }
        return new ConversationThread(ToRecord(conversation, id), items);
    }

    public Task<Conversation> MarkReadAsync(string id, CancellationToken cancellationToken = default) =>
        TouchAsync(id, c => c["Unread"] = 0, cancellationToken, mustExist: true);

    public async Task<Conversation> AssignAsync(string id, string? staffId, CancellationToken cancellationToken = default)
    {
        if (staffId is not null && (!KeyRules.IsValidKey(staffId) || await staff.FindAsync(staffId, cancellationToken) is null))
        {
            throw new ValidationFailedException("staffId", $"no staff member has the id '{staffId}'.");
        }
        return await TouchAsync(id, c => c["AssignedTo"] = staffId, cancellationToken, mustExist: true);
    }

    public Task<Conversation> ArchiveAsync(string id, bool archived, CancellationToken cancellationToken = default) =>
        TouchAsync(id, c => c["Status"] = archived ? "archived" : "open", cancellationToken, mustExist: true);

    /// <summary>
    /// Answers a conversation by email or SMS (its own channel unless told otherwise). A known
    /// customer's reply goes through the message service, so it is logged, checked and retried like
    /// any message; a stranger's email reply goes straight to the sender.
    /// </summary>
    public async Task<Conversation> ReplyAsync(string id, string? text, string? html, Channel? channel, string actor, CancellationToken cancellationToken = default)
    {
        var conversation = await GetEntityAsync(id, cancellationToken);
        var via = channel ?? (Enum.Parse<Channel>(conversation.GetString("Channel")) == Channel.Sms ? Channel.Sms : Channel.Email);
        var check = new Validation();
        if (string.IsNullOrWhiteSpace(text) && string.IsNullOrWhiteSpace(html))
        {
            check.Add("text", "is required (or html).");
        }
        if (via is not (Channel.Email or Channel.Sms))
        {
            check.Add("channel", "must be email or sms.");
        }
        var customerId = conversation.GetString("CustomerId");
        if (via == Channel.Sms && customerId is null)
        {
            check.Add("channel", "an SMS reply needs the sender to be a known customer.");
        }
        check.ThrowIfInvalid();
        var subject = conversation.GetString("Subject");
        var replySubject = Regex.IsMatch(subject, "^re:", RegexOptions.IgnoreCase) ? subject : "Re: " + subject;
        var body = text ?? PecosCrm.Core.Messaging.Templates.HtmlText.Convert(html!);
        string? logId = null;
        if (customerId is not null)
        {
            var sent = via == Channel.Sms
                ? await messages.SendSmsAsync(new SmsRequest(customerId, body, ThreadId: id), actor, cancellationToken)
                : await messages.SendEmailAsync(new EmailRequest(customerId, Subject: replySubject, Html: html, Text: text, ThreadId: id), actor, cancellationToken);
            logId = sent.Id;
            if (sent.Status == MessageStatus.Skipped)
            {
                throw new ConflictException(sent.Error ?? "The reply could not be sent.");
            }
        }
        else
        {
            var o = options.Value;
            var outcome = await email.SendAsync(new OutgoingEmail(conversation.GetString("Address"), conversation.GetString("Name"), o.FromEmail, o.FromName, replySubject,
                html ?? System.Net.WebUtility.HtmlEncode(body).Replace("\n", "<br>\n", StringComparison.Ordinal), body,
                new Dictionary<string, string>(), new Dictionary<string, string> { ["pecos_conversation_id"] = id }, "inbox"), cancellationToken);
            if (outcome.Result != SendResult.Accepted)
            {
                throw new ConflictException("The reply could not be sent: " + outcome.Error);
            }
        }
        var at = time.GetUtcNow();
        await AddMessageAsync(id, new ConversationMessage(Guid.NewGuid().ToString("N"), Direction.Outbound, via, SenderAddress(via), body, html, at, actor, logId), cancellationToken);
        return await TouchAsync(id, c =>
        {
            c["Unread"] = 0;
            Last(c, at, body);
        }, cancellationToken);
    }

    /// <summary>
    /// Adds an internal note to a conversation: staff see it in the thread, marked internal; it is
    /// not sent, not logged as a message to the customer, and leaves the unread count and the
    /// preview as they were.
    /// </summary>
    public async Task<ConversationMessage> AddNoteAsync(string id, string? text, string actor, CancellationToken cancellationToken = default)
    {
        var conversation = await GetEntityAsync(id, cancellationToken);
        new Validation().Required("text", text, 30_000).ThrowIfInvalid();
        var note = new ConversationMessage(Guid.NewGuid().ToString("N"), Direction.Outbound, Enum.Parse<Channel>(conversation.GetString("Channel")), actor,
            text!.Trim(), null, time.GetUtcNow(), actor, null, Internal: true);
        await AddMessageAsync(id, note, cancellationToken);
        return note;
    }

    private string SenderAddress(Channel via) => via == Channel.Sms ? options.Value.SmsFrom ?? "" : options.Value.FromEmail;

    /// <summary>
    /// Checks a Twilio webhook signature: Base64(HMAC-SHA1(auth token, URL + each form field name and
    /// value, sorted by name)). Null when valid, else why not.
    /// </summary>
    public string? VerifyTwilio(string? signature, string url, IEnumerable<KeyValuePair<string, string>> form)
    {
        if (options.Value.SmsAuthToken is not { Length: > 0 } token)
        {
            return "no SMS auth token is configured";
        }
        if (string.IsNullOrEmpty(signature))
        {
            return "the request is not signed";
        }
        var data = new StringBuilder(url);
        foreach (var (key, value) in form.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            data.Append(key).Append(value);
        }
        var expected = HMACSHA1.HashData(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(data.ToString()));
        byte[] given;
        try
        {
            given = Convert.FromBase64String(signature);
        }
        catch (FormatException)
        {
            return "the signature is malformed";
        }
        return CryptographicOperations.FixedTimeEquals(expected, given) ? null : "the signature does not match";
    }

    private async Task AddMessageAsync(string conversationId, ConversationMessage m, CancellationToken cancellationToken) =>
        await Table.AddEntityAsync(new TableEntity(MessagingKeys.MessagesPartition(conversationId), MessagingKeys.ConversationMessage(m.At, m.Id))
        {
            ["MessageId"] = m.Id,
            ["Direction"] = m.Direction.ToString(),
            ["Channel"] = m.Channel.ToString(),
            ["From"] = m.From,
            ["Text"] = m.Text.Length > 30_000 ? m.Text[..30_000] : m.Text,
            ["Html"] = m.Html is { Length: > 30_000 } h ? h[..30_000] : m.Html,
            ["At"] = m.At,
            ["SentBy"] = m.SentBy,
            ["LogMessageId"] = m.LogMessageId,
            ["Internal"] = m.Internal ? true : null,
            ["Attachments"] = WriteAttachments(m.Attachments),
        }, cancellationToken);

    private async Task<TableEntity> GetEntityAsync(string id, CancellationToken cancellationToken) =>
        (KeyRules.IsValidKey(id) ? await Table.FindAsync<TableEntity>(ConversationPartition, id, cancellationToken) : null) ?? throw new NotFoundException("Conversation", id);

    private async Task<TableEntity?> FindThreadAsync(string threadKey, CancellationToken cancellationToken)
    {
        var pointer = await Table.FindAsync<TableEntity>(ThreadPartition, threadKey, cancellationToken);
        return pointer is null ? null : await Table.FindAsync<TableEntity>(ConversationPartition, pointer.GetString("ConversationId"), cancellationToken);
    }

    /// <summary>Changes a conversation under its ETag and moves its index row to match.</summary>
    private async Task<Conversation> TouchAsync(string id, Action<TableEntity> change, CancellationToken cancellationToken, bool mustExist = false)
    {
        var (c, oldIndex, newIndex) = await OptimisticRetry.RunAsync(async _ =>
        {
            var c = await GetEntityAsync(id, cancellationToken);
            var oldIndex = (c.GetString("IndexPartition"), c.GetString("IndexKey"));
            change(c);
            var at = c.GetDateTimeOffset("LastMessageAt") ?? c.GetDateTimeOffset("CreatedAt") ?? time.GetUtcNow();
            var newIndex = (c.GetString("Status"), MessagingKeys.ByLastMessage(at, id));
            c["IndexPartition"] = newIndex.Item1;
            c["IndexKey"] = newIndex.Item2;
            await Table.UpdateEntityAsync(c, c.ETag, TableUpdateMode.Replace, cancellationToken);
            return (c, oldIndex, newIndex);
        }, cancellationToken: cancellationToken);
        var index = new TableEntity(newIndex.Item1, newIndex.Item2) { ["ConversationId"] = id };
        foreach (var (key, value) in c.Where(p => p.Key is not ("PartitionKey" or "RowKey" or "Timestamp" or "odata.etag")))
        {
            index[key] = value;
        }
        await Table.UpsertEntityAsync(index, TableUpdateMode.Replace, cancellationToken);
        if (oldIndex.Item1 is not null && oldIndex != newIndex)
        {
            await Table.DeleteEntityAsync(oldIndex.Item1, oldIndex.Item2, ETag.All, cancellationToken);
        }
        return ToRecord(c, id);
    }

    private static void Last(TableEntity c, DateTimeOffset at, string text)
    {
        if (c.GetDateTimeOffset("LastMessageAt") is { } last && last > at)
        {
            return;
        }
        c["LastMessageAt"] = at;
        c["LastPreview"] = text.Length > 140 ? text[..137] + "..." : text;
    }

    private static Conversation ToRecord(TableEntity c, string id) => new(
        id, Enum.Parse<Channel>(c.GetString("Channel")), c.GetString("CustomerId"), c.GetString("Address"), c.GetString("Name"), c.GetString("Subject"),
        c.GetString("Status"), c.GetString("AssignedTo"), c.GetInt32("Unread") ?? 0,
        c.GetDateTimeOffset("LastMessageAt") ?? c.GetDateTimeOffset("CreatedAt") ?? default, c.GetString("LastPreview") ?? "", c.GetString("Source") ?? "",
        c.GetDateTimeOffset("CreatedAt") ?? default);

    /// <summary>Sender and subject, with reply and forward prefixes set aside, hashed into a key.</summary>
    private static string ThreadKey(Channel channel, string address, string subject)
    {
        var normalizedAddress = channel == Channel.Sms ? new string(address.Where(char.IsDigit).ToArray()) : address.Trim().ToLowerInvariant();
        var normalizedSubject = channel == Channel.Sms ? "" : ReplyPrefix().Replace(subject, "").Trim().ToLowerInvariant();
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{channel}|{normalizedAddress}|{normalizedSubject}")))[..40];
    }

    [GeneratedRegex(@"^((re|fwd?|aw|sv)\s*:\s*)+", RegexOptions.IgnoreCase)]
    private static partial Regex ReplyPrefix();
}
