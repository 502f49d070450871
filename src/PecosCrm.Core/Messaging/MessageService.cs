using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Messaging;

/// <summary>
/// An email to one customer: a template (rendered for the customer) or content written by hand.
/// <paramref name="SendAt"/> sends at a time; <paramref name="LocalTime"/> (<c>HH:mm</c>) sends at that
/// time of day in the customer's own time zone, on <paramref name="LocalDate"/> or the next such time.
/// </summary>
public sealed record EmailRequest(
    string? CustomerId,
    string? TemplateId = null,
    string? Subject = null,
    string? Html = null,
    string? Text = null,
    MessagePurpose? Purpose = null,
    string? OrderId = null,
    IReadOnlyDictionary<string, object?>? Variables = null,
    DateTimeOffset? SendAt = null,
    string? LocalTime = null,
    string? LocalDate = null,
    string? CampaignId = null,
    string? ThreadId = null,
    string? MessageId = null);

/// <summary>Subject and bodies of an email, and the template they came from.</summary>
public sealed record EmailContent(string Subject, string Html, string Text, string? TemplateId, int? TemplateVersion, MessagePurpose Purpose);

/// <summary>Turns a request into content for one customer and one message (templates plug in here).</summary>
public interface IEmailComposer
{
    Task<EmailContent> ComposeAsync(EmailRequest request, Customer customer, string messageId, CancellationToken cancellationToken);
}

