using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using PecosCrm.Core.Analytics;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.Functions.Jobs;

/// <summary>Every two minutes, rebuilds the months of the analytical copy whose orders changed.</summary>
public sealed class AnalyticsRefreshJob(AnalyticsCopy copy, DurableClientAccessor durable)
{
    public const string FunctionName = "AnalyticsRefresh";
    public const string Schedule = "0 */2 * * * *";

    [Function(FunctionName)]
    public Task RunAsync([TimerTrigger(Schedule)] TimerInfo timer, [DurableClient] DurableTaskClient? client, CancellationToken cancellationToken)
    {
        durable.Client = client;
        return copy.RebuildChangedAsync(cancellationToken: cancellationToken);
    }
}
