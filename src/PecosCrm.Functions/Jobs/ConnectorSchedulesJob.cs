using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using PecosCrm.Core.Integrations.Connectors;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.Functions.Jobs;

/// <summary>Every five minutes: queues the enabled connectors whose scheduled sync or retry after a failure is due (one query).</summary>
public sealed class ConnectorSchedulesJob(ConnectorSync connectors, DurableClientAccessor durable)
{
    public const string FunctionName = "ConnectorSchedules";
    public const string Schedule = "0 */5 * * * *";

    [Function(FunctionName)]
    public Task RunAsync([TimerTrigger(Schedule)] TimerInfo timer, [DurableClient] DurableTaskClient? client, CancellationToken cancellationToken)
    {
        durable.Client = client;
        return connectors.EnqueueDueAsync(cancellationToken);
    }
}
