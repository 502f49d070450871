using Microsoft.Extensions.Options;
using PecosCrm.Core.Customers;

namespace PecosCrm.Core.Messaging;

/// <summary>
/// The entry point of the communication log: sends email (checked, rendered and logged here, then
/// sent from the <c>messages</c> queue by <see cref="MessageDispatch"/>), logs messages that went
/// elsewhere. Unsubscribes from signed links are <see cref="Unsubscribes"/>'. The pieces it leans on each do one thing:
/// <see cref="IEmailComposer"/> renders, <see cref="MessageConsent"/> decides consent and suppression,
/// <see cref="MessageDispatch"/> hands a message to the provider (with retries),
/// <see cref="ScheduledMessages"/> holds what goes later, <see cref="SmsSending"/> sends text messages.
/// The members that forward to them stay here so callers keep one door.
/// </summary>
public sealed class MessageService(
    MessageStore log, CustomerStore customers, IEmailComposer composer, MessageConsent consent,
    MessageDispatch dispatch, ScheduledMessages scheduled, SmsSending sms, MessageQueue messageQueue, SignedLinks links,
    IOptions<MessagingOptions> options, StoreTime storeTime, TimeProvider time)
{
    /// <summary>
    /// Sends an email to the request's customer: checked (consent, suppression), rendered and logged,
    /// then queued, or scheduled when <see cref="EmailRequest.SendAt"/> or a local time is still to come.
    /// A message that may not go is logged as skipped with the reason. With
    /// <see cref="EmailRequest.MessageId"/>, a message already logged under that id is returned as it is.
    /// </summary>
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
        OutboundEmail.Check(request);
        var customer = await customers.FindAsync(request.CustomerId!, cancellationToken)
            ?? throw new ValidationFailedException("customerId", $"no customer has the id '{request.CustomerId}'.");
        return await SendAsync(request, customer, sentBy, messageId, queue, cancellationToken);
    }

    /// <summary>
    /// As <see cref="SendEmailAsync(EmailRequest, string, CancellationToken)"/> for a customer the caller
    /// has already read (an automation step): that one read feeds the consent decision, the template's
    /// values and the logged row, so the send reads the customer's card no more.
    /// </summary>
    public Task<Message> SendEmailAsync(EmailRequest request, Customer customer, string sentBy, CancellationToken cancellationToken = default) =>
        SendEmailAsync(request, customer, sentBy, request.MessageId, queue: true, cancellationToken);

    /// <summary>
    /// The bulk senders' overload (<paramref name="messageId"/>, <paramref name="queue"/>: see
    /// <see cref="SendEmailAsync(EmailRequest, string, string?, bool, CancellationToken)"/>) for a customer
    /// the caller has already read.
    /// </summary>
    internal Task<Message> SendEmailAsync(EmailRequest request, Customer customer, string sentBy, string? messageId, bool queue, CancellationToken cancellationToken)
    {
        if (request.CustomerId is { } named && named != customer.Id)
        {
            throw new ArgumentException($"The request is for customer '{named}', not '{customer.Id}'.", nameof(request));
        }
        request = request with { CustomerId = customer.Id };
        OutboundEmail.Check(request);
        return SendAsync(request, customer, sentBy, messageId, queue, cancellationToken);
    }

    private async Task<Message> SendAsync(EmailRequest request, Customer customer, string sentBy, string? messageId, bool queue, CancellationToken cancellationToken)
    {
        if (messageId is { } chosen && await log.FindEntityAsync(customer.Id, chosen, cancellationToken) is { } existing)
        {
            // Asked again with the same id (a retry after a crash): the message exists, send it at most once.
            if (queue && existing.StatusValue == MessageStatus.Queued)
            {
                await messageQueue.EnqueueAsync(customer.Id, chosen, null, cancellationToken);
            }
            return existing.ToRecord();
        }
        var now = time.GetUtcNow();
        var id = messageId ?? log.NewId();
        var content = await composer.ComposeAsync(request, customer, id, cancellationToken);
        var sendAt = request.LocalTime is { } local ? storeTime.LocalSendTime(customer.TimeZone, local, request.LocalDate, now) : request.SendAt;
        var message = OutboundEmail.Row(request, customer, id, content, sentBy, options.Value.FromEmail, links.Unsubscribe(customer.Id, id), now);
        var blocked = await consent.BlockedAsync(customer, Channel.Email, content.Purpose, cancellationToken);
        var status = OutboundEmail.Decide(blocked, sendAt, now);
        message.Reach(status, now);
        switch (status)
        {
            case MessageStatus.Skipped:
                message.Error = "Not sent: " + blocked;
                return (await AddOnceAsync(message, $"Email not sent: {content.Subject}", messageId is not null, cancellationToken) ?? message).ToRecord();
            case MessageStatus.Scheduled:
                message.ScheduledAt = sendAt;
                await scheduled.AddAsync(message, cancellationToken);
                return message.ToRecord();
            default:
                if (await AddOnceAsync(message, null, messageId is not null, cancellationToken) is { } logged)
                {
                    return logged.ToRecord();
                }
                if (queue)
                {
                    await messageQueue.EnqueueAsync(customer.Id, id, null, cancellationToken);
                }
                return message.ToRecord();
        }
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

    /// <summary>Sends one queued message; see <see cref="MessageDispatch"/>.</summary>
    public Task<Message?> DispatchAsync(string customerId, string messageId, CancellationToken cancellationToken = default) =>
        dispatch.DispatchAsync(customerId, messageId, cancellationToken);

    /// <summary>A text message to one customer; see <see cref="SmsSending"/>.</summary>
    public Task<Message> SendSmsAsync(SmsRequest request, string sentBy, CancellationToken cancellationToken = default) =>
        sms.SendSmsAsync(request, sentBy, cancellationToken);

    /// <summary>A text message to a customer already read; see <see cref="SmsSending"/>.</summary>
    public Task<Message> SendSmsAsync(SmsRequest request, Customer customer, string sentBy, CancellationToken cancellationToken = default) =>
        sms.SendSmsAsync(request, customer, sentBy, cancellationToken);

    /// <summary>Queues every scheduled message whose time has come; see <see cref="ScheduledMessages"/>.</summary>
    public Task<int> DispatchDueAsync(CancellationToken cancellationToken = default) => scheduled.DispatchDueAsync(cancellationToken);

    /// <summary>Calls off a scheduled message; false when it is no longer scheduled (already queued or sent).</summary>
    public Task<bool> CancelAsync(string customerId, string messageId, CancellationToken cancellationToken = default) =>
        scheduled.CancelAsync(customerId, messageId, cancellationToken);

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
        var direction = entry.Direction == Direction.Inbound ? "from customer" : "to customer";
        await log.AddAsync(message, $"{what} {direction}: {entry.Subject ?? MessageText.Shorten(entry.Content!)}", cancellationToken);
        return message.ToRecord();
    }
}
