namespace PecosCrm.Core.Integrations.Webhooks;

/// <summary>
/// A message of the <c>webhooks</c> queue. <c>events</c>: a published batch (a range of one hour
/// partition of the event log); <c>redeliver</c>: one logged delivery again; <c>replay</c>: a
/// subscription's events after a cursor, a slice at a time.
/// </summary>
public sealed record WebhookWork(string Kind, string? Partition = null, string? From = null, string? To = null, string? SubscriptionId = null, string? DeliveryId = null, string? Since = null)
{
    public const string Events = "events";
    public const string Redeliver = "redeliver";
    public const string Replay = "replay";

    public static readonly string[] Kinds = [Events, Redeliver, Replay];

    /// <summary>What a message of its kind must carry, or null when whole.</summary>
    public string? Problem() => Kind switch
    {
        Events when Partition is null || From is null || To is null => "an events message needs partition, from and to.",
        Redeliver when SubscriptionId is null || DeliveryId is null => "a redeliver message needs subscriptionId and deliveryId.",
        Replay when SubscriptionId is null || !WebhookSequence.IsValid(Since) => "a replay message needs subscriptionId and a since sequence.",
        _ => null,
    };
}
