using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Events;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Products;

/// <summary>
/// The catalogue: one partition per category, and a locator row per product that finds its category
/// from its id (keys in <see cref="ProductKeys"/>). The product row carries its image list, so a
/// product and a page of the catalogue (primary image and count) are one read each. Every change is
/// written under the row's ETag and then recorded in <see cref="ProductHistory"/>; a change from a
/// store event writes its history first (keyed by the event id), so a crash in between is repaired
/// by the redelivery, and is applied once (the row remembers the last event).
/// </summary>
public sealed class ProductStore(StorageAccount storage, ProductHistory history, TimeProvider time)
{
    private const string Locator = ProductKeys.LocatorPartition;

    private TableClient Table => storage.Table(StorageNames.Tables.Products);

    /// <summary>Creates the product or replaces its fields whole (the store is the source of truth for its catalogue); images stay.</summary>
    public async Task<(Product? Before, Product After)> UpsertAsync(ProductFields f, AuditActor by, CancellationToken cancellationToken = default)
    {
        var check = new Validation();
        ProductRules.Validate(f, check);
        check.ThrowIfInvalid();
        var now = time.GetUtcNow();
        var (before, after) = await OptimisticRetry.RunAsync(async _ =>
        {
            var current = await FindEntityAsync(f.Id!, cancellationToken);
            var next = Build(f, current, now);
            await WriteAsync(current, next, cancellationToken);
            return (current?.ToRecord(), (await FindAsync(f.Id!, cancellationToken))!);
        }, cancellationToken: cancellationToken);
        await history.RecordAsync(after.Id, now, Ids.New(time), by, ProductRules.Diff(before, after), cancellationToken: cancellationToken);
        return (before, after);
    }

    /// <summary>
    /// Applies a <c>product.created</c> or <c>product.updated</c> event: an update changes only the
    /// fields it carries. An event older than the last one applied, or applied before, changes
    /// nothing. Returns the fields changed; throws <see cref="ValidationFailedException"/> when the
    /// result is no valid product (an update of an unknown product without every field).
    /// </summary>
    public async Task<IReadOnlyList<FieldChange>> ApplyEventAsync(StoreEvent e, CancellationToken cancellationToken = default)
    {
        var fields = EventValidator.Data<ProductFields>(e);
        return await OptimisticRetry.RunAsync(async _ =>
        {
            var current = await FindEntityAsync(fields.Id!, cancellationToken);
            if (current is not null && (current.LastEventId == e.Id || current.LastEventAt > e.OccurredAt))
            {
                return (IReadOnlyList<FieldChange>)[];
            }
            var before = current?.ToRecord();
            var merged = before is null ? fields : ProductRules.Merge(before, fields);
            var check = new Validation();
            ProductRules.Validate(merged, check, "data.");
            check.ThrowIfInvalid();
            var next = Build(merged, current, time.GetUtcNow());
            next.LastEventId = e.Id;
            next.LastEventAt = e.OccurredAt;
            var changes = ProductRules.Diff(before, next.ToRecord());
            await history.RecordAsync(next.RowKey, e.OccurredAt, e.Id, ProductHistory.Store, changes, e.Id, cancellationToken);
            await WriteAsync(current, next, cancellationToken);
            return changes;
        }, cancellationToken: cancellationToken);
    }

    /// <summary>
    /// Changes a product's image list under its ETag: <paramref name="ifMatch"/> (the client's
    /// If-Match) must match when given, and then a lost race is a 412; without it a lost race is
    /// retried from a fresh read. The change is recorded in the history as <paramref name="describe"/>
    /// tells it (the list of image ids, or one image's alt text).
    /// </summary>
    public async Task<(Product Before, Product After)> ChangeImagesAsync(
        string productId, string? ifMatch, Func<IReadOnlyList<ProductImage>, IReadOnlyList<ProductImage>> change, AuditActor by,
        Func<Product, Product, FieldChange?> describe, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var (before, after) = await OptimisticRetry.RunAsync(async _ =>
        {
            var entity = await FindEntityAsync(productId, cancellationToken) ?? throw new NotFoundException("Product", productId);
            TableClientExtensions.CheckIfMatch(ifMatch, entity.ETag);
            var old = entity.ToRecord();
            entity.SetImages(change(old.Images));
            entity.UpdatedAt = now;
            entity.ETag = await Table.ReplaceIfMatchAsync(entity, cancellationToken);
            return (old, entity.ToRecord());
        }, maxAttempts: string.IsNullOrEmpty(ifMatch) || ifMatch == "*" ? OptimisticRetry.DefaultAttempts : 1, cancellationToken);
        if (describe(before, after) is { } changed)
        {
            await history.RecordAsync(productId, now, Ids.New(time), by, [changed], cancellationToken: cancellationToken);
        }
        return (before, after);
    }

