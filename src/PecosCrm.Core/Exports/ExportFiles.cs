using System.IO.Compression;
using System.Text;
using Azure.Storage.Blobs.Models;
using PecosCrm.Core.Privacy;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Exports;

/// <summary>
/// The export files (exports, discount-code lists, ad audiences) as personal data. They are
/// short-lived copies of what the other files already hold, so the GDPR export has no file for them;
/// the erasure deletes every file that holds the customer's id, email or hashed email (a deleted one
/// can be exported again).
/// </summary>
public sealed class ExportFiles(StorageAccount storage) : IPersonalData
{
    public ErasureStage Stage => ErasureStage.Traces;

    public Task ExportAsync(string customerId, PersonalDataArchive archive, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task<int> EraseAsync(ErasureContext context, CancellationToken cancellationToken)
    {
        var needles = new List<string> { context.CustomerId };
        if (context.Email is { } email)
        {
            needles.Add(email);
            needles.Add(Segments.SegmentActions.HashEmail(email));
        }
        var container = storage.Container(StorageNames.Containers.Exports);
        var deleted = 0;
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, null, cancellationToken))
        {
            using var content = new MemoryStream();
            await container.GetBlobClient(blob.Name).DownloadToAsync(content, cancellationToken);
            if (Holds(content, blob.Name, needles))
            {
                await container.DeleteBlobIfExistsAsync(blob.Name, cancellationToken: cancellationToken);
                deleted++;
            }
        }
        context.Tally.ExportFiles += deleted;
        return 0;
    }

    private static bool Holds(MemoryStream content, string name, List<string> needles)
    {
        bool Search(string text) => needles.Any(n => text.Contains(n, StringComparison.OrdinalIgnoreCase));
        if (!name.EndsWith(".xlsx", StringComparison.OrdinalIgnoreCase))
        {
            return Search(Encoding.UTF8.GetString(content.ToArray()));
        }
        content.Position = 0;
        using var zip = new ZipArchive(content, ZipArchiveMode.Read);
        foreach (var entry in zip.Entries.Where(e => e.FullName.EndsWith(".xml", StringComparison.OrdinalIgnoreCase)))
        {
            using var reader = new StreamReader(entry.Open());
            if (Search(reader.ReadToEnd()))
            {
                return true;
            }
        }
        return false;
    }
}
