using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using PecosCrm.Core.Analytics;
using PecosCrm.Core.Predictive;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.Functions.Jobs;

/// <summary>
/// 03:30 every night, after the recompute: brings the analytical copy up to date and fits the
/// predictive models on it (<see cref="PredictiveFitter"/>); segments, the 360 view and automations
/// read the new scores once the engine loads them.
/// </summary>
public sealed class PredictiveFitJob(AnalyticsCopy copy, PredictiveFitter fitter, DurableClientAccessor durable)
{
    public const string FunctionName = "PredictiveFit";
    public const string Schedule = "0 30 3 * * *";

    [Function(FunctionName)]
    public async Task RunAsync([TimerTrigger(Schedule)] TimerInfo timer, [DurableClient] DurableTaskClient? client, CancellationToken cancellationToken)
    {
        durable.Client = client;
        await copy.RebuildChangedAsync(cancellationToken: cancellationToken);
        await fitter.FitAsync(cancellationToken);
    }
}
