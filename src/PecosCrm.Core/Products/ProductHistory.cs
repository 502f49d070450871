using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Products;

/// <summary>One field of a product changed: its value before and after (null when there was none).</summary>
public sealed record FieldChange(string Field, string? Old, string? New);

/// <summary>A recorded change of one field: who (a staff key or integration, or <c>store</c> for store events), when, old and new.</summary>
public sealed record ProductHistoryEntry(
    string ProductId, DateTimeOffset At, string Field, string? Old, string? New, string ByType, string ById, string ByName, string? EventId);

/// <summary>
/// The history of every product change, newest first per product (keys in <see cref="ProductKeys"/>).
/// A change is one row per field under a change id; a store event's change id is the event id, so
/// writing it again (a redelivered batch) rewrites the same rows.
/// </summary>
public sealed class ProductHistory(StorageAccount storage)
{
    /// <summary>The actor store events are recorded under.</summary>
    public static readonly AuditActor Store = new("store", "store", "Storefront");

    private TableClient Table => storage.Table(StorageNames.Tables.ProductHistory);

    public async Task RecordAsync(
        string productId, DateTimeOffset at, string changeId, AuditActor by, IReadOnlyCollection<FieldChange> changes, string? eventId = null, CancellationToken cancellationToken = default)
    {
        if (changes.Count == 0)
        {
            return;
        }
        var rows = changes.Select(c => new TableTransactionAction(TableTransactionActionType.UpsertReplace, new ProductHistoryEntity
        {
            PartitionKey = productId,
            RowKey = ProductKeys.History(productId, at, changeId, c.Field),
            At = at,
            Field = c.Field,
            Old = LongTextCap(c.Old),
            New = LongTextCap(c.New),
            ByType = by.Type,
            ById = by.Id,
            ByName = by.Name,
            EventId = eventId,
        }));
        await Table.SubmitChunkedAsync(rows, cancellationToken);
    }

    public async Task<Storage.Page<ProductHistoryEntry>> ListAsync(string productId, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        var page = await Table.QueryPageAsync<ProductHistoryEntity>(ProductKeys.HistoryFilter(productId), limit, cursor, cancellationToken);
        return page.Select(e => new ProductHistoryEntry(e.PartitionKey, e.At, e.Field, e.Old, e.New, e.ByType, e.ById, e.ByName, e.EventId));
    }

    /// <summary>Values are short (names, prices, image id lists); a cap keeps one row under the property size limit.</summary>
    private static string? LongTextCap(string? value) => value is { Length: > 4000 } ? value[..4000] : value;
}

internal sealed class ProductHistoryEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public DateTimeOffset At { get; set; }
    public string Field { get; set; } = "";
    public string? Old { get; set; }
    public string? New { get; set; }
    public string ByType { get; set; } = "";
    public string ById { get; set; } = "";
    public string ByName { get; set; } = "";
    public string? EventId { get; set; }
}
