using PecosCrm.Core.Automation;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.Functions.Jobs;

/// <summary>Every five minutes: re-drives waiting instances whose timer message was lost.</summary>
public sealed class AutomationSweepJob(AutomationRuntime runtime) : ITimerJob
{
    public const string FunctionName = "AutomationSweep";
    public const string Schedule = "0 */5 * * * *";

    public Task RunAsync(TimerInvocation timer, CancellationToken cancellationToken) => runtime.SweepAsync(cancellationToken);
}
