using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using PecosCrm.Core.Exports;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.Functions.Jobs;

/// <summary>
/// Every five minutes, starts the exports of the schedules that are due, so a scheduled export
/// starts within five minutes of its time.
/// </summary>
public sealed class ScheduledExportsJob(ExportScheduleService schedules, DurableClientAccessor durable)
{
    public const string FunctionName = "ScheduledExports";
    public const string Schedule = "0 */5 * * * *";

    [Function(FunctionName)]
    public Task RunAsync([TimerTrigger(Schedule)] TimerInfo timer, [DurableClient] DurableTaskClient? client, CancellationToken cancellationToken)
    {
        durable.Client = client;
        return schedules.RunDueAsync(cancellationToken);
    }
}
