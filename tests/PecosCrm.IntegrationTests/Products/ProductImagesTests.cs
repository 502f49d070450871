using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using PecosCrm.IntegrationTests.Infrastructure;
using SkiaSharp;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;

namespace PecosCrm.IntegrationTests.Products;

[Collection(AzuriteCollection.Name)]
public sealed class ProductImagesTests(AzuriteFixture fixture)
{
    private const int TwoMegabytes = 2 * 1024 * 1024;

    private readonly HttpClient _admin = fixture.App.Admin();
    private readonly HttpClient _web = new();

    [Fact]
    public async Task Upload_JpegPngGifWebp_StoredByContentWithThumbnails_AndTheListShowsPrimaryAndCount()
    {
        var id = await NewProductAsync();

        var jpeg = await (await UploadAsync(id, TestImages.Jpeg(640, 480), "front.jpg", altText: "Roper boot, front")).AssertJsonAsync(HttpStatusCode.Created);
        var png = await (await UploadAsync(id, TestImages.Png(), "side.png")).AssertJsonAsync(HttpStatusCode.Created);
        var gif = await (await UploadAsync(id, TestImages.Gif(), "spin.gif")).AssertJsonAsync(HttpStatusCode.Created);
        var webp = await (await UploadAsync(id, TestImages.Webp(), "sole.webp")).AssertJsonAsync(HttpStatusCode.Created);

        Assert.Equal(["image/jpeg", "image/png", "image/gif", "image/webp"], new[] { jpeg, png, gif, webp }.Select(u => u["image"]!["contentType"]!.GetValue<string>()));
        var image = jpeg["image"]!;
        Assert.True(image["primary"]!.GetValue<bool>());
        Assert.Equal("Roper boot, front", image["altText"]!.GetValue<string>());
        Assert.Equal(640, image["width"]!.GetValue<int>());
        var original = await _web.GetAsync(image["url"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, original.StatusCode);
        Assert.Equal("image/jpeg", original.Content.Headers.ContentType?.MediaType);
        var thumbnails = image["thumbnails"]!.AsArray();
        Assert.Equal([200, 600], thumbnails.Select(t => t!["size"]!.GetValue<int>()));
        var small = TestImages.Decode(await _web.GetByteArrayAsync(thumbnails[0]!["url"]!.GetValue<string>()));
        Assert.Equal((200, 150, SKEncodedImageFormat.Webp), small);
        Assert.False(png["image"]!["primary"]!.GetValue<bool>());

        var list = await (await _admin.GetAsync("/api/products?category=" + Uri.EscapeDataString(Category(id)))).AssertJsonAsync();
        var item = list["items"]!.AsArray().Single(p => p!["id"]!.GetValue<string>() == id)!;
        Assert.Equal(4, item["imageCount"]!.GetValue<int>());
        Assert.Equal(image["id"]!.GetValue<string>(), item["primaryImage"]!["id"]!.GetValue<string>());
        Assert.Null(item["images"]);
    }

    [Fact]
    public async Task Upload_JudgesByContentNotName_PngNamedJpgIsAPng_TextNamedJpgIsRefused()
    {
        var id = await NewProductAsync();

        var png = await (await UploadAsync(id, TestImages.Png(), "boots.jpg", "image/jpeg")).AssertJsonAsync(HttpStatusCode.Created);
        var text = await (await UploadAsync(id, "Not a picture of boots.\n"u8.ToArray(), "boots.jpg", "image/jpeg")).AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
        var fakePng = TestImages.Png().Take(40).Concat(new byte[200]).ToArray();
        var broken = await (await UploadAsync(id, fakePng, "broken.png", "image/png")).AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);

        Assert.Equal("image/png", png["image"]!["contentType"]!.GetValue<string>());
        var original = await _web.GetAsync(png["image"]!["url"]!.GetValue<string>());
        Assert.Equal("image/png", original.Content.Headers.ContentType?.MediaType);
        Assert.True(text["errors"]!.AsObject().ContainsKey("file"));
        Assert.True(broken["errors"]!.AsObject().ContainsKey("file"));
        Assert.Equal(1, await ImageCountAsync(id));
    }

