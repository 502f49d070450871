using PecosCrm.Core.Exports;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.Functions.Jobs;

/// <summary>
/// Every five minutes, starts the exports of the schedules that are due, so a scheduled export
/// starts within five minutes of its time.
/// </summary>
public sealed class ScheduledExportsJob(ExportScheduleService schedules) : ITimerJob
{
    public const string FunctionName = "ScheduledExports";
    public const string Schedule = "0 */5 * * * *";

    public Task RunAsync(TimerInvocation timer, CancellationToken cancellationToken) => schedules.RunDueAsync(cancellationToken);
}
