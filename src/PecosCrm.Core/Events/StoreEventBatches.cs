using Azure.Storage.Blobs.Models;
using PecosCrm.Core.Privacy;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Events;

/// <summary>
/// The accepted event batches kept in blob storage, as personal data: the customer's raw store
/// events are exported as they arrived, and the erasure rewrites each batch without them (under the
/// batch's ETag, so a batch written meanwhile is not overwritten).
/// </summary>
public sealed class StoreEventBatches(StorageAccount storage) : IPersonalData
{
    public ErasureStage Stage => ErasureStage.Traces;

    public async Task ExportAsync(string customerId, PersonalDataArchive archive, CancellationToken cancellationToken) =>
        archive.Add("store-events.json", await VisitAsync(customerId, scrub: false, cancellationToken));

    public async Task<int> EraseAsync(ErasureContext context, CancellationToken cancellationToken)
    {
        var removed = (await VisitAsync(context.CustomerId, scrub: true, cancellationToken)).Count;
        context.Tally.StoreEvents += removed;
        return 0;
    }

    private async Task<List<StoreEvent>> VisitAsync(string customerId, bool scrub, CancellationToken cancellationToken)
    {
        var container = storage.Container(StorageNames.Containers.EventBatches);
        var found = new List<StoreEvent>();
        await foreach (var item in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, null, cancellationToken))
        {
            var blob = container.GetBlobClient(item.Name);
            var content = (await blob.DownloadContentAsync(cancellationToken)).Value;
            var events = content.Content.ToObjectFromJson<List<StoreEvent>>(CrmJson.Options) ?? [];
            var mine = events.Where(e => e.CustomerId == customerId).ToList();
            if (mine.Count == 0)
            {
                continue;
            }
            found.AddRange(mine);
            if (scrub)
            {
                await blob.UploadAsync(BinaryData.FromObjectAsJson(events.Except(mine).ToList(), CrmJson.Options),
                    new BlobUploadOptions { Conditions = new BlobRequestConditions { IfMatch = content.Details.ETag } }, cancellationToken);
            }
        }
        return found;
    }
}
