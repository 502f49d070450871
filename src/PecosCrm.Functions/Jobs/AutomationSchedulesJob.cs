using PecosCrm.Core.Automation;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.Functions.Jobs;

/// <summary>Every fifteen minutes: enrols customers for time, date-field (birthday, anniversary) and behaviour (no order for N days) triggers.</summary>
public sealed class AutomationSchedulesJob(AutomationTriggers triggers) : ITimerJob
{
    public const string FunctionName = "AutomationSchedules";
    public const string Schedule = "0 */15 * * * *";

    public Task RunAsync(TimerInvocation timer, CancellationToken cancellationToken) => triggers.RunSchedulesAsync(cancellationToken);
}
