using PecosCrm.Core.Messaging;

namespace PecosCrm.Core.Campaigns;

/// <summary>
/// Keeps each campaign recipient up to date with what SendGrid reports about their message: the
/// furthest status, and when it was first delivered, opened, clicked, bounced or unsubscribed from.
/// Every change only moves forward or sets a first time, so an event applied twice changes nothing.
/// </summary>
public sealed class CampaignObserver(CampaignStore store) : IMessageEventObserver
{
    private const int MaxAttempts = 10;

    public Task OnAppliedAsync(Message message, MessageStatus reached, DateTimeOffset at, CancellationToken cancellationToken) =>
        UpdateAsync(message, r =>
        {
            var changed = false;
            switch (reached)
            {
                case MessageStatus.Delivered:
                    changed |= First(r.DeliveredAt, at, v => r.DeliveredAt = v);
                    break;
                case MessageStatus.Opened:
                    changed |= First(r.OpenedAt, at, v => r.OpenedAt = v);
                    break;
                case MessageStatus.Clicked:
                    changed |= First(r.ClickedAt, at, v => r.ClickedAt = v);
                    break;
                case MessageStatus.Bounced:
                    changed |= First(r.BouncedAt, at, v => r.BouncedAt = v);
                    break;
                case MessageStatus.Failed when r.Error != message.Error:
                    r.Error = message.Error;
                    changed = true;
                    break;
            }
            if (reached is MessageStatus.Sent or MessageStatus.Delivered or MessageStatus.Opened or MessageStatus.Clicked && r.StateValue == RecipientState.Retrying)
            {
                // The message queue's retry got through.
                r.StateValue = RecipientState.Sent;
                r.SentAt ??= at;
                r.Error = null;
                changed = true;
            }
            var forward = r.StatusValue is not { } current || MessageStore.Rank(reached) > MessageStore.Rank(current)
                || (reached is MessageStatus.Bounced or MessageStatus.Failed && current != reached);
            if (forward)
            {
                r.Status = reached.ToString();
                changed = true;
            }
            return changed;
        }, cancellationToken);

    public Task OnUnsubscribedAsync(Message message, DateTimeOffset at, CancellationToken cancellationToken) =>
        UpdateAsync(message, r => First(r.UnsubscribedAt, at, v => r.UnsubscribedAt = v), cancellationToken);

    private static bool First(DateTimeOffset? current, DateTimeOffset at, Action<DateTimeOffset> set)
    {
        if (current is not null && current <= at)
        {
            return false;
        }
        set(at);
        return true;
    }

    private async Task UpdateAsync(Message message, Func<CampaignRecipientEntity, bool> change, CancellationToken cancellationToken)
    {
        if (message.CampaignId is not { } campaignId)
        {
            return;
        }
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var row = await store.FindRecipientAsync(campaignId, message.CustomerId, message.Id, cancellationToken);
            if (row is null || row.MessageId != message.Id || !change(row))
            {
                return;
            }
            if (await store.TryReplaceRecipientAsync(row, cancellationToken))
            {
                return;
            }
        }
    }
}
