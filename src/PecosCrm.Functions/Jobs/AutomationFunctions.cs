using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using PecosCrm.Core.Storage;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.Functions.Jobs;

/// <summary>
/// The functions of the automation runtime's two jobs, which keep their own <see cref="ITimerJob"/>
/// and <see cref="IQueueJob"/> shape until automations run as durable orchestrations.
/// </summary>
public sealed class AutomationFunctions(AdvanceAutomationJob advance, AutomationSweepJob sweep, TimeProvider time, DurableClientAccessor durable)
{
    [Function(AdvanceAutomationJob.FunctionName)]
    public Task AdvanceAsync([QueueTrigger(StorageNames.Queues.Automation)] QueueMessage message, [DurableClient] DurableTaskClient? client, CancellationToken cancellationToken)
    {
        durable.Client = client;
        return advance.HandleAsync(new QueueInvocation(message.Body.ToString(), message.MessageId, message.DequeueCount), cancellationToken);
    }

    [Function(AutomationSweepJob.FunctionName)]
    public Task SweepAsync([TimerTrigger(AutomationSweepJob.Schedule)] TimerInfo timer, [DurableClient] DurableTaskClient? client, CancellationToken cancellationToken)
    {
        durable.Client = client;
        return sweep.RunAsync(new TimerInvocation(time.GetUtcNow(), timer.IsPastDue), cancellationToken);
    }
}
