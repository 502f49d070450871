using PecosCrm.Core.Events;

namespace PecosCrm.Core.Integrations.Webhooks;

/// <summary>
/// Publishes the store events the processor applied (customer, order, cart, review, survey and
/// catalogue events; not browsing) under their own names, with the event's <c>data</c> as sent and
/// the store event's id as idempotency key, so a batch processed twice yields the same
/// <c>webhook-id</c>s. One publication for the whole batch: with no subscriber, no storage call.
/// </summary>
public sealed class StoreEventWebhooks(WebhookPublisher publisher) : IAppliedBatchObserver
{
    public async Task OnBatchAppliedAsync(IReadOnlyList<StoreEvent> events, CancellationToken cancellationToken)
    {
        var outbound = events
            .Where(e => WebhookEventTypes.IsPublished(e.Type))
            .Select(e => new OutboundEvent(e.Type, EventTypes.IsCatalogueEvent(e.Type) ? null : e.CustomerId, e.Data, "evt_" + e.Id))
            .ToList();
        await publisher.PublishAsync(outbound, cancellationToken);
    }
}
