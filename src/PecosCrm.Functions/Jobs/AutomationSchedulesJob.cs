using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using PecosCrm.Core.Automation;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.Functions.Jobs;

/// <summary>
/// Every fifteen minutes: enrols customers for time, date-field (birthday, anniversary) and behaviour
/// (no order for N days) triggers, then purges the engine's record of instances finished longer ago
/// than the retention.
/// </summary>
public sealed class AutomationSchedulesJob(AutomationTriggers triggers, AutomationInstances instances, DurableClientAccessor durable)
{
    public const string FunctionName = "AutomationSchedules";
    public const string Schedule = "0 */15 * * * *";

    [Function(FunctionName)]
    public async Task RunAsync([TimerTrigger(Schedule)] TimerInfo timer, [DurableClient] DurableTaskClient? client, CancellationToken cancellationToken)
    {
        durable.Client = client;
        await triggers.RunSchedulesAsync(cancellationToken);
        await instances.PurgeEngineHistoryAsync(cancellationToken);
    }
}