    public async Task<Product?> FindAsync(string id, CancellationToken cancellationToken = default) =>
        (await FindEntityAsync(id, cancellationToken))?.ToRecord();

    public async Task<Product> GetAsync(string id, CancellationToken cancellationToken = default) =>
        await FindAsync(id, cancellationToken) ?? throw new NotFoundException("Product", id);

    /// <summary>One category's products, or the whole catalogue, in id order.</summary>
    public async Task<Storage.Page<Product>> ListAsync(string? category, bool? active, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        var filter = category is null
            ? TableClient.CreateQueryFilter($"PartitionKey ne {Locator}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {ProductKeys.Category(category)}");
        if (active is not null)
        {
            filter += " and " + TableClient.CreateQueryFilter($"Active eq {active.Value}");
        }
        var page = await Table.QueryPageAsync<ProductEntity>(filter, limit, cursor, cancellationToken);
        return page.Select(e => e.ToRecord());
    }

    private async Task<ProductEntity?> FindEntityAsync(string id, CancellationToken cancellationToken)
    {
        if (!KeyRules.IsValidKey(id))
        {
            return null;
        }
        var locator = await Table.FindAsync<ProductEntity>(Locator, ProductKeys.Locator(id), cancellationToken);
        return locator is null ? null : await Table.FindAsync<ProductEntity>(locator.Category, id, cancellationToken);
    }

    private static ProductEntity Build(ProductFields f, ProductEntity? current, DateTimeOffset now) => new()
    {
        PartitionKey = ProductKeys.Category(f.Category!),
        RowKey = f.Id!,
        Sku = f.Sku!.Trim(),
        Name = f.Name!.Trim(),
        Category = f.Category!.Trim(),
        PriceCents = Money.ToCents(f.Price!.Value),
        Currency = (f.Currency ?? "USD").ToUpperInvariant(),
        Active = f.Active ?? true,
        UpdatedAt = now,
        Images = current?.Images ?? "[]",
        ImageCount = current?.ImageCount ?? 0,
        LastEventId = current?.LastEventId,
        LastEventAt = current?.LastEventAt,
    };

    /// <summary>
    /// Writes the row under the ETag it was read with (a new product: an insert). A category change
    /// moves the row: the new partition's row and the locator first, then the old row, so a crash
    /// in between leaves the product findable (the next write of it removes the old row); an image
    /// change racing the move on the old row is the one thing that can be lost.
    /// </summary>
    private async Task WriteAsync(ProductEntity? current, ProductEntity next, CancellationToken cancellationToken)
    {
        if (current is null)
        {
            await Table.AddEntityAsync(next, cancellationToken);
        }
        else if (current.PartitionKey == next.PartitionKey)
        {
            next.ETag = current.ETag;
            await Table.ReplaceIfMatchAsync(next, cancellationToken);
            return;
        }
        else
        {
            await Table.UpsertEntityAsync(next, TableUpdateMode.Replace, cancellationToken);
        }
        await Table.UpsertEntityAsync(new ProductEntity { PartitionKey = Locator, RowKey = ProductKeys.Locator(next.RowKey), Category = next.PartitionKey }, TableUpdateMode.Replace, cancellationToken);
        if (current is not null)
        {
            await Table.DeleteEntityAsync(current.PartitionKey, current.RowKey, ETag.All, cancellationToken);
        }
    }
}

internal sealed class ProductEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Sku { get; set; } = "";
    public string Name { get; set; } = "";
    public string Category { get; set; } = "";
    public long PriceCents { get; set; }
    public string Currency { get; set; } = "USD";
    public bool Active { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The images in display order, as JSON (at most 10 small entries).</summary>
    public string Images { get; set; } = "[]";
    public int ImageCount { get; set; }

    /// <summary>The last store event applied: an older one, or the same again, changes nothing.</summary>
    public string? LastEventId { get; set; }
    public DateTimeOffset? LastEventAt { get; set; }

    public void SetImages(IReadOnlyList<ProductImage> images)
    {
        Images = JsonSerializer.Serialize(images, CrmJson.Options);
        ImageCount = images.Count;
    }

    public Product ToRecord() => new(RowKey, Sku, Name, Category, PriceCents, Currency, Active, UpdatedAt, ETag.ToString(),
        string.IsNullOrEmpty(Images) ? [] : JsonSerializer.Deserialize<List<ProductImage>>(Images, CrmJson.Options) ?? []);
}
