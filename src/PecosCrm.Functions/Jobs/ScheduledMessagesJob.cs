using PecosCrm.Core.Messaging;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.Functions.Jobs;

/// <summary>Every minute: queues the scheduled messages whose send time has come.</summary>
public sealed class ScheduledMessagesJob(MessageService messages) : ITimerJob
{
    public const string FunctionName = "ScheduledMessages";
    public const string Schedule = "0 * * * * *";

    public Task RunAsync(TimerInvocation timer, CancellationToken cancellationToken) => messages.DispatchDueAsync(cancellationToken);
}
