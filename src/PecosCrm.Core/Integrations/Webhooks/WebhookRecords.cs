using System.Text.Json;

namespace PecosCrm.Core.Integrations.Webhooks;

/// <summary>
/// An event for webhook subscribers, as a feature publishes it through <see cref="WebhookPublisher"/>.
/// </summary>
/// <param name="Type">The outward type, e.g. <c>loyalty.points_earned</c> (see <see cref="WebhookEventTypes"/>).</param>
/// <param name="CustomerId">The customer it is about: deliveries of one customer's events keep their order. Null for events about no customer (the catalogue).</param>
/// <param name="Data">The payload's <c>data</c>.</param>
/// <param name="IdempotencyKey">The same event published twice (a redelivered queue message) carries the same key, which becomes its <c>webhook-id</c>; null makes one.</param>
public sealed record OutboundEvent(string Type, string? CustomerId, JsonElement Data, string? IdempotencyKey = null);

/// <summary>A subscription: where events of the named types go, signed with its secret.</summary>
public sealed record WebhookSubscription(
    string Id, string Url, IReadOnlyList<string> Events, string? Description, bool Active,
    DateTimeOffset? DisabledAt, string? DisabledReason, string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string ETag)
{
    public bool Wants(string type) => Active && WebhookEventTypes.Matches(Events, type);
}

/// <summary>A new subscription, or a change: null fields stay as they are.</summary>
public sealed record WebhookRequest(string? Url, IReadOnlyList<string>? Events, string? Description, bool? Active);

/// <summary>One published event as logged: the source of every delivery of it.</summary>
public sealed record LoggedEvent(string Sequence, string WebhookId, string Type, string? CustomerId, DateTimeOffset PublishedAt, string Data)
{
    /// <summary>Events of one customer are delivered in order; events about no customer share one line.</summary>
    public string OrderingKey => CustomerId ?? "-";
}

public enum DeliveryTrigger
{
    Live,
    Retry,
    Redelivery,
    Replay,
}

/// <summary>One delivery attempt: what was sent, what came back and how long it took.</summary>
public sealed record WebhookDelivery(
    string Id, string SubscriptionId, string EventSequence, string WebhookId, string EventType, string? CustomerId,
    DeliveryTrigger Trigger, int Attempt, bool Succeeded, int? ResponseStatus, string? ResponseBody, string? Error,
    long DurationMs, DateTimeOffset At, string Url, string RequestBody, IReadOnlyDictionary<string, string> RequestHeaders, DateTimeOffset? NextAttemptAt);
