using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Products;

/// <summary>
/// The catalogue: one partition per category, and a locator row per product that finds its category
/// from its id (keys in <see cref="ProductKeys"/>).
/// </summary>
public sealed class ProductStore(StorageAccount storage, TimeProvider time)
{
    private const string Locator = ProductKeys.LocatorPartition;

    private TableClient Table => storage.Table(StorageNames.Tables.Products);

    /// <summary>Creates the product or replaces it whole (the store is the source of truth for its catalogue).</summary>
    public async Task<(Product? Before, Product After)> UpsertAsync(ProductFields f, CancellationToken cancellationToken = default)
    {
        var check = new Validation();
        if (!KeyRules.IsValidKey(f.Id) || f.Id!.Length > 100)
        {
            check.Add("id", "is required: the store's product id or UPC.");
        }
        check.Required("sku", f.Sku, 60).Required("name", f.Name).Required("category", f.Category, 60);
        if (f.Category is not null && !KeyRules.IsValidKey(f.Category.Trim()))
        {
            check.Add("category", "must not contain / \\ # ?.");
        }
        if (f.Price is null or < 0 or > 1_000_000m || (f.Price is { } p && decimal.Round(p, 2) != p))
        {
            check.Add("price", "is required: an amount from 0 with at most two decimals.");
        }
        if (f.Currency is not null && (f.Currency.Length != 3 || !f.Currency.All(char.IsAsciiLetter)))
        {
            check.Add("currency", "must be a three-letter ISO 4217 code.");
        }
        check.ThrowIfInvalid();

        var before = await FindAsync(f.Id!, cancellationToken);
        var entity = new ProductEntity
        {
            PartitionKey = ProductKeys.Category(f.Category!),
            RowKey = f.Id!,
            Sku = f.Sku!.Trim(),
            Name = f.Name!.Trim(),
            Category = f.Category!.Trim(),
            PriceCents = Money.ToCents(f.Price!.Value),
            Currency = (f.Currency ?? "USD").ToUpperInvariant(),
            Active = f.Active ?? true,
            UpdatedAt = time.GetUtcNow(),
        };
        await Table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken);
        await Table.UpsertEntityAsync(new ProductEntity { PartitionKey = Locator, RowKey = ProductKeys.Locator(entity.RowKey), Category = entity.PartitionKey }, TableUpdateMode.Replace, cancellationToken);
        if (before is not null && ProductKeys.Category(before.Category) != entity.PartitionKey)
        {
            await Table.DeleteEntityAsync(ProductKeys.Category(before.Category), before.Id, ETag.All, cancellationToken);
        }
        return (before, (await FindAsync(entity.RowKey, cancellationToken))!);
    }

    public async Task<Product?> FindAsync(string id, CancellationToken cancellationToken = default)
    {
        if (!KeyRules.IsValidKey(id))
        {
            return null;
        }
        var locator = await Table.FindAsync<ProductEntity>(Locator, ProductKeys.Locator(id), cancellationToken);
        return locator is null ? null : (await Table.FindAsync<ProductEntity>(locator.Category, id, cancellationToken))?.ToRecord();
    }

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

    public Product ToRecord() => new(RowKey, Sku, Name, Category, PriceCents, Currency, Active, UpdatedAt, ETag.ToString());
}
