using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Customers;

/// <summary>
/// Everything about one customer lives in one partition of the <c>customers</c> table (PartitionKey
/// = customer id), so that applying store events is one transaction: the events' markers, the
/// orders, the timeline rows and the card together. Every RowKey is unique across the table (it
/// carries the customer id, an order id, an event id or an id made here), because Azurite finds a
/// row by its RowKey first. Row kinds are told apart by prefix:
/// <list type="bullet">
/// <item><c>card|{customerId}</c>: the customer card, one row with everything the 360 view shows;</item>
/// <item><c>order|{inverted placedAt}|{orderId}</c>: the customer's orders, newest first;</item>
/// <item><c>tl|{inverted time}|{entryId}</c> and <c>tt|{type}|{inverted time}|{entryId}</c>:
/// the timeline, newest first, and the same entries by type;</item>
/// <item><c>note|{noteId}</c>: staff notes;</item>
/// <item><c>evt|{eventId}</c>: events already applied (the deduplication marker).</item>
/// </list>
/// Other features keep rows of their own in the partition under their own prefixes (messages,
/// points, discount codes), so that the GDPR export and erasure find everything in one place.
/// </summary>
public static class CustomerKeys
{
    public const string CardPrefix = "card|";
    public const string OrderPrefix = "order|";
    public const string TimelinePrefix = "tl|";
    public const string TimelineTypePrefix = "tt|";
    public const string NotePrefix = "note|";
    public const string EventPrefix = "evt|";

    public static string Card(string customerId) => CardPrefix + customerId;

    public static string Order(DateTimeOffset placedAt, string orderId) => OrderPrefix + KeyRules.InvertedTicks(placedAt) + "|" + orderId;

    public static string Timeline(DateTimeOffset at, string entryId) => TimelinePrefix + KeyRules.InvertedTicks(at) + "|" + entryId;

    public static string TimelineByType(string type, DateTimeOffset at, string entryId) =>
        TimelineTypePrefix + type + "|" + KeyRules.InvertedTicks(at) + "|" + entryId;

    public static string Note(string noteId) => NotePrefix + noteId;

    public static string Event(string eventId) => EventPrefix + eventId;

    /// <summary>An OData filter for the rows of one customer whose RowKey starts with <paramref name="prefix"/>.</summary>
    public static string PrefixFilter(string customerId, string prefix) =>
        Azure.Data.Tables.TableClient.CreateQueryFilter($"PartitionKey eq {customerId} and RowKey ge {prefix} and RowKey lt {KeyRules.PrefixEnd(prefix)}");
}