    [Fact]
    public async Task Upload_TwoMegabytesIsTheLimit_OneByteMoreIsRefusedAndNothingStored()
    {
        var id = await NewProductAsync();

        var atLimit = await UploadAsync(id, TestImages.PngOfSize(TwoMegabytes), "big.png");
        var over = await UploadAsync(id, TestImages.PngOfSize(TwoMegabytes + 1), "bigger.png");

        var stored = await atLimit.AssertJsonAsync(HttpStatusCode.Created);
        Assert.Equal(TwoMegabytes, stored["image"]!["bytes"]!.GetValue<long>());
        var problem = await over.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("2,097,152", problem["errors"]!["file"]![0]!.GetValue<string>());
        Assert.Equal(1, await ImageCountAsync(id));
    }

    [Fact]
    public async Task Upload_EleventhImage_IsRefused_AndTheTenStay()
    {
        var id = await NewProductAsync();
        for (var i = 0; i < 10; i++)
        {
            await (await UploadAsync(id, TestImages.Png(16 + i, 16), $"view-{i}.png")).AssertJsonAsync(HttpStatusCode.Created);
        }

        var eleventh = await UploadAsync(id, TestImages.Png(), "one-too-many.png");

        await eleventh.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(10, await ImageCountAsync(id));
    }

