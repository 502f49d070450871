using Microsoft.Extensions.Options;
using PecosCrm.Core.Messaging;

namespace PecosCrm.Core.Campaigns;

/// <summary>
/// A campaign's messages in the communication log: each logged once with its final status (sent,
/// failed or skipped), and the recovery of a recipient a dead worker left <c>sending</c>, recorded as
/// its logged message says or, with none logged, logged failed and never sent again.
/// </summary>
internal sealed class CampaignMessages(CampaignStore store, MessageStore log, IOptions<MessagingOptions> messaging, TimeProvider time)
{
    private const string Interrupted = "The send was interrupted and its outcome is unknown; not sent again, so the customer never gets it twice.";
    private const int MaxAttempts = 10;

    /// <summary>Logs one message with its final status: sent, failed or skipped.</summary>
    public async Task LogAsync(
        CampaignEntity campaign, string customerId, string messageId, string? to, EmailContent? content, string? unsubscribe, string? skipReason,
        SendOutcome? outcome, DateTimeOffset claimedAt, DateTimeOffset sentAt, CancellationToken cancellationToken)
    {
        if (content is null)
        {
            return;
        }
        var message = NewMessage(campaign, customerId, messageId, to, content, unsubscribe, claimedAt);
        string title;
        if (outcome is null)
        {
            message.Reach(MessageStatus.Skipped, claimedAt);
            message.Error = "Not sent: " + skipReason;
            title = $"Email not sent: {content.Subject}";
        }
        else
        {
            message.Reach(MessageStatus.Queued, claimedAt);
            message.Reach(MessageStatus.Sending, claimedAt);
            message.Attempts = 1;
            if (outcome.Result == SendResult.Accepted)
            {
                message.Reach(MessageStatus.Sent, sentAt);
                message.ProviderMessageId = outcome.ProviderMessageId;
                title = $"Email sent: {content.Subject}";
            }
            else
            {
                message.Reach(MessageStatus.Failed, sentAt);
                message.Error = outcome.Error;
                title = $"Email failed: {content.Subject}";
            }
        }
        await log.AddFinalAsync(message, title, sentAt, cancellationToken);
    }

    private MessageEntity NewMessage(CampaignEntity campaign, string customerId, string messageId, string? to, EmailContent? content, string? unsubscribe, DateTimeOffset at) => new()
    {
        PartitionKey = customerId,
        RowKey = MessageEntity.Prefix + messageId,
        Channel = nameof(Channel.Email),
        Direction = nameof(Direction.Outbound),
        Purpose = (content?.Purpose ?? campaign.PurposeValue).ToString(),
        To = to,
        From = messaging.Value.FromEmail,
        Subject = content?.Subject ?? campaign.Subject,
        Html = content?.Html,
        Text = content?.Text,
        TemplateId = content?.TemplateId,
        TemplateVersion = content?.TemplateVersion,
        SentBy = "campaign:" + campaign.RowKey,
        CampaignId = campaign.RowKey,
        CreatedAt = at,
        UnsubscribeUrl = unsubscribe,
    };

    /// <summary>
    /// A recipient left <c>sending</c> by a worker that is gone: recorded as its logged message says,
    /// or, with no message logged, logged failed and never sent again (the provider may have taken it).
    /// </summary>
    public async Task<CampaignRecipientEntity> RecoverAsync(CampaignEntity campaign, CampaignRecipientEntity row, AudienceMember? member, CancellationToken cancellationToken)
    {
        var messageId = row.MessageId!;
        var message = await log.FindEntityAsync(row.CustomerId, messageId, cancellationToken);
        if (message is null)
        {
            var now = time.GetUtcNow();
            var failed = NewMessage(campaign, row.CustomerId, messageId, member?.Email, null, null, row.ClaimedAt ?? now);
            failed.Reach(MessageStatus.Sending, row.ClaimedAt ?? now);
            failed.Reach(MessageStatus.Failed, now);
            failed.Error = Interrupted;
            message = await log.AddFinalAsync(failed, $"Email failed: {failed.Subject}", now, cancellationToken)
                ? failed
                : await log.FindEntityAsync(row.CustomerId, messageId, cancellationToken) ?? failed;
        }
        var status = message.StatusValue;
        var sentAt = message.StepTimes().GetValueOrDefault(MessageStatus.Sent);
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            switch (status)
            {
                case MessageStatus.Skipped:
                    row.StateValue = RecipientState.Skipped;
                    row.SkipReason = message.Error is { } e && e.StartsWith("Not sent: ", StringComparison.Ordinal) ? e["Not sent: ".Length..] : message.Error ?? "not sent";
                    break;
                case MessageStatus.Failed or MessageStatus.Bounced:
                    CampaignBatch.Failed(row, message.Error);
                    break;
                default:
                    row.StateValue = RecipientState.Sent;
                    row.SentAt ??= sentAt == default ? time.GetUtcNow() : sentAt;
                    row.Status = status.ToString();
                    break;
            }
            if (await store.TryReplaceRecipientAsync(row, cancellationToken))
            {
                return row;
            }
            if (await store.FindRecipientAsync(campaign.RowKey, row.CustomerId, messageId, cancellationToken) is not { StateValue: RecipientState.Sending } fresh || fresh.MessageId != messageId)
            {
                return await store.FindRecipientAsync(campaign.RowKey, row.CustomerId, messageId, cancellationToken) ?? row;
            }
            row = fresh;
        }
        return row;
    }
}
