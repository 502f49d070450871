using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Customers;

namespace PecosCrm.Core.Messaging;

/// <summary>
/// Sends one logged message to the provider, from the <c>messages</c> queue or a campaign batch.
/// The protocol: consent and suppression are checked again (the customer's card is read afresh,
/// since consent may have changed since the message was logged); the worker that moves the message
/// from <c>queued</c> to <c>sending</c> (an ETag-guarded update, "the claim") is the only one that
/// sends it; the provider's answer is recorded (<see cref="DispatchRules.After"/>). Transient failures
/// (429, 5xx, network) go back to <c>queued</c> and are queued again with a doubling delay; permanent
/// ones mark the message failed with the provider's reason. A message found half-sent after a crash
/// (<c>sending</c> for longer than any send takes) is marked failed instead of sent again: the provider
/// may have taken it, and a customer must never get the same email twice.
/// </summary>
public sealed partial class MessageDispatch(
    MessageStore log, CustomerStore customers, MessageConsent consent, IEmailSender sender, ISmsSender smsSender, Touches touches, MessageQueue queue,
    IOptions<MessagingOptions> options, TimeProvider time, ILogger<MessageDispatch> logger)
{
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
            return await FailAbandonedAsync(message, cancellationToken);
        }
        if (message.StatusValue != MessageStatus.Queued)
        {
            return message.ToRecord();
        }
        var customer = await customers.FindAsync(customerId, cancellationToken);
        var purpose = Enum.Parse<MessagePurpose>(message.Purpose);
        var channel = Enum.Parse<Channel>(message.Channel);
        var blocked = customer is null ? "the customer no longer exists" : await consent.BlockedAsync(customer, channel, purpose, cancellationToken);
        if (blocked is not null)
        {
            return (await log.UpdateAsync(customerId, messageId, m => m.StatusValue == MessageStatus.Queued, m =>
            {
                m.Reach(MessageStatus.Skipped, time.GetUtcNow());
                m.Error = "Not sent: " + blocked;
                return $"{MessageText.Word(m)} not sent: {MessageText.Summary(m)}";
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
            ? await smsSender.SendAsync(DispatchRules.Sms(message, options.Value), cancellationToken)
            : await sender.SendAsync(DispatchRules.Email(message, customer!.FullName, options.Value), cancellationToken);
        return await RecordAsync(message, outcome, cancellationToken);
    }

    /// <summary>Records the provider's answer to the claimed <paramref name="message"/>, and queues the retry or attributes the send.</summary>
    private async Task<Message?> RecordAsync(MessageEntity message, SendOutcome outcome, CancellationToken cancellationToken)
    {
        var (customerId, messageId) = (message.PartitionKey, message.Id);
        var now = time.GetUtcNow();
        var step = DispatchRules.After(outcome.Result, message.Attempts, options.Value.MaxAttempts);
        var (after, _) = await log.UpdateAsync(customerId, messageId, m => m.StatusValue == MessageStatus.Sending, m =>
        {
            switch (step)
            {
                case SendStep.Sent:
                    m.Reach(MessageStatus.Sent, now);
                    m.ProviderMessageId = outcome.ProviderMessageId;
                    m.Error = null;
                    return $"{MessageText.Word(m)} sent: {MessageText.Summary(m)}";
                case SendStep.Retry:
                    // Back to queued so the retry below may claim it again.
                    m.Status = nameof(MessageStatus.Queued);
                    m.Error = outcome.Error;
                    return null;
                default:
                    m.Reach(MessageStatus.Failed, now);
                    m.Error = outcome.Error;
                    return $"{MessageText.Word(m)} failed: {MessageText.Summary(m)}";
            }
        }, cancellationToken);
        if (step == SendStep.Sent && after is { CampaignId: { } tag })
        {
            // A campaign's or automation's message reached the provider: revenue may be attributed to it from now.
            await touches.RecordAsync(customerId, messageId, tag, now, cancellationToken);
        }
        if (step == SendStep.Retry)
        {
            var delay = DispatchRules.RetryDelay(options.Value.FirstRetryDelay, message.Attempts);
            LogRetry(logger, messageId, message.Attempts, delay);
            await queue.EnqueueAsync(customerId, messageId, delay, cancellationToken);
        }
        else if (step == SendStep.Failed)
        {
            LogFailed(logger, messageId, outcome.Error ?? "");
        }
        return after?.ToRecord();
    }

    /// <summary>A message found in <c>sending</c>: left as it is while another worker may be sending it, marked failed once the claim is abandoned.</summary>
    private async Task<Message?> FailAbandonedAsync(MessageEntity message, CancellationToken cancellationToken)
    {
        if (!DispatchRules.ClaimAbandoned(message.StepTimes().GetValueOrDefault(MessageStatus.Sending), time.GetUtcNow(), options.Value.SendingTimeout))
        {
            return message.ToRecord();
        }
        return (await log.UpdateAsync(message.PartitionKey, message.Id, m => m.StatusValue == MessageStatus.Sending, m =>
        {
            m.Reach(MessageStatus.Failed, time.GetUtcNow());
            m.Error = "The send was interrupted and its outcome is unknown; not sent again, so the customer never gets it twice.";
            return $"{MessageText.Word(m)} failed: {MessageText.Summary(m)}";
        }, cancellationToken)).Message?.ToRecord();
    }

    [LoggerMessage(1, LogLevel.Warning, "Message {MessageId}: transient send failure (attempt {Attempt}); retrying in {Delay}")]
    private static partial void LogRetry(ILogger logger, string messageId, int attempt, TimeSpan delay);

    [LoggerMessage(2, LogLevel.Warning, "Message {MessageId} failed: {Error}")]
    private static partial void LogFailed(ILogger logger, string messageId, string error);
}
