using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using PecosCrm.Core.Integrations.Webhooks;
using PecosCrm.Core.Storage;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.Functions.Jobs;

/// <summary>Webhook work from the <c>webhooks</c> queue: a published batch to deliver, a redelivery, a slice of a replay.</summary>
public sealed class WebhookWorkJob(WebhookDispatcher dispatcher, DurableClientAccessor durable)
{
    public const string FunctionName = "WebhookWork";

    [Function(FunctionName)]
    public async Task RunAsync([QueueTrigger(StorageNames.Queues.Webhooks)] string message, [DurableClient] DurableTaskClient? client, CancellationToken cancellationToken)
    {
        durable.Client = client;
        var work = QueuePayload.Parse<WebhookWork>(FunctionName, message,
            w => QueuePayload.OneOf("kind", w.Kind, WebhookWork.Kinds) ?? w.Problem());
        await dispatcher.RunAsync(work, cancellationToken);
    }
}
