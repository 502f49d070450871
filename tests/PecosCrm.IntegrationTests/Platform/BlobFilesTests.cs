using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PecosCrm.Core.Storage;
using PecosCrm.IntegrationTests.Infrastructure;

namespace PecosCrm.IntegrationTests.Platform;

[Collection(AzuriteCollection.Name)]
public sealed class BlobFilesTests(AzuriteFixture fixture)
{
    [Fact]
    public async Task DownloadLink_ReadsTheBlob_ThenExpires()
    {
        var blobs = fixture.App.Services.GetRequiredService<BlobFiles>();
        var name = $"report-{Guid.NewGuid():N}.csv";
        await blobs.UploadAsync(StorageNames.Containers.Exports, name, new MemoryStream("id,email\n1,a@b.example\n"u8.ToArray()), "text/csv");
        using var http = new HttpClient();

        var link = blobs.GetDownloadLink(StorageNames.Containers.Exports, name, TimeSpan.FromMinutes(5), "customers.csv");
        var download = await http.GetAsync(link);
        var expired = new BlobFiles(fixture.App.Storage, new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-2)))
            .GetDownloadLink(StorageNames.Containers.Exports, name, TimeSpan.FromMinutes(5));
        var late = await http.GetAsync(expired);
        var container = fixture.App.Storage.Container(StorageNames.Containers.Exports).Uri;
        var anonymous = await http.GetAsync(new Uri(container + "/" + name));

        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("id,email\n1,a@b.example\n", await download.Content.ReadAsStringAsync());
        Assert.Contains("customers.csv", download.Content.Headers.ContentDisposition?.ToString());
        Assert.Equal(HttpStatusCode.Forbidden, late.StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, anonymous.StatusCode);
        await using var read = await blobs.OpenReadIfExistsAsync(StorageNames.Containers.Exports, name);
        Assert.NotNull(read);
        Assert.Null(await blobs.OpenReadIfExistsAsync(StorageNames.Containers.Exports, "missing.csv"));
    }
}
