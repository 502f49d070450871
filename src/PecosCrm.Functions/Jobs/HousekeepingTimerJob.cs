using System.Text.Json;
using Azure.Storage.Queues;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using PecosCrm.Core;
using PecosCrm.Core.Storage;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.Functions.Jobs;

/// <summary>
/// Daily storage housekeeping: queues one clean-up task per container with short-lived files, so
/// each container is cleaned by its own queue message (and retried on its own if it fails).
/// </summary>
public sealed class HousekeepingTimerJob(StorageAccount storage, TimeProvider time, DurableClientAccessor durable)
{
    public const string FunctionName = "HousekeepingTimer";

    /// <summary>03:30 every day (UTC unless WEBSITE_TIME_ZONE says otherwise).</summary>
    public const string Schedule = "0 30 3 * * *";

    /// <summary>What is removed, and after how long.</summary>
    public static readonly IReadOnlyList<(string Container, TimeSpan Retention)> Retention =
    [
        (StorageNames.Containers.Exports, TimeSpan.FromDays(7)),
        (StorageNames.Containers.EventBatches, TimeSpan.FromDays(30)),
    ];

    [Function(FunctionName)]
    public async Task RunAsync([TimerTrigger(Schedule)] TimerInfo timer, [DurableClient] DurableTaskClient? client, CancellationToken cancellationToken)
    {
        durable.Client = client;
        var queue = storage.Queue(StorageNames.Queues.Housekeeping);
        var now = time.GetUtcNow();
        foreach (var (container, retention) in Retention)
        {
            var task = new HousekeepingTask(container, now - retention);
            await queue.SendMessageAsync(JsonSerializer.Serialize(task, CrmJson.Options), cancellationToken);
        }
    }
}

/// <summary>Delete the blobs of <paramref name="Container"/> last modified before <paramref name="OlderThan"/>.</summary>
public sealed record HousekeepingTask(string Container, DateTimeOffset OlderThan);
