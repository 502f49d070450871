using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using PecosCrm.Core.Messaging;
using PecosCrm.Core.Storage;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.Functions.Jobs;

/// <summary>Applies one stored batch of SendGrid webhook events.</summary>
public sealed class SendGridEventsJob(SendGridEvents events, DurableClientAccessor durable)
{
    public const string FunctionName = "SendGridEvents";

    [Function(FunctionName)]
    public async Task RunAsync([QueueTrigger(StorageNames.Queues.MessageEvents)] string message, [DurableClient] DurableTaskClient? client, CancellationToken cancellationToken)
    {
        durable.Client = client;
        var batch = QueuePayload.Parse<WebhookBatch>(FunctionName, message);
        await events.ApplyBatchAsync(batch.Blob, cancellationToken);
    }
}
