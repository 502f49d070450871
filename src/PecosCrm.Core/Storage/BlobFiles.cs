using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Sas;

namespace PecosCrm.Core.Storage;

/// <summary>Blob upload and download, and short-lived read links instead of public containers.</summary>
public sealed class BlobFiles(StorageAccount storage, TimeProvider time)
{
    /// <summary>How long a download link works unless the caller asks otherwise.</summary>
    public static readonly TimeSpan DefaultLinkLifetime = TimeSpan.FromMinutes(15);

    public async Task UploadAsync(string container, string name, Stream content, string contentType, CancellationToken cancellationToken = default) =>
        await UploadAsync(container, name, content, contentType, cacheControl: null, cancellationToken);

    /// <summary>Uploads with a <c>Cache-Control</c> header the blob is then served with (through a CDN, say).</summary>
    public async Task UploadAsync(string container, string name, Stream content, string contentType, string? cacheControl, CancellationToken cancellationToken = default)
    {
        var blob = storage.Container(container).GetBlobClient(name);
        await blob.UploadAsync(content, new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = contentType, CacheControl = cacheControl } }, cancellationToken);
    }

    /// <summary>Deletes one blob; a blob already gone is fine.</summary>
    public async Task DeleteIfExistsAsync(string container, string name, CancellationToken cancellationToken = default) =>
        await storage.Container(container).DeleteBlobIfExistsAsync(name, cancellationToken: cancellationToken);

    /// <summary>Opens a blob for reading, or null when it does not exist.</summary>
    public async Task<Stream?> OpenReadIfExistsAsync(string container, string name, CancellationToken cancellationToken = default)
    {
        try
        {
            return await storage.Container(container).GetBlobClient(name).OpenReadAsync(cancellationToken: cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <summary>
    /// A read-only SAS link to one blob that expires after <paramref name="lifetime"/>. The start
    /// time is set a few minutes back so that clock skew between machines does not reject a fresh link.
    /// </summary>
    public Uri GetDownloadLink(string container, string name, TimeSpan? lifetime = null, string? downloadFileName = null)
    {
        var blob = storage.Container(container).GetBlobClient(name);
        var now = time.GetUtcNow();
        var sas = new BlobSasBuilder(BlobSasPermissions.Read, now + (lifetime ?? DefaultLinkLifetime))
        {
            BlobContainerName = blob.BlobContainerName,
            BlobName = blob.Name,
            Resource = "b",
            StartsOn = now.AddMinutes(-5),
        };
        if (downloadFileName is not null)
        {
            sas.ContentDisposition = $"attachment; filename=\"{downloadFileName}\"";
        }
        return blob.GenerateSasUri(sas);
    }

    /// <summary>Deletes blobs under a prefix last modified before <paramref name="olderThan"/>; returns how many.</summary>
    public async Task<int> DeleteOlderThanAsync(string container, string? prefix, DateTimeOffset olderThan, CancellationToken cancellationToken = default)
    {
        var client = storage.Container(container);
        var deleted = 0;
        await foreach (var item in client.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, cancellationToken))
        {
            if (item.Properties.LastModified is { } modified && modified < olderThan)
            {
                await client.DeleteBlobIfExistsAsync(item.Name, cancellationToken: cancellationToken);
                deleted++;
            }
        }
        return deleted;
    }
}
