using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using PecosCrm.Core.Integrations.Webhooks;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.Functions.Jobs;

/// <summary>Every minute: tries again the webhook deliveries whose backoff has run out (one query when none has).</summary>
public sealed class WebhookRetriesJob(WebhookDispatcher dispatcher, DurableClientAccessor durable)
{
    public const string FunctionName = "WebhookRetries";
    public const string Schedule = "0 * * * * *";

    [Function(FunctionName)]
    public Task RunAsync([TimerTrigger(Schedule)] TimerInfo timer, [DurableClient] DurableTaskClient? client, CancellationToken cancellationToken)
    {
        durable.Client = client;
        return dispatcher.RetryDueAsync(cancellationToken);
    }
}
