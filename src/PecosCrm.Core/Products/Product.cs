namespace PecosCrm.Core.Products;

/// <summary>A catalogue item. The id is the store's (its UPC where it has one).</summary>
public sealed record Product(string Id, string Sku, string Name, string Category, long PriceCents, string Currency, bool Active, DateTimeOffset UpdatedAt, string ETag);

/// <summary>Product fields as sent; on update null means "leave as it is".</summary>
public sealed record ProductFields(string? Id, string? Sku, string? Name, string? Category, decimal? Price, string? Currency, bool? Active);
