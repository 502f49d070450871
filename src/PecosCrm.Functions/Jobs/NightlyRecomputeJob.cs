using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using PecosCrm.Core.Customers;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.Functions.Jobs;

/// <summary>
/// 02:00 every night: starts the recompute of time-dependent customer data. Schedules are UTC
/// unless WEBSITE_TIME_ZONE names the store's zone (the infra template sets it where the plan allows).
/// </summary>
public sealed class NightlyRecomputeJob(RecomputeService recompute, DurableClientAccessor durable)
{
    public const string FunctionName = "NightlyRecompute";
    public const string Schedule = "0 0 2 * * *";

    [Function(FunctionName)]
    public Task RunAsync([TimerTrigger(Schedule)] TimerInfo timer, [DurableClient] DurableTaskClient? client, CancellationToken cancellationToken)
    {
        durable.Client = client;
        return recompute.StartAsync("system", cancellationToken);
    }
}
