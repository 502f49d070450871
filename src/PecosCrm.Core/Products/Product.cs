namespace PecosCrm.Core.Products;

/// <summary>A catalogue item. The id is the store's (its UPC where it has one). Images are in display order.</summary>
public sealed record Product(
    string Id, string Sku, string Name, string Category, long PriceCents, string Currency, bool Active, DateTimeOffset UpdatedAt, string ETag,
    IReadOnlyList<ProductImage> Images)
{
    /// <summary>The image the catalogue shows first, or null when there is none.</summary>
    public ProductImage? PrimaryImage => Images.FirstOrDefault(i => i.Primary) ?? Images.FirstOrDefault();
}

/// <summary>Product fields as sent; on update null means "leave as it is".</summary>
public sealed record ProductFields(string? Id, string? Sku, string? Name, string? Category, decimal? Price, string? Currency, bool? Active);

/// <summary>
/// One image of a product: its original in blobs (checked by content, never by its file name) and
/// thumbnails made from it. <paramref name="Extension"/> names the original's blob.
/// </summary>
public sealed record ProductImage(
    string Id, string ContentType, string Extension, int Width, int Height, long Bytes, string? AltText, bool Primary, DateTimeOffset AddedAt);
