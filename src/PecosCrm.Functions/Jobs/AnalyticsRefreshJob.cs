using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using PecosCrm.Core.Analytics;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.Functions.Jobs;

/// <summary>
/// Every minute, rebuilds the months of the analytical copy whose orders changed and the customers
/// marked changed, then loads the new version into the engine: the debounce between events and the
/// copy. Requests only read; this job (and the explicit POST /api/analytics/refresh) rebuilds.
/// </summary>
public sealed class AnalyticsRefreshJob(AnalyticsCopy copy, DurableClientAccessor durable)
{
    public const string FunctionName = "AnalyticsRefresh";
    public const string Schedule = "0 * * * * *";

    [Function(FunctionName)]
    public Task RunAsync([TimerTrigger(Schedule)] TimerInfo timer, [DurableClient] DurableTaskClient? client, CancellationToken cancellationToken)
    {
        durable.Client = client;
        return copy.RebuildChangedAsync(cancellationToken: cancellationToken);
    }
}
