using PecosCrm.Bench.Load;
using PecosCrm.Core.Products;
using SkiaSharp;

namespace PecosCrm.Bench.Scenarios;

/// <summary>
/// The CPU and memory an image upload costs before any storage call: the content check, the one
/// decode and the two WebP thumbnails (<see cref="ImageInspector.Inspect"/>), for a photo-like JPEG
/// of 3000x2250 (the largest the scenario makes under the 2 MB limit) and for the worst case the pixel cap lets through (a flat 40-megapixel
/// PNG, a few hundred kB on the wire), at concurrency 1 and 2 (the default decode limit per process).
/// </summary>
public sealed class ImagesScenario : IScenario
{
    private static readonly int[] Concurrencies = [1, 2];

    public string Name => "images";

    public string Description => "Product image check, decode and thumbnails in-process: a 3000x2250 photo JPEG and a 40-megapixel flat PNG, at concurrency 1 and 2.";

    public async Task<IReadOnlyList<ResultRow>> RunAsync(TextWriter progress, CancellationToken cancellationToken)
    {
        var options = new ProductImageOptions();
        var (photo, width, height) = PhotoUnder(options.MaxBytes);
        var flat = Flat(8000, 5000);
        var rows = new List<ResultRow>();
        foreach (var (name, content) in new[] { ($"photo jpeg {width}x{height}, {photo.Length / 1024:N0} kB", photo), ($"flat png 8000x5000, {flat.Length / 1024:N0} kB", flat) })
        {
            foreach (var concurrency in Concurrencies)
            {
                var peak = new PeakMemory();
                var result = await LoadRunner.RunAsync(concurrency, _ => Task.Run(() =>
                {
                    ImageInspector.Inspect(content, options);
                    return 1;
                }, cancellationToken), cancellationToken, TimeSpan.FromSeconds(5));
                var bytes = peak.Stop();
                rows.Add(ResultRow.From(Name, name, result, "images/s", $"peak working set {bytes / (1024 * 1024)} MB"));
                progress.WriteLine($"{name} x{concurrency}: {result.ItemsPerSecond:F1}/s, p50 {result.Percentile(50):F0} ms");
            }
        }
        return rows;
    }

    /// <summary>A noisy gradient JPEG as large as fits under the limit, the way a phone photo scaled for the web is.</summary>
    private static (byte[] Content, int Width, int Height) PhotoUnder(long maxBytes)
    {
        var random = new Random(7);
        for (var width = 3000; ; width -= 200)
        {
            var height = width * 3 / 4;
            using var bitmap = new SKBitmap(width, height);
            var pixels = new SKColor[width * height];
            for (var y = 0; y < height; y++)
            {
                for (var x = 0; x < width; x++)
                {
                    var n = random.Next(24);
                    pixels[y * width + x] = new SKColor((byte)(120 + x * 100 / width + n), (byte)(80 + y * 80 / height + n), (byte)(50 + n));
                }
            }
            bitmap.Pixels = pixels;
            using var image = SKImage.FromBitmap(bitmap);
            using var data = image.Encode(SKEncodedImageFormat.Jpeg, 85);
            if (data.Size <= maxBytes)
            {
                return (data.ToArray(), width, height);
            }
        }
    }

    private static byte[] Flat(int width, int height)
    {
        using var bitmap = new SKBitmap(width, height);
        bitmap.Erase(new SKColor(0xC8, 0x96, 0x5A));
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
