namespace PecosCrm.Core.Products;

/// <summary>Limits of product images and how their links are handed out (section <c>Products:Images</c>).</summary>
public sealed class ProductImageOptions
{
    public const string SectionName = "Products:Images";

    /// <summary>Images a product may hold.</summary>
    public int MaxImages { get; set; } = 10;

    /// <summary>Largest original accepted, in bytes (2 MB).</summary>
    public long MaxBytes { get; set; } = 2 * 1024 * 1024;

    /// <summary>
    /// Largest image accepted, in pixels (width × height, 40 megapixels). A 2 MB file can declare a
    /// huge canvas (a flat PNG compresses thousands to one); decoding costs 4 bytes a pixel, so the
    /// size is read from the header and a larger image refused before any pixel is decoded.
    /// </summary>
    public long MaxPixels { get; set; } = 40_000_000;

    /// <summary>How many images are decoded at once in this process, which bounds the memory decoding takes.</summary>
    public int MaxConcurrentDecodes { get; set; } = 2;

    /// <summary>Thumbnail sizes (the longest side, in pixels), written as WebP beside the original; fixed, so every image has the same ones.</summary>
    public static readonly IReadOnlyList<int> ThumbnailSizes = [200, 600];

    /// <summary>
    /// Empty (the default): images are served by short-lived read-only SAS links. Set to a CDN
    /// endpoint (or a container URL) whose origin is the <c>product-images</c> container, and links
    /// become plain, cacheable URLs under it; the container's access is then set by the
    /// infrastructure, not by the app. Blob names never change (an image id is new per upload), so
    /// a CDN may cache them for good.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>How long a SAS link works.</summary>
    public TimeSpan LinkLifetime { get; set; } = TimeSpan.FromMinutes(15);
}
