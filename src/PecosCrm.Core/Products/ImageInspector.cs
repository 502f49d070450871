using SkiaSharp;

namespace PecosCrm.Core.Products;

/// <summary>An image as its content says it is: the format found by its magic bytes and confirmed by decoding it.</summary>
public sealed record InspectedImage(string ContentType, string Extension, int Width, int Height, IReadOnlyList<Thumbnail> Thumbnails);

/// <summary>A WebP thumbnail whose longest side is at most <paramref name="Size"/> pixels.</summary>
public sealed record Thumbnail(int Size, int Width, int Height, byte[] Content);

/// <summary>The content is no image of a format the catalogue takes, or does not decode: a 415 naming the field.</summary>
public sealed class UnsupportedImageException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>
/// Decides what an uploaded file is from its bytes, never from its name or declared type: the magic
/// bytes first (JPEG, PNG, GIF, WebP), then SkiaSharp must decode it as that format, whole. The
/// size is read from the header and checked against the pixel cap before any pixel is decoded; the
/// one decode then makes the thumbnails. No I/O: the caller stores what this returns.
/// </summary>
public static class ImageInspector
{
    private const int ThumbnailQuality = 80;

    private static readonly (SKEncodedImageFormat Format, string ContentType, string Extension)[] Formats =
    [
        (SKEncodedImageFormat.Jpeg, "image/jpeg", "jpg"),
        (SKEncodedImageFormat.Png, "image/png", "png"),
        (SKEncodedImageFormat.Gif, "image/gif", "gif"),
        (SKEncodedImageFormat.Webp, "image/webp", "webp"),
    ];

    /// <summary>The format the first bytes announce, or null when they announce none of the four.</summary>
    public static SKEncodedImageFormat? Sniff(ReadOnlySpan<byte> content) => content switch
    {
        [0xFF, 0xD8, 0xFF, ..] => SKEncodedImageFormat.Jpeg,
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, ..] => SKEncodedImageFormat.Png,
        [(byte)'G', (byte)'I', (byte)'F', (byte)'8', (byte)'7' or (byte)'9', (byte)'a', ..] => SKEncodedImageFormat.Gif,
        [(byte)'R', (byte)'I', (byte)'F', (byte)'F', _, _, _, _, (byte)'W', (byte)'E', (byte)'B', (byte)'P', ..] => SKEncodedImageFormat.Webp,
        _ => null,
    };

    /// <summary>Checks the content and makes its thumbnails, or throws naming <paramref name="field"/>.</summary>
    /// <exception cref="UnsupportedImageException">Not a JPEG, PNG, GIF or WebP, or it does not decode as one.</exception>
    /// <exception cref="ValidationFailedException">Too large in bytes or in pixels.</exception>
    public static InspectedImage Inspect(byte[] content, ProductImageOptions options, string field = "file")
    {
        if (content.Length == 0)
        {
            throw new ValidationFailedException(field, "is empty.");
        }
        if (content.Length > options.MaxBytes)
        {
            throw new ValidationFailedException(field, $"is {content.Length:N0} bytes; an image may be at most {options.MaxBytes:N0} bytes.");
        }
        if (Sniff(content) is not { } sniffed)
        {
            throw new UnsupportedImageException(field, "is not a JPEG, PNG, GIF or WebP image (judged by its content, not its name).");
        }
        var (_, contentType, extension) = Formats.First(f => f.Format == sniffed);
        using var data = SKData.CreateCopy(content);
        using var codec = SKCodec.Create(data);
        if (codec is null || codec.EncodedFormat != sniffed)
        {
            throw new UnsupportedImageException(field, $"starts like {extension.ToUpperInvariant()} but does not decode as one.");
        }
        var (width, height) = (codec.Info.Width, codec.Info.Height);
        if (width <= 0 || height <= 0 || (long)width * height > options.MaxPixels)
        {
            throw new ValidationFailedException(field, $"is {width}×{height} pixels; an image may have at most {options.MaxPixels:N0} pixels.");
        }
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var bitmap = new SKBitmap(info);
        if (codec.GetPixels(info, bitmap.GetPixels()) != SKCodecResult.Success)
        {
            throw new UnsupportedImageException(field, $"is a damaged or incomplete {extension.ToUpperInvariant()} image.");
        }
        var thumbnails = ProductImageOptions.ThumbnailSizes.Select(size => Thumbnail(bitmap, size)).ToList();
        return new InspectedImage(contentType, extension, width, height, thumbnails);
    }

    /// <summary>Scales down (never up) so the longest side is at most <paramref name="size"/>, and encodes WebP.</summary>
    private static Thumbnail Thumbnail(SKBitmap source, int size)
    {
        var scale = Math.Min(1.0, (double)size / Math.Max(source.Width, source.Height));
        var width = Math.Max(1, (int)Math.Round(source.Width * scale));
        var height = Math.Max(1, (int)Math.Round(source.Height * scale));
        using var resized = source.Resize(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul), new SKSamplingOptions(SKCubicResampler.Mitchell))
            ?? throw new InvalidOperationException("SkiaSharp could not scale the image.");
        using var image = SKImage.FromBitmap(resized);
        using var encoded = image.Encode(SKEncodedImageFormat.Webp, ThumbnailQuality);
        return new Thumbnail(size, width, height, encoded.ToArray());
    }
}
