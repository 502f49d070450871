using SkiaSharp;

namespace PecosCrm.IntegrationTests.Products;

/// <summary>Real images made in memory: PNG, JPEG and WebP encoded by SkiaSharp, GIF written here (Skia decodes GIF but does not encode it).</summary>
public static class TestImages
{
    public static byte[] Png(int width = 64, int height = 48) => Encode(SKEncodedImageFormat.Png, width, height);

    public static byte[] Jpeg(int width = 640, int height = 480) => Encode(SKEncodedImageFormat.Jpeg, width, height);

    public static byte[] Webp(int width = 120, int height = 90) => Encode(SKEncodedImageFormat.Webp, width, height);

    /// <summary>A two-colour GIF89a: stripes, LZW-coded without compression (a clear code every two pixels keeps codes at 3 bits).</summary>
    public static byte[] Gif(int width = 40, int height = 30)
    {
        var output = new List<byte>();
        output.AddRange("GIF89a"u8.ToArray());
        output.AddRange([(byte)width, (byte)(width >> 8), (byte)height, (byte)(height >> 8), 0x80, 0, 0]);
        output.AddRange([0xA0, 0x52, 0x2D, 0xF5, 0xE6, 0xC8]);
        output.AddRange([0x2C, 0, 0, 0, 0, (byte)width, (byte)(width >> 8), (byte)height, (byte)(height >> 8), 0]);
        const int clear = 4, end = 5, bits = 3;
        var codes = new List<int>();
        for (var i = 0; i < width * height; i++)
        {
            if (i % 2 == 0)
            {
                codes.Add(clear);
            }
            codes.Add((i % width / 5 + i / width / 5) % 2);
        }
        codes.Add(end);
        var packed = new List<byte>();
        int buffer = 0, filled = 0;
        foreach (var code in codes)
        {
            buffer |= code << filled;
            filled += bits;
            while (filled >= 8)
            {
                packed.Add((byte)buffer);
                buffer >>= 8;
                filled -= 8;
            }
        }
        if (filled > 0)
        {
            packed.Add((byte)buffer);
        }
        output.Add(2);
        foreach (var block in packed.Chunk(255))
        {
            output.Add((byte)block.Length);
            output.AddRange(block);
        }
        output.AddRange([0, 0x3B]);
        return [.. output];
    }

    /// <summary>The PNG with bytes after its end chunk, to exactly <paramref name="size"/> bytes: still a PNG to decoders.</summary>
    public static byte[] PngOfSize(int size)
    {
        var png = Png(32, 32);
        var padded = new byte[size];
        png.CopyTo(padded, 0);
        return padded;
    }

    /// <summary>Width and height as SkiaSharp decodes them, or null when it cannot.</summary>
    public static (int Width, int Height, SKEncodedImageFormat Format)? Decode(byte[] content)
    {
        using var codec = SKCodec.Create(SKData.CreateCopy(content));
        return codec is null ? null : (codec.Info.Width, codec.Info.Height, codec.EncodedFormat);
    }

    private static byte[] Encode(SKEncodedImageFormat format, int width, int height)
    {
        using var bitmap = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(new SKColor(0xC8, 0x96, 0x5A));
            using var paint = new SKPaint { Color = new SKColor(0x5A, 0x3A, 0x1E), IsAntialias = true };
            canvas.DrawCircle(width / 2f, height / 2f, Math.Min(width, height) / 3f, paint);
        }
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(format, 90);
        return data.ToArray();
    }
}
