using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using PecosCrm.Core.Integrations.Audiences;
using PecosCrm.Core.Integrations.Connectors;
using PecosCrm.Core.Storage;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.Functions.Jobs;

/// <summary>Integration work from the <c>integrations</c> queue: a connector's sync, or a large ad-audience file.</summary>
public sealed class IntegrationWorkJob(ConnectorSync connectors, AdAudienceJobs audiences, DurableClientAccessor durable)
{
    public const string FunctionName = "IntegrationWork";

    [Function(FunctionName)]
    public Task RunAsync([QueueTrigger(StorageNames.Queues.Integrations)] string message, [DurableClient] DurableTaskClient? client, CancellationToken cancellationToken)
    {
        durable.Client = client;
        var work = QueuePayload.Parse<IntegrationWork>(FunctionName, message, w => QueuePayload.OneOf("kind", w.Kind, IntegrationWork.Kinds));
        return work.Kind == IntegrationWork.Sync ? connectors.RunAsync(work.Id, cancellationToken) : audiences.RunAsync(work.Id, cancellationToken);
    }
}
