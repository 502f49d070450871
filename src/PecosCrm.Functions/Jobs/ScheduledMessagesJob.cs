using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using PecosCrm.Core.Messaging;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.Functions.Jobs;

/// <summary>Every minute: queues the scheduled messages whose send time has come.</summary>
public sealed class ScheduledMessagesJob(MessageService messages, DurableClientAccessor durable)
{
    public const string FunctionName = "ScheduledMessages";
    public const string Schedule = "0 * * * * *";

    [Function(FunctionName)]
    public Task RunAsync([TimerTrigger(Schedule)] TimerInfo timer, [DurableClient] DurableTaskClient? client, CancellationToken cancellationToken)
    {
        durable.Client = client;
        return messages.DispatchDueAsync(cancellationToken);
    }
}
