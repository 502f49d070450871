using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using PecosCrm.Core.Storage;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.Functions.Jobs;

/// <summary>Carries out one housekeeping task from the queue. Deleting is idempotent, so a redelivery is harmless.</summary>
public sealed partial class HousekeepingQueueJob(BlobFiles blobs, DurableClientAccessor durable, ILogger<HousekeepingQueueJob> logger)
{
    public const string FunctionName = "HousekeepingQueue";

    [Function(FunctionName)]
    public async Task RunAsync([QueueTrigger(StorageNames.Queues.Housekeeping)] string message, [DurableClient] DurableTaskClient? client, CancellationToken cancellationToken)
    {
        durable.Client = client;
        // Only containers that hold short-lived files may be cleaned, whatever a message says.
        var task = QueuePayload.Parse<HousekeepingTask>(FunctionName, message,
            t => HousekeepingTimerJob.Retention.Any(r => r.Container == t.Container) ? null : $"container '{t.Container}' is not cleaned by housekeeping.");
        var deleted = await blobs.DeleteOlderThanAsync(task.Container, null, task.OlderThan, cancellationToken);
        LogCleaned(logger, task.Container, deleted);
    }

    [LoggerMessage(1, LogLevel.Information, "Housekeeping removed {Count} blobs from {Container}")]
    private static partial void LogCleaned(ILogger logger, string container, int count);
}
