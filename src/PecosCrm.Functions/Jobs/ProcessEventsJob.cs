using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using PecosCrm.Core.Events;
using PecosCrm.Core.Storage;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.Functions.Jobs;

/// <summary>Applies one accepted batch of store events. Redelivery is harmless: events are deduplicated.</summary>
public sealed class ProcessEventsJob(EventProcessor processor, DurableClientAccessor durable)
{
    public const string FunctionName = "ProcessEvents";

    [Function(FunctionName)]
    public async Task RunAsync([QueueTrigger(StorageNames.Queues.Events)] string message, [DurableClient] DurableTaskClient? client, CancellationToken cancellationToken)
    {
        durable.Client = client;
        var batch = QueuePayload.Parse<EventBatchMessage>(FunctionName, message);
        await processor.ProcessBatchAsync(batch.Batch, cancellationToken);
    }
}
