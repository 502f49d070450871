using PecosCrm.Core.Analytics;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.Functions.Jobs;

/// <summary>Every two minutes, rebuilds the months of the analytical copy whose orders changed.</summary>
public sealed class AnalyticsRefreshJob(AnalyticsCopy copy) : ITimerJob
{
    public const string FunctionName = "AnalyticsRefresh";
    public const string Schedule = "0 */2 * * * *";

    public Task RunAsync(TimerInvocation timer, CancellationToken cancellationToken) => copy.RebuildChangedAsync(cancellationToken: cancellationToken);
}
