using System.Text.Json;
using PecosCrm.Core;
using PecosCrm.Core.Storage;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.Functions.Jobs;

/// <summary>Carries out one housekeeping task from the queue. Deleting is idempotent, so a redelivery is harmless.</summary>
public sealed partial class HousekeepingQueueJob(BlobFiles blobs, ILogger<HousekeepingQueueJob> logger) : IQueueJob
{
    public const string FunctionName = "HousekeepingQueue";

    public async Task HandleAsync(QueueInvocation message, CancellationToken cancellationToken)
    {
        var task = JsonSerializer.Deserialize<HousekeepingTask>(message.Body, CrmJson.Options)
            ?? throw new InvalidOperationException("Empty housekeeping task.");
        // Only containers that hold short-lived files may be cleaned, whatever a message says.
        if (!HousekeepingTimerJob.Retention.Any(r => r.Container == task.Container))
        {
            throw new InvalidOperationException($"Container '{task.Container}' is not cleaned by housekeeping.");
        }
        var deleted = await blobs.DeleteOlderThanAsync(task.Container, null, task.OlderThan, cancellationToken);
        LogCleaned(logger, task.Container, deleted);
    }

    [LoggerMessage(1, LogLevel.Information, "Housekeeping removed {Count} blobs from {Container}")]
    private static partial void LogCleaned(ILogger logger, string container, int count);
}
