using System.Text.Json;
using PecosCrm.Core;
using PecosCrm.Core.Events;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.Functions.Jobs;

/// <summary>Applies one accepted batch of store events. Redelivery is harmless: events are deduplicated.</summary>
public sealed class ProcessEventsJob(EventProcessor processor) : IQueueJob
{
    public const string FunctionName = "ProcessEvents";

    public async Task HandleAsync(QueueInvocation message, CancellationToken cancellationToken)
    {
        var batch = JsonSerializer.Deserialize<EventBatchMessage>(message.Body, CrmJson.Options)
            ?? throw new InvalidOperationException("Empty event batch message.");
        await processor.ProcessBatchAsync(batch.Batch, cancellationToken);
    }
}
