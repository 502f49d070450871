using Microsoft.Extensions.Options;
using PecosCrm.Core.Customers;

namespace PecosCrm.Core.Messaging;

/// <summary>
/// Text messages to one customer, checked like email: marketing needs SMS consent, and a
/// suppressed number gets nothing (<see cref="MessageConsent"/>). The text may carry template
/// variables, rendered for the customer. Sent from the same queue as email (<see cref="MessageDispatch"/>).
/// </summary>
public sealed class SmsSending(
    MessageStore log, CustomerStore customers, SmsNumbers numbers, MessageConsent consent, MessageQueue queue, Templates.InlineTextRenderer inline,
    IOptions<MessagingOptions> options, TimeProvider time)
{
    /// <summary>
    /// Sends <paramref name="request"/>. With <see cref="SmsRequest.MessageId"/>, a message already
    /// logged under that id is returned as it is (and queued again if it never left).
    /// </summary>
    public async Task<Message> SendSmsAsync(SmsRequest request, string sentBy, CancellationToken cancellationToken = default)
    {
        Check(request);
        var customer = await customers.FindAsync(request.CustomerId!, cancellationToken)
            ?? throw new ValidationFailedException("customerId", $"no customer has the id '{request.CustomerId}'.");
        return await SendAsync(request, customer, sentBy, cancellationToken);
    }

    /// <summary>As above for a customer the caller has already read; the send reads their card no more.</summary>
    public Task<Message> SendSmsAsync(SmsRequest request, Customer customer, string sentBy, CancellationToken cancellationToken = default)
    {
        if (request.CustomerId is { } named && named != customer.Id)
        {
            throw new ArgumentException($"The request is for customer '{named}', not '{customer.Id}'.", nameof(request));
        }
        request = request with { CustomerId = customer.Id };
        Check(request);
        return SendAsync(request, customer, sentBy, cancellationToken);
    }

    private static void Check(SmsRequest request)
    {
        var check = new Validation();
        check.Required("customerId", request.CustomerId, 100).Required("text", request.Text, 1600);
        check.ThrowIfInvalid();
    }

    private async Task<Message> SendAsync(SmsRequest request, Customer customer, string sentBy, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (request.MessageId is { } chosen && await log.FindEntityAsync(customer.Id, chosen, cancellationToken) is { } existing)
        {
            if (existing.StatusValue == MessageStatus.Queued)
            {
                await queue.EnqueueAsync(customer.Id, chosen, null, cancellationToken);
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
        if (await consent.BlockedAsync(customer, Channel.Sms, purpose, cancellationToken) is { } blocked)
        {
            message.Reach(MessageStatus.Skipped, now);
            message.Error = "Not sent: " + blocked;
            await log.AddAsync(message, $"SMS not sent: {MessageText.Summary(message)}", cancellationToken);
            return message.ToRecord();
        }
        message.Reach(MessageStatus.Queued, now);
        await log.AddAsync(message, null, cancellationToken);
        await queue.EnqueueAsync(customer.Id, message.Id, null, cancellationToken);
        return message.ToRecord();
    }
}
