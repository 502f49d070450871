using Microsoft.Extensions.Options;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Products;

/// <summary>
/// Product images: upload (checked by content, thumbnails made, original and thumbnails stored side
/// by side in blobs, then added to the product row under its ETag), reorder, primary, alt text and
/// delete. Blobs are written before the row and removed after it, so the row never names a missing
/// blob; a crash in between leaves at most unreferenced blobs under the product's folder.
/// </summary>
public sealed class ProductImages(ProductStore products, BlobFiles blobs, IOptions<ProductImageOptions> options, TimeProvider time)
{
    private const string Container = StorageNames.Containers.ProductImages;

    /// <summary>A blob name is never reused (each upload has a new image id), so anything may keep it for a year.</summary>
    private const string CacheControl = "public, max-age=31536000, immutable";

    private readonly ProductImageOptions _options = options.Value;
    private readonly SemaphoreSlim _decodes = new(Math.Max(1, options.Value.MaxConcurrentDecodes));

    public ProductImageOptions Options => _options;

    /// <summary>Adds an image at the end of the list (the first one becomes primary); returns it and the product after.</summary>
    public async Task<(ProductImage Image, Product Product)> AddAsync(
        string productId, byte[] content, string? altText, string? ifMatch, AuditActor by, CancellationToken cancellationToken = default)
    {
        var product = await products.GetAsync(productId, cancellationToken);
        ProductImageList.CheckRoom(product.Images, _options.MaxImages);
        var alt = ProductImageList.CheckAltText(altText);
        InspectedImage inspected;
        await _decodes.WaitAsync(cancellationToken);
        try
        {
            inspected = ImageInspector.Inspect(content, _options);
        }
        finally
        {
            _decodes.Release();
        }

        var image = new ProductImage(Ids.New(time), inspected.ContentType, inspected.Extension, inspected.Width, inspected.Height, content.Length, alt, false, time.GetUtcNow());
        await blobs.UploadAsync(Container, ProductKeys.Original(productId, image.Id, image.Extension), new MemoryStream(content), image.ContentType, CacheControl, cancellationToken);
        foreach (var thumbnail in inspected.Thumbnails)
        {
            await blobs.UploadAsync(Container, ProductKeys.Thumbnail(productId, image.Id, thumbnail.Size), new MemoryStream(thumbnail.Content), "image/webp", CacheControl, cancellationToken);
        }
        try
        {
            var (_, after) = await products.ChangeImagesAsync(productId, ifMatch, images => ProductImageList.Add(images, image, _options.MaxImages), by, ListChange, cancellationToken);
            return (after.Images.First(i => i.Id == image.Id), after);
        }
        catch (Exception ex) when (ex is ConflictException or ConcurrencyException or NotFoundException)
        {
            await DeleteBlobsAsync(productId, image, cancellationToken);
            throw;
        }
    }

    /// <summary>Puts the images in the order given (every id once).</summary>
    public async Task<Product> ReorderAsync(string productId, IReadOnlyList<string?>? imageIds, string? ifMatch, AuditActor by, CancellationToken cancellationToken = default) =>
        (await products.ChangeImagesAsync(productId, ifMatch, images => ProductImageList.Reorder(images, imageIds), by, ListChange, cancellationToken)).After;

    public async Task<Product> SetPrimaryAsync(string productId, string imageId, string? ifMatch, AuditActor by, CancellationToken cancellationToken = default) =>
        (await products.ChangeImagesAsync(productId, ifMatch, images => ProductImageList.SetPrimary(images, imageId), by, ListChange, cancellationToken)).After;

    public async Task<Product> SetAltTextAsync(string productId, string imageId, string? altText, string? ifMatch, AuditActor by, CancellationToken cancellationToken = default) =>
        (await products.ChangeImagesAsync(productId, ifMatch, images => ProductImageList.SetAltText(images, imageId, altText), by,
            (before, after) => AltTextChange(imageId, before, after), cancellationToken)).After;

    /// <summary>Removes the image (a primary one hands over to the next) and then its blobs.</summary>
    public async Task<Product> DeleteAsync(string productId, string imageId, string? ifMatch, AuditActor by, CancellationToken cancellationToken = default)
    {
        var (before, after) = await products.ChangeImagesAsync(productId, ifMatch, images => ProductImageList.Remove(images, imageId), by, ListChange, cancellationToken);
        await DeleteBlobsAsync(productId, before.Images.First(i => i.Id == imageId), cancellationToken);
        return after;
    }

    /// <summary>Where a client fetches the original: a short-lived SAS link, or a plain URL under the configured public base.</summary>
    public Uri OriginalLink(string productId, ProductImage image) => Link(ProductKeys.Original(productId, image.Id, image.Extension));

    public Uri ThumbnailLink(string productId, ProductImage image, int size) => Link(ProductKeys.Thumbnail(productId, image.Id, size));

    private Uri Link(string blobName) => string.IsNullOrWhiteSpace(_options.PublicBaseUrl)
        ? blobs.GetDownloadLink(Container, blobName, _options.LinkLifetime)
        : new Uri(_options.PublicBaseUrl.TrimEnd('/') + "/" + string.Join('/', blobName.Split('/').Select(Uri.EscapeDataString)));

    private async Task DeleteBlobsAsync(string productId, ProductImage image, CancellationToken cancellationToken)
    {
        await blobs.DeleteIfExistsAsync(Container, ProductKeys.Original(productId, image.Id, image.Extension), cancellationToken);
        foreach (var size in ProductImageOptions.ThumbnailSizes)
        {
            await blobs.DeleteIfExistsAsync(Container, ProductKeys.Thumbnail(productId, image.Id, size), cancellationToken);
        }
    }

    private static FieldChange? ListChange(Product before, Product after)
    {
        var (old, now) = (ProductImageList.Describe(before.Images), ProductImageList.Describe(after.Images));
        return old == now ? null : new FieldChange("images", old, now);
    }

    private static FieldChange? AltTextChange(string imageId, Product before, Product after)
    {
        var (old, now) = (before.Images.First(i => i.Id == imageId).AltText, after.Images.First(i => i.Id == imageId).AltText);
        return old == now ? null : new FieldChange($"images.{imageId}.altText", old, now);
    }
}
