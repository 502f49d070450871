using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using PecosCrm.Core.Tasks;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.Functions.Jobs;

/// <summary>Every minute: emails the reminders of tasks that fell due, once each, and logs them on the task.</summary>
public sealed class TaskRemindersJob(TaskReminders reminders, DurableClientAccessor durable)
{
    public const string FunctionName = "TaskReminders";
    public const string Schedule = "15 * * * * *";

    [Function(FunctionName)]
    public Task RunAsync([TimerTrigger(Schedule)] TimerInfo timer, [DurableClient] DurableTaskClient? client, CancellationToken cancellationToken)
    {
        durable.Client = client;
        return reminders.SendDueAsync(cancellationToken);
    }
}
