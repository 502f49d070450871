using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using PecosCrm.Core.Reports;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.Functions.Jobs;

/// <summary>
/// Every five minutes, runs and emails the reports whose schedule is due, so a report scheduled for
/// 7:00 goes out by 7:05 on the store's clock.
/// </summary>
public sealed class ScheduledReportsJob(ReportSchedules schedules, DurableClientAccessor durable)
{
    public const string FunctionName = "ScheduledReports";
    public const string Schedule = "0 */5 * * * *";

    [Function(FunctionName)]
    public Task RunAsync([TimerTrigger(Schedule)] TimerInfo timer, [DurableClient] DurableTaskClient? client, CancellationToken cancellationToken)
    {
        durable.Client = client;
        return schedules.RunDueAsync(cancellationToken);
    }
}
