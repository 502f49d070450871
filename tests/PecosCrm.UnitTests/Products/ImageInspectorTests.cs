using PecosCrm.Core.Products;
using SkiaSharp;

namespace PecosCrm.UnitTests.Products;

public sealed class ImageInspectorTests
{
    [Fact]
    public void Inspect_TooManyPixels_IsRefusedFromTheHeader()
    {
        var png = Encode(SKEncodedImageFormat.Png, 300, 200);

        var error = Assert.Throws<ValidationFailedException>(() => ImageInspector.Inspect(png, new ProductImageOptions { MaxPixels = 50_000 }));

        Assert.Contains("300×200", error.Errors["file"][0]);
    }

    [Fact]
    public void Inspect_AJpeg_MakesWebpThumbnailsThatNeverUpscale()
    {
        var jpeg = Encode(SKEncodedImageFormat.Jpeg, 800, 400);
        var tiny = Encode(SKEncodedImageFormat.Png, 50, 40);

        var inspected = ImageInspector.Inspect(jpeg, new ProductImageOptions());
        var small = ImageInspector.Inspect(tiny, new ProductImageOptions());

        Assert.Equal(("image/jpeg", "jpg", 800, 400), (inspected.ContentType, inspected.Extension, inspected.Width, inspected.Height));
        Assert.Equal([(200, 200, 100), (600, 600, 300)], inspected.Thumbnails.Select(t => (t.Size, t.Width, t.Height)));
        Assert.All(inspected.Thumbnails, t => Assert.Equal(SKEncodedImageFormat.Webp, ImageInspector.Sniff(t.Content)));
        Assert.All(small.Thumbnails, t => Assert.Equal((50, 40), (t.Width, t.Height)));
    }

    [Fact]
    public void Inspect_MagicOfOneFormatWithTheBodyOfNone_IsUnsupported()
    {
        var gifHeaderOnly = "GIF89a"u8.ToArray().Concat(new byte[64]).ToArray();
        var riffNotWebp = "RIFF\0\0\0\0WAVEfmt "u8.ToArray();

        Assert.Throws<UnsupportedImageException>(() => ImageInspector.Inspect(gifHeaderOnly, new ProductImageOptions()));
        Assert.Throws<UnsupportedImageException>(() => ImageInspector.Inspect(riffNotWebp, new ProductImageOptions()));
        Assert.Null(ImageInspector.Sniff(riffNotWebp));
    }

    private static byte[] Encode(SKEncodedImageFormat format, int width, int height)
    {
        using var bitmap = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.SaddleBrown);
        }
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(format, 90);
        return data.ToArray();
    }
}
