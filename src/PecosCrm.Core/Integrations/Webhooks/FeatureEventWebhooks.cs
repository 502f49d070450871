using System.Text.Json;
using PecosCrm.Core.Loyalty;
using PecosCrm.Core.Support;

namespace PecosCrm.Core.Integrations.Webhooks;

/// <summary>
/// The support desk's ticket events, published to webhook subscribers: the ticket as the API shows
/// it (conversation and internal notes are not part of it), ordered per customer, deduplicated by
/// ticket, type and the ticket's ETag (the version the event is about).
/// </summary>
public sealed class TicketWebhooks(WebhookPublisher publisher) : ITicketEventObserver
{
    public Task OnTicketEventAsync(string type, Ticket ticket, CancellationToken cancellationToken) =>
        publisher.PublishAsync(new OutboundEvent(type, ticket.CustomerId, JsonSerializer.SerializeToElement(ticket with { ETag = "" }, CrmJson.Options),
            Key($"{type}\n{ticket.Id}\n{ticket.ETag}")), cancellationToken);

    private static string Key(string text) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)))[..32];
}

/// <summary>
/// Loyalty's outward notices (<c>loyalty.points_earned</c>, <c>loyalty.tier_changed</c> with the
/// previous tier), published to webhook subscribers; internal notices (balance moves for automation
/// thresholds, referral bookkeeping) are not in the catalogue and stay inside.
/// </summary>
public sealed class LoyaltyWebhooks(WebhookPublisher publisher) : ILoyaltyEventSink
{
    public Task OnLoyaltyEventAsync(LoyaltyNotice notice, CancellationToken cancellationToken) =>
        WebhookEventTypes.All.Contains(notice.Type, StringComparer.Ordinal)
            ? publisher.PublishAsync(new OutboundEvent(notice.Type, notice.CustomerId, notice.Data), cancellationToken)
            : Task.CompletedTask;
}