    [Fact]
    public async Task Reorder_WithTheCurrentETag_Reorders_WithAStaleOne_Is412AndChangesNothing()
    {
        var id = await NewProductAsync();
        var ids = new List<string>();
        foreach (var name in new[] { "a.png", "b.png", "c.png" })
        {
            ids.Add((await (await UploadAsync(id, TestImages.Png(), name)).AssertJsonAsync(HttpStatusCode.Created))["image"]!["id"]!.GetValue<string>());
        }
        var read = await _admin.GetAsync($"/api/products/{id}");
        var etag = read.Headers.GetValues("ETag").Single();
        var reversed = ids.AsEnumerable().Reverse().ToList();

        var first = await SendAsync(HttpMethod.Put, $"/api/products/{id}/images/reorder", new JsonObject { ["imageIds"] = new JsonArray(reversed.Select(i => (JsonNode)i).ToArray()) }, etag);
        var stale = await SendAsync(HttpMethod.Put, $"/api/products/{id}/images/reorder", new JsonObject { ["imageIds"] = new JsonArray(ids.Select(i => (JsonNode)i).ToArray()) }, etag);
        var missing = await SendAsync(HttpMethod.Put, $"/api/products/{id}/images/reorder", new JsonObject { ["imageIds"] = new JsonArray(ids[0], ids[1]) });
        var misspelt = await SendAsync(HttpMethod.Put, $"/api/products/{id}/images/reorder", new JsonObject { ["imageIdz"] = new JsonArray(ids[0]) });

        var reordered = await first.AssertJsonAsync();
        Assert.Equal(reversed, reordered["images"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()));
        Assert.Equal([1, 2, 3], reordered["images"]!.AsArray().Select(i => i!["position"]!.GetValue<int>()));
        Assert.NotEqual(etag, first.Headers.GetValues("ETag").Single());
        await stale.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        Assert.True((await missing.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!.AsObject().ContainsKey("imageIds"));
        Assert.True((await misspelt.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!.AsObject().ContainsKey("imageIdz"));
        var now = await (await _admin.GetAsync($"/api/products/{id}")).AssertJsonAsync();
        Assert.Equal(reversed, now["images"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task DeletePrimary_PromotesTheNextImage_AndRemovesItsFiles()
    {
        var id = await NewProductAsync();
        var ids = new List<string>();
        foreach (var name in new[] { "a.png", "b.png", "c.png" })
        {
            ids.Add((await (await UploadAsync(id, TestImages.Png(), name)).AssertJsonAsync(HttpStatusCode.Created))["image"]!["id"]!.GetValue<string>());
        }
        var primary = await (await SendAsync(HttpMethod.Put, $"/api/products/{id}/images/{ids[1]}/primary", null)).AssertJsonAsync();
        var link = primary["primaryImage"]!["url"]!.GetValue<string>();

        var deleted = await (await SendAsync(HttpMethod.Delete, $"/api/products/{id}/images/{ids[1]}", null)).AssertJsonAsync();
        var again = await SendAsync(HttpMethod.Delete, $"/api/products/{id}/images/{ids[1]}", null);

        Assert.Equal(ids[1], primary["primaryImage"]!["id"]!.GetValue<string>());
        Assert.Equal(ids[2], deleted["primaryImage"]!["id"]!.GetValue<string>());
        Assert.Equal([ids[0], ids[2]], deleted["images"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()));
        Assert.Single(deleted["images"]!.AsArray(), i => i!["primary"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.NotFound, (await _web.GetAsync(link)).StatusCode);
        await again.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AltText_Changes_AndTheHistoryAndAuditSayWhoChangedTheImages()
    {
        var id = await NewProductAsync();
        var imageId = (await (await UploadAsync(id, TestImages.Png(), "a.png")).AssertJsonAsync(HttpStatusCode.Created))["image"]!["id"]!.GetValue<string>();

        var changed = await (await SendAsync(HttpMethod.Patch, $"/api/products/{id}/images/{imageId}", new JsonObject { ["altText"] = "Tan roper, side" })).AssertJsonAsync();
        var tooLong = await SendAsync(HttpMethod.Patch, $"/api/products/{id}/images/{imageId}", new JsonObject { ["altText"] = new string('x', 251) });
        var history = await (await _admin.GetAsync($"/api/products/{id}/history")).AssertJsonAsync();

        Assert.Equal("Tan roper, side", changed["images"]![0]!["altText"]!.GetValue<string>());
        Assert.True((await tooLong.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!.AsObject().ContainsKey("altText"));
        var items = history["items"]!.AsArray();
        var alt = items.Single(i => i!["field"]!.GetValue<string>() == $"images.{imageId}.altText")!;
        Assert.Null(alt["old"]);
        Assert.Equal("Tan roper, side", alt["new"]!.GetValue<string>());
        var added = items.Single(i => i!["field"]!.GetValue<string>() == "images")!;
        Assert.Null(added["old"]);
        Assert.Equal(imageId + "*", added["new"]!.GetValue<string>());
        Assert.NotEqual("store", added["by"]!["type"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(added["by"]!["name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Upload_WithoutMultipartOrWithUnknownParts_IsRefused_AndUnknownProductIs404()
    {
        var id = await NewProductAsync();
        using var form = new MultipartFormDataContent { { new ByteArrayContent(TestImages.Png()), "file", "a.png" }, { new StringContent("x"), "caption" } };

        var json = await _admin.PostJsonAsync($"/api/products/{id}/images", new { file = "a.png" });
        var unknownPart = await _admin.PostAsync($"/api/products/{id}/images", form);
        var noProduct = await UploadAsync(NewId("nope"), TestImages.Png(), "a.png");

        await json.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
        Assert.True((await unknownPart.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!.AsObject().ContainsKey("caption"));
        await noProduct.AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(0, await ImageCountAsync(id));
    }

    private static string Category(string productId) => "Boots " + productId[^4..];

    private async Task<string> NewProductAsync()
    {
        var id = NewId("upc");
        await (await _admin.PostJsonAsync("/api/products", new { id, sku = "RB-" + id[^6..], name = "Roper boot", category = Category(id), price = 129.99m })).AssertJsonAsync();
        return id;
    }

    private async Task<int> ImageCountAsync(string productId) =>
        (await (await _admin.GetAsync($"/api/products/{productId}")).AssertJsonAsync())["imageCount"]!.GetValue<int>();

    private async Task<HttpResponseMessage> UploadAsync(string productId, byte[] content, string fileName, string contentType = "application/octet-stream", string? altText = null)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        form.Add(file, "file", fileName);
        if (altText is not null)
        {
            form.Add(new StringContent(altText), "altText");
        }
        return await _admin.PostAsync($"/api/products/{productId}/images", form);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, JsonNode? body, string? ifMatch = null)
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }
        return await _admin.SendAsync(request);
    }
}
