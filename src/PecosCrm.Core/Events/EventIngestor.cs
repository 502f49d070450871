using System.Globalization;
using System.Text.Json;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Events;

/// <summary>
/// Accepts a batch of store events: validates all of it, stores it as one blob, then queues one
/// message that points at the blob. Only when both writes succeeded is the batch accepted (202), so
/// an accepted batch cannot be lost; a failure before that leaves at most an orphan blob, and the
/// client's retry is harmless because events are deduplicated when applied.
/// </summary>
public sealed class EventIngestor(StorageAccount storage, TimeProvider time)
{
    public async Task<AcceptedBatch> AcceptAsync(IReadOnlyList<StoreEventInput?>? events, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var valid = EventValidator.Validate(events, now);
        var batchId = Ids.New(time);
        var blobName = now.UtcDateTime.ToString("yyyy/MM/dd/", CultureInfo.InvariantCulture) + batchId + ".json";

        var container = storage.Container(StorageNames.Containers.EventBatches);
        await container.UploadBlobAsync(blobName, BinaryData.FromObjectAsJson(valid, CrmJson.Options), cancellationToken);
        await storage.Queue(StorageNames.Queues.Events).SendMessageAsync(
            JsonSerializer.Serialize(new EventBatchMessage(blobName), CrmJson.Options), cancellationToken);
        return new AcceptedBatch(batchId, valid.Count);
    }
}

/// <summary>The queue message of an accepted batch: where its blob is.</summary>
public sealed record EventBatchMessage(string Batch);
