using Azure.Data.Tables;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Integrations.Webhooks;

/// <summary>
/// The rows of outward webhooks, in three tables. Every RowKey is unique across its table.
/// <list type="bullet">
/// <item><c>webhooks</c>, partition <c>subs</c>: <c>sub|{subscriptionId}</c>, one row per subscription;</item>
/// <item><c>webhooks</c>, partition <c>held|{subscriptionId}</c>: <c>held|{subscriptionId}|{orderingKey}</c>,
/// the events of one customer waiting behind a failed delivery (so later ones never overtake it);</item>
/// <item><c>webhookevents</c>, partition <c>e|{yyyyMMddHH}</c> (the hour of publication):
/// <c>e|{sequence}</c>, every published event, the source of retries, redeliveries and replays;</item>
/// <item><c>webhookdeliveries</c>, partition <c>{subscriptionId}</c>: <c>d|{subscriptionId}|{inverted deliveryId}</c>,
/// each attempt, newest first.</item>
/// </list>
/// A sequence is 32 hex digits that start with the publication time in milliseconds, so it sorts
/// in publication order and names its own partition; it is the cursor of a replay.
/// </summary>
public static class WebhookKeys
{
    public const string SubscriptionPartition = "subs";
    public const string SubscriptionPrefix = "sub|";
    public const string HeldPrefix = "held|";
    public const string EventPrefix = "e|";
    public const string DeliveryPrefix = "d|";

    public static string Subscription(string id) => SubscriptionPrefix + id;

    public static string IdOfSubscription(string rowKey) => rowKey[SubscriptionPrefix.Length..];

    public static string HeldPartition(string subscriptionId) => HeldPrefix + subscriptionId;

    public static string Held(string subscriptionId, string orderingKey) => HeldPrefix + subscriptionId + "|" + KeyRules.Escape(orderingKey);

    /// <summary>Every held row of every subscription (the retry sweep).</summary>
    public static string AllHeldFilter(DateTimeOffset dueBy) =>
        TableClient.CreateQueryFilter($"PartitionKey ge {HeldPrefix} and PartitionKey lt {KeyRules.PrefixEnd(HeldPrefix)} and NextAttemptAt le {dueBy}");

    public static string EventPartition(string sequence) => EventPrefix + WebhookSequence.TimeOf(sequence).ToString("yyyyMMddHH", System.Globalization.CultureInfo.InvariantCulture);

    public static string EventPartition(DateTimeOffset hour) => EventPrefix + hour.ToString("yyyyMMddHH", System.Globalization.CultureInfo.InvariantCulture);

    public static string Event(string sequence) => EventPrefix + sequence;

    public static string SequenceOf(string eventRowKey) => eventRowKey[EventPrefix.Length..];

    public static string Delivery(string subscriptionId, string deliveryId) => DeliveryPrefix + subscriptionId + "|" + Invert(deliveryId);

    public static string DeliveryIdOf(string rowKey) => Invert(rowKey[(rowKey.LastIndexOf('|') + 1)..]);

    /// <summary>Hex digit by hex digit, 15 minus each: a time-ordered id turned newest-first, and back.</summary>
    private static string Invert(string hex) =>
        string.Create(hex.Length, hex, (span, s) =>
        {
            for (var i = 0; i < s.Length; i++)
            {
                span[i] = "fedcba9876543210"["0123456789abcdef".IndexOf(s[i], StringComparison.Ordinal)];
            }
        });
}
