using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Customers;

/// <summary>
/// Everything about one customer lives in one partition of the <c>customers</c> table (PartitionKey
/// = customer id), so that applying a store event is one transaction: the event's marker, the
/// order, the metrics and the timeline rows together. Row kinds are told apart by prefix:
/// <list type="bullet">
/// <item><c>profile</c>, <c>metrics</c>: one each;</item>
/// <item><c>order|{inverted placedAt}|{orderId}</c>: the customer's orders, newest first;</item>
/// <item><c>tl|{inverted time}|{entryId}</c> and <c>tt|{type}|{inverted time}|{entryId}</c>:
/// the timeline, newest first, and the same entries by type;</item>
/// <item><c>tag|{tagId}</c>, <c>note|{noteId}</c>, <c>rel|{otherCustomerId}</c>;</item>
/// <item><c>evt|{eventId}</c>: events already applied (the deduplication marker).</item>
/// </list>
/// </summary>
public static class CustomerKeys
{
    public const string Profile = "profile";
    public const string Metrics = "metrics";
    public const string OrderPrefix = "order|";
    public const string TimelinePrefix = "tl|";
    public const string TimelineTypePrefix = "tt|";
    public const string TagPrefix = "tag|";
    public const string NotePrefix = "note|";
    public const string RelatedPrefix = "rel|";
    public const string EventPrefix = "evt|";

    public static string Order(DateTimeOffset placedAt, string orderId) => OrderPrefix + KeyRules.InvertedTicks(placedAt) + "|" + orderId;

    public static string Timeline(DateTimeOffset at, string entryId) => TimelinePrefix + KeyRules.InvertedTicks(at) + "|" + entryId;

    public static string TimelineByType(string type, DateTimeOffset at, string entryId) =>
        TimelineTypePrefix + type + "|" + KeyRules.InvertedTicks(at) + "|" + entryId;

    public static string Tag(string tagId) => TagPrefix + tagId;

    public static string Note(string noteId) => NotePrefix + noteId;

    public static string Related(string otherId) => RelatedPrefix + otherId;

    public static string Event(string eventId) => EventPrefix + eventId;

    /// <summary>An OData filter for the rows of one customer whose RowKey starts with <paramref name="prefix"/>.</summary>
    public static string PrefixFilter(string customerId, string prefix) =>
        Azure.Data.Tables.TableClient.CreateQueryFilter($"PartitionKey eq {customerId} and RowKey ge {prefix} and RowKey lt {KeyRules.PrefixEnd(prefix)}");
}
