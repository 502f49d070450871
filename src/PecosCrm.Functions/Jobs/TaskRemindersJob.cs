using Microsoft.Azure.Functions.Worker;
using PecosCrm.Core.Tasks;

namespace PecosCrm.Functions.Jobs;

/// <summary>Every minute: emails the reminders of tasks that fell due, once each, and logs them on the task.</summary>
public sealed class TaskRemindersJob(TaskReminders reminders)
{
    public const string FunctionName = "TaskReminders";
    public const string Schedule = "15 * * * * *";

    [Function(FunctionName)]
    public Task RunAsync([TimerTrigger(Schedule)] TimerInfo timer, CancellationToken cancellationToken) => reminders.SendDueAsync(cancellationToken);
}
