using System.Text.Json;
using PecosCrm.Core;
using PecosCrm.Core.Messaging;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.Functions.Jobs;

/// <summary>Applies one stored batch of SendGrid webhook events.</summary>
public sealed class SendGridEventsJob(SendGridEvents events) : IQueueJob
{
    public const string FunctionName = "SendGridEvents";

    public async Task HandleAsync(QueueInvocation message, CancellationToken cancellationToken)
    {
        var batch = JsonSerializer.Deserialize<WebhookBatch>(message.Body, CrmJson.Options) ?? throw new InvalidOperationException("Empty webhook batch.");
        await events.ApplyBatchAsync(batch.Blob, cancellationToken);
    }
}