/// <summary>
/// Sends email and keeps the communication log. A request is checked (consent, suppression),
/// rendered and logged; then a queue message per email sends it, so a slow or failing provider never
/// holds up the caller. Transient failures (429, 5xx, network) are retried from the queue with a
/// doubling delay; permanent ones mark the message failed with the provider's reason. Consent and
/// suppression are checked again just before sending. A message found half-sent after a crash
/// (status <c>sending</c>) is marked failed instead of sent again: the provider may have taken it,
/// and a customer must never get the same email twice.
/// </summary>
public sealed partial class MessageService(
    StorageAccount storage, MessageStore log, Suppressions suppressions, Preferences preferences, CustomerStore customers, SmsNumbers numbers,
    IEmailSender sender, ISmsSender smsSender, IEmailComposer composer, Templates.InlineTextRenderer inline,
    SignedLinks links, Touches touches, IEnumerable<IMessageEventObserver> observers, IOptions<MessagingOptions> options, StoreTime storeTime, TimeProvider time, ILogger<MessageService> logger)
{

    private TableClient Scheduled => storage.Table(StorageNames.Tables.ScheduledMessages);

    public Task<Message> SendEmailAsync(EmailRequest request, string sentBy, CancellationToken cancellationToken = default) =>
        SendEmailAsync(request, sentBy, request.MessageId, queue: true, cancellationToken);

    /// <summary>
    /// As the public overload, with two choices for bulk senders. <paramref name="messageId"/> (made by
    /// <see cref="MessageStore.NewId"/> and recorded by the caller first) makes the call idempotent: when a
    /// message with that id is already logged, it is returned as it is, so a caller that crashed can
    /// call again without a second message. Without <paramref name="queue"/>, a message ready to go
    /// stays <c>queued</c> with no queue message, and the caller sends it with <see cref="DispatchAsync"/>
    /// (a campaign batch does, instead of one queue message per email).
    /// </summary>
    internal async Task<Message> SendEmailAsync(EmailRequest request, string sentBy, string? messageId, bool queue, CancellationToken cancellationToken)
    {
        var check = new Validation();
        check.Required("customerId", request.CustomerId, 100);
        if (request.TemplateId is null && (string.IsNullOrWhiteSpace(request.Subject) || (string.IsNullOrWhiteSpace(request.Html) && string.IsNullOrWhiteSpace(request.Text))))
        {
            check.Add("templateId", "give a templateId, or a subject with html or text.");
        }
        if (request.SendAt is not null && request.LocalTime is not null)
        {
            check.Add("localTime", "give either sendAt or localTime, not both.");
        }
        if (request.LocalTime is not null && !TimeOnly.TryParseExact(request.LocalTime, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            check.Add("localTime", "must be a time of day as HH:mm.");
        }
        if (request.LocalDate is not null && (request.LocalTime is null || !DateOnly.TryParseExact(request.LocalDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)))
        {
            check.Add("localDate", "must be a date as yyyy-MM-dd, with localTime.");
        }
        check.ThrowIfInvalid();
        var customer = await customers.FindAsync(request.CustomerId!, cancellationToken)
            ?? throw new ValidationFailedException("customerId", $"no customer has the id '{request.CustomerId}'.");

        var now = time.GetUtcNow();
        if (messageId is { } chosen && await log.FindEntityAsync(customer.Id, chosen, cancellationToken) is { } existing)
        {
            // Asked again with the same id (a retry after a crash): the message exists, send it at most once.
            if (queue && existing.StatusValue == MessageStatus.Queued)
            {
                await QueueAsync(customer.Id, chosen, null, cancellationToken);
            }
            return existing.ToRecord();
        }
        var id = messageId ?? log.NewId();
        var content = await composer.ComposeAsync(request, customer, id, cancellationToken);
        var sendAt = request.LocalTime is { } local ? storeTime.LocalSendTime(customer.TimeZone, local, request.LocalDate, now) : request.SendAt;
        var message = new MessageEntity
        {
            PartitionKey = customer.Id,
            RowKey = MessageEntity.Prefix + id,
            Channel = nameof(Channel.Email),
            Direction = nameof(Direction.Outbound),
            Purpose = content.Purpose.ToString(),
            To = customer.Email,
            From = options.Value.FromEmail,
            Subject = content.Subject,
            Html = content.Html,
            Text = content.Text,
            TemplateId = content.TemplateId,
            TemplateVersion = content.TemplateVersion,
            SentBy = sentBy,
            CampaignId = request.CampaignId,
            ThreadId = request.ThreadId,
            CreatedAt = now,
            UnsubscribeUrl = content.Purpose == MessagePurpose.Marketing ? links.Unsubscribe(customer.Id, id) : null,
        };
        var blocked = await BlockedAsync(customer, Channel.Email, content.Purpose, cancellationToken);
        if (blocked is not null)
        {
            message.Reach(MessageStatus.Skipped, now);
            message.Error = "Not sent: " + blocked;
            return (await AddOnceAsync(message, $"Email not sent: {content.Subject}", messageId is not null, cancellationToken) ?? message).ToRecord();
        }
        if (sendAt is { } at && at > now)
        {
            message.ScheduledAt = at;
            message.Reach(MessageStatus.Scheduled, now);
            await log.AddAsync(message, null, cancellationToken);
            await Scheduled.UpsertEntityAsync(new TableEntity(ScheduledPartition, ScheduledKey(at, customer.Id, id)) { ["CustomerId"] = customer.Id, ["MessageId"] = id },
                TableUpdateMode.Replace, cancellationToken);
            return message.ToRecord();
        }
        message.Reach(MessageStatus.Queued, now);
        if (await AddOnceAsync(message, null, messageId is not null, cancellationToken) is { } logged)
        {
            return logged.ToRecord();
        }
        if (queue)
        {
            await QueueAsync(customer.Id, id, null, cancellationToken);
        }
        return message.ToRecord();
    }

    /// <summary>Logs a new message; null when it was added, the message already there when a caller-chosen id was logged meanwhile (two callers with one id).</summary>
    private async Task<MessageEntity?> AddOnceAsync(MessageEntity message, string? timelineTitle, bool callerChoseId, CancellationToken cancellationToken)
    {
        try
        {
            await log.AddAsync(message, timelineTitle, cancellationToken);
            return null;
        }
        catch (ConcurrencyException) when (callerChoseId)
        {
            return await log.FindEntityAsync(message.PartitionKey, message.Id, cancellationToken) ?? throw new ConcurrencyException();
        }
    }

    /// <summary>
    /// Sends one queued message; see the class remarks for what a retry or a crash does. Returns the
    /// message as it stands afterwards (null when there is none).
    /// </summary>
    public async Task<Message?> DispatchAsync(string customerId, string messageId, CancellationToken cancellationToken = default)
    {
        var message = await log.FindEntityAsync(customerId, messageId, cancellationToken);
        if (message is null)
        {
            return null;
        }
        if (message.StatusValue == MessageStatus.Sending)
        {
            // Another worker may be sending it right now; only a claim older than any send could take is a crash.
            if (message.StepTimes().GetValueOrDefault(MessageStatus.Sending) > time.GetUtcNow() - options.Value.SendingTimeout)
            {
                return message.ToRecord();
            }
            return (await log.UpdateAsync(customerId, messageId, m => m.StatusValue == MessageStatus.Sending, m =>
            {
                m.Reach(MessageStatus.Failed, time.GetUtcNow());
                m.Error = "The send was interrupted and its outcome is unknown; not sent again, so the customer never gets it twice.";
                return $"{Word(m)} failed: {Summary(m)}";
            }, cancellationToken)).Message?.ToRecord();
        }
        if (message.StatusValue != MessageStatus.Queued)
        {
            return message.ToRecord();
        }
        var customer = await customers.FindAsync(customerId, cancellationToken);
        var purpose = Enum.Parse<MessagePurpose>(message.Purpose);
        var channel = Enum.Parse<Channel>(message.Channel);
        var blocked = customer is null ? "the customer no longer exists" : await BlockedAsync(customer, channel, purpose, cancellationToken);
        if (blocked is not null)
        {
            return (await log.UpdateAsync(customerId, messageId, m => m.StatusValue == MessageStatus.Queued, m =>
            {
                m.Reach(MessageStatus.Skipped, time.GetUtcNow());
                m.Error = "Not sent: " + blocked;
                return $"{Word(m)} not sent: {Summary(m)}";
            }, cancellationToken)).Message?.ToRecord();
        }

        // The claim: only the worker that moves the message from queued to sending sends it.
        (message, var claimed) = await log.UpdateAsync(customerId, messageId, m => m.StatusValue == MessageStatus.Queued, m =>
        {
            m.Reach(MessageStatus.Sending, time.GetUtcNow());
            m.Attempts++;
            return null;
        }, cancellationToken);
        if (!claimed || message is null)
        {
            return message?.ToRecord();
        }

        var outcome = channel == Channel.Sms
            ? await smsSender.SendAsync(new OutgoingSms(message.To!, message.From ?? options.Value.SmsFrom ?? "", message.Text ?? "",
                new Dictionary<string, string> { [CustomArgs.MessageId] = message.Id, [CustomArgs.CustomerId] = message.PartitionKey }), cancellationToken)
            : await sender.SendAsync(ToOutgoing(message, customer!), cancellationToken);
        var now = time.GetUtcNow();
        var retry = outcome.Result == SendResult.Transient && message.Attempts < options.Value.MaxAttempts;
        var (after, _) = await log.UpdateAsync(customerId, messageId, m => m.StatusValue == MessageStatus.Sending, m =>
        {
            switch (outcome.Result)
            {
                case SendResult.Accepted:
                    m.Reach(MessageStatus.Sent, now);
                    m.ProviderMessageId = outcome.ProviderMessageId;
                    m.Error = null;
                    return $"{Word(m)} sent: {Summary(m)}";
                case SendResult.Transient when retry:
                    // Back to queued so the retry below may claim it again.
                    m.Status = nameof(MessageStatus.Queued);
                    m.Error = outcome.Error;
                    return null;
                default:
                    m.Reach(MessageStatus.Failed, now);
                    m.Error = outcome.Error;
                    return $"{Word(m)} failed: {Summary(m)}";
            }
        }, cancellationToken);
        if (outcome.Result == SendResult.Accepted && after is { CampaignId: { } tag })
        {
            // A campaign's or automation's message reached the provider: revenue may be attributed to it from now.
            await touches.RecordAsync(customerId, messageId, tag, now, cancellationToken);
        }
        if (retry)
        {
            var delay = options.Value.FirstRetryDelay * Math.Pow(2, message.Attempts - 1);
            LogRetry(logger, messageId, message.Attempts, delay);
            await QueueAsync(customerId, messageId, delay, cancellationToken);
        }
        else if (outcome.Result != SendResult.Accepted)
        {
            LogFailed(logger, messageId, outcome.Error ?? "");
        }
        return after?.ToRecord();
    }

    /// <summary>
    /// Logs a message that did not go through this app's senders: a phone call, a note, a social
    /// message, an email or SMS sent or received elsewhere. Outbound ones are logged as sent, inbound as received.
    /// </summary>
    public async Task<Message> LogAsync(string customerId, ManualMessage entry, string actor, CancellationToken cancellationToken = default)
    {
        var check = new Validation();
        if (entry.Channel is null)
        {
            check.Add("channel", "is required: email, sms, chat, phone, note or social.");
        }
        if (entry.Direction is null)
        {
            check.Add("direction", "is required: inbound or outbound.");
        }
        check.MaxLength("subject", entry.Subject, 500);
        check.Required("content", entry.Content, 100_000);
        check.ThrowIfInvalid();
        var customer = await customers.GetAsync(customerId, cancellationToken);
        var at = entry.At ?? time.GetUtcNow();
        var message = new MessageEntity
        {
            PartitionKey = customer.Id,
            RowKey = MessageEntity.Prefix + log.NewId(),
            Channel = entry.Channel!.Value.ToString(),
            Direction = entry.Direction!.Value.ToString(),
            Purpose = nameof(MessagePurpose.Transactional),
            To = entry.Direction == Direction.Outbound ? entry.Address : null,
            From = entry.Direction == Direction.Inbound ? entry.Address : null,
            Subject = entry.Subject,
            Text = entry.Content,
            SentBy = actor,
            ThreadId = entry.ThreadId,
            CreatedAt = at,
        };
        message.Reach(entry.Direction == Direction.Inbound ? MessageStatus.Received : MessageStatus.Sent, at);
        var what = entry.Channel switch
        {
            Channel.Phone => "Phone call",
            Channel.Note => "Note",
            Channel.Chat => "Chat",
            Channel.Sms => "SMS",
            Channel.Social => "Social message",
            _ => "Email",
        };
        await log.AddAsync(message, $"{what} {(entry.Direction == Direction.Inbound ? "from customer" : "to customer")}: {entry.Subject ?? Shorten(entry.Content!)}", cancellationToken);
        return message.ToRecord();
    }

    /// <summary>A one-click or confirmed unsubscribe from a signed link: marketing email stops for the address and the customer.</summary>
    public async Task<Customer?> UnsubscribeAsync(string token, CancellationToken cancellationToken = default)
    {
        if (links.Verify(token) is not var (customerId, messageId))
        {
            return null;
        }
        var customer = await customers.FindAsync(customerId, cancellationToken);
        if (customer is null)
        {
            return null;
        }
        if (customer.Email is { Length: > 0 } email)
        {
            await suppressions.AddAsync(Channel.Email, email, SuppressionReason.Unsubscribed, "unsubscribe-link", time.GetUtcNow(), cancellationToken);
        }
        await preferences.SetAsync(customerId, false, null, null, "customer", cancellationToken);
        var (message, _) = await log.UpdateAsync(customerId, messageId, m => true, m => $"Unsubscribed from marketing email: {m.Subject}", cancellationToken);
        if (message is not null)
        {
            foreach (var observer in observers)
            {
                await observer.OnUnsubscribedAsync(message.ToRecord(), time.GetUtcNow(), cancellationToken);
            }
        }
        return customer;
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";

    private static string Word(MessageEntity m) => m.Channel == nameof(Channel.Sms) ? "SMS" : "Email";

    private static string Summary(MessageEntity m) => m.Subject ?? Shorten(m.Text ?? "");

    /// <summary>
    /// A text message to one customer, checked like email: marketing needs SMS consent, and a
    /// suppressed number gets nothing. Sent from the same queue as email.
    /// </summary>
    public async Task<Message> SendSmsAsync(SmsRequest request, string sentBy, CancellationToken cancellationToken = default)
    {
        var check = new Validation();
        check.Required("customerId", request.CustomerId, 100).Required("text", request.Text, 1600);
        check.ThrowIfInvalid();
        var customer = await customers.FindAsync(request.CustomerId!, cancellationToken)
            ?? throw new ValidationFailedException("customerId", $"no customer has the id '{request.CustomerId}'.");
        var now = time.GetUtcNow();
        if (request.MessageId is { } chosen && await log.FindEntityAsync(customer.Id, chosen, cancellationToken) is { } existing)
        {
            if (existing.StatusValue == MessageStatus.Queued)
            {
                await QueueAsync(customer.Id, chosen, null, cancellationToken);
            }
            return existing.ToRecord();
        }
        var purpose = request.Purpose ?? MessagePurpose.Transactional;
        // SMS goes to the number in E.164. A one-off send to a number that is not one is refused; a
        // campaign or automation records the message as skipped with the reason instead.
        var to = numbers.ToE164(customer.Phone);
        if (to is null && !string.IsNullOrWhiteSpace(customer.Phone) && request.CampaignId is null)
        {
            numbers.Require("customerId", customer.Phone, $"customer '{customer.Id}' has the phone number '{customer.Phone}', which");
        }
        var text = await inline.TextAsync(request.Text!, customer, null, cancellationToken);
        var message = new MessageEntity
        {
            PartitionKey = customer.Id,
            RowKey = MessageEntity.Prefix + (request.MessageId ?? log.NewId()),
            Channel = nameof(Channel.Sms),
            Direction = nameof(Direction.Outbound),
            Purpose = purpose.ToString(),
            To = to ?? customer.Phone,
            From = options.Value.SmsFrom,
            Text = text,
            SentBy = sentBy,
            CampaignId = request.CampaignId,
            ThreadId = request.ThreadId,
            CreatedAt = now,
        };
        if (await BlockedAsync(customer, Channel.Sms, purpose, cancellationToken) is { } blocked)
        {
            message.Reach(MessageStatus.Skipped, now);
            message.Error = "Not sent: " + blocked;
            await log.AddAsync(message, $"SMS not sent: {Summary(message)}", cancellationToken);
            return message.ToRecord();
        }
        message.Reach(MessageStatus.Queued, now);
        await log.AddAsync(message, null, cancellationToken);
        await QueueAsync(customer.Id, message.Id, null, cancellationToken);
        return message.ToRecord();
    }

    /// <summary>Why an email may not go to the customer now, or null: consent, suppression, or transactional email turned off.</summary>
    private async Task<string?> BlockedAsync(Customer customer, Channel channel, MessagePurpose purpose, CancellationToken cancellationToken)
    {
        if (await suppressions.BlockedAsync(customer, channel, purpose, cancellationToken) is { } reason)
        {
            return reason;
        }
        return channel == Channel.Email && purpose == MessagePurpose.Transactional && !await preferences.TransactionalAsync(customer.Id, cancellationToken)
            ? "the customer turned off transactional email"
            : null;
    }

    /// <summary>Queues every scheduled message whose time has come; returns how many.</summary>
    public async Task<int> DispatchDueAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var due = new List<TableEntity>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {ScheduledPartition} and RowKey lt {now.UtcTicks.ToString("D19", CultureInfo.InvariantCulture) + "~"}");
        await foreach (var row in Scheduled.QueryAsync<TableEntity>(filter, 1000, cancellationToken: cancellationToken))
        {
            due.Add(row);
        }
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (row, ct) =>
        {
            var (customerId, messageId) = (row.GetString("CustomerId"), row.GetString("MessageId"));
            var (_, moved) = await log.UpdateAsync(customerId, messageId, m => m.StatusValue == MessageStatus.Scheduled, m =>
            {
                m.Reach(MessageStatus.Queued, time.GetUtcNow());
                return null;
            }, ct);
            if (moved)
            {
                await QueueAsync(customerId, messageId, null, ct);
            }
            await Scheduled.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, ct);
        });
        return due.Count;
    }

    /// <summary>Calls off a scheduled message; false when it is no longer scheduled (already queued or sent).</summary>
    public async Task<bool> CancelAsync(string customerId, string messageId, CancellationToken cancellationToken = default)
    {
        var (message, cancelled) = await log.UpdateAsync(customerId, messageId, m => m.StatusValue == MessageStatus.Scheduled, m =>
        {
            m.Reach(MessageStatus.Cancelled, time.GetUtcNow());
            return null;
        }, cancellationToken);
        if (message is null)
        {
            throw new NotFoundException("Message", messageId);
        }
        if (cancelled && message.ScheduledAt is { } at)
        {
            await Scheduled.DeleteEntityAsync(ScheduledPartition, ScheduledKey(at, customerId, messageId), ETag.All, cancellationToken);
        }
        return cancelled;
    }

    private OutgoingEmail ToOutgoing(MessageEntity m, Customer customer)
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        if (m.UnsubscribeUrl is { } unsubscribe)
        {
            // RFC 8058 one-click unsubscribe: mail clients POST to the link without a visit.
            headers["List-Unsubscribe"] = $"<{unsubscribe}>";
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click";
        }
        var args = new Dictionary<string, string>(StringComparer.Ordinal) { [CustomArgs.MessageId] = m.Id, [CustomArgs.CustomerId] = m.PartitionKey };
        if (m.CampaignId is { } campaign)
        {
            args[CustomArgs.CampaignId] = campaign;
        }
        return new OutgoingEmail(m.To!, customer.FullName, m.From ?? options.Value.FromEmail, options.Value.FromName, m.Subject ?? "", m.Html ?? "", m.Text ?? "",
            headers, args, m.Purpose == nameof(MessagePurpose.Marketing) ? "marketing" : "transactional");
    }

    private Task QueueAsync(string customerId, string messageId, TimeSpan? delay, CancellationToken cancellationToken) =>
        storage.Queue(StorageNames.Queues.Messages).SendMessageAsync(
            JsonSerializer.Serialize(new MessageWork(customerId, messageId), CrmJson.Options), delay, null, cancellationToken);

    private const string ScheduledPartition = MessagingKeys.ScheduledPartition;

    private static string ScheduledKey(DateTimeOffset at, string customerId, string messageId) => MessagingKeys.Scheduled(at, customerId, messageId);

    [LoggerMessage(1, LogLevel.Warning, "Message {MessageId}: transient send failure (attempt {Attempt}); retrying in {Delay}")]
    private static partial void LogRetry(ILogger logger, string messageId, int attempt, TimeSpan delay);

    [LoggerMessage(2, LogLevel.Warning, "Message {MessageId} failed: {Error}")]
    private static partial void LogFailed(ILogger logger, string messageId, string error);
}

/// <summary>A text message to one customer.</summary>
public sealed record SmsRequest(string? CustomerId, string? Text, MessagePurpose? Purpose = null, string? CampaignId = null, string? ThreadId = null, string? MessageId = null);

/// <summary>A message logged by hand (a call, a note, a message sent or received elsewhere).</summary>
public sealed record ManualMessage(Channel? Channel, Direction? Direction, string? Subject, string? Content, string? Address = null, DateTimeOffset? At = null, string? ThreadId = null);

/// <summary>The custom args every email carries, which SendGrid hands back on each event.</summary>
public static class CustomArgs
{
    public const string MessageId = "pecos_message_id";
    public const string CustomerId = "pecos_customer_id";
    public const string CampaignId = "pecos_campaign_id";
}

/// <summary>The queue message that sends one message.</summary>
public sealed record MessageWork(string CustomerId, string MessageId);
