using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using PecosCrm.Core.Automation;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.Functions.Jobs;

/// <summary>Every fifteen minutes: enrols customers for time, date-field (birthday, anniversary) and behaviour (no order for N days) triggers.</summary>
public sealed class AutomationSchedulesJob(AutomationTriggers triggers, DurableClientAccessor durable)
{
    public const string FunctionName = "AutomationSchedules";
    public const string Schedule = "0 */15 * * * *";

    [Function(FunctionName)]
    public Task RunAsync([TimerTrigger(Schedule)] TimerInfo timer, [DurableClient] DurableTaskClient? client, CancellationToken cancellationToken)
    {
        durable.Client = client;
        return triggers.RunSchedulesAsync(cancellationToken);
    }
}
