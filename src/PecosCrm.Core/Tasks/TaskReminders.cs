using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Messaging;
using PecosCrm.Core.Staff;

namespace PecosCrm.Core.Tasks;

/// <summary>
/// Fires due task reminders, once each: for every active staff member, the reminder rows due by now
/// in their partition (one range query); each is claimed by deleting it and marking the task in one
/// transaction under both ETags, so of two runs only one sends. The reminder is then emailed to the
/// assignee and the outcome logged on the task; a send the provider refuses puts the reminder back
/// for the next run.
/// </summary>
public sealed partial class TaskReminders(
    StaffTaskStore store, StaffStore staff, IEmailSender email, IOptions<MessagingOptions> messaging, StoreTime storeTime, TimeProvider time,
    ILogger<TaskReminders> logger)
{
    /// <summary>Sends every reminder due now; returns how many were sent.</summary>
    public async Task<int> SendDueAsync(CancellationToken cancellationToken = default)
    {
        var sent = 0;
        string? cursor = null;
        do
        {
            var page = await staff.ListAsync(null, true, Storage.Page<StaffMember>.MaxLimit, cursor, cancellationToken);
            foreach (var member in page.Items)
            {
                foreach (var reminder in await store.RemindersDueAsync(member.Id, time.GetUtcNow(), cancellationToken))
                {
                    sent += await SendAsync(member, reminder, cancellationToken) ? 1 : 0;
                }
            }
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return sent;
    }

    private async Task<bool> SendAsync(StaffMember assignee, TaskReminderEntity reminder, CancellationToken cancellationToken)
    {
        var task = await store.FindRowAsync(reminder.TaskId, cancellationToken);
        if (task is null || task.AssigneeId != assignee.Id || !task.IsOpen || task.ReminderSentAt is not null)
        {
            return false;
        }
        var now = time.GetUtcNow();
        task.ReminderSentAt = now;
        task.AddLog(new TaskLogEntry(now, "reminder_sent", $"emailed to {assignee.Name}"));
        try
        {
            await store.ClaimReminderAsync(reminder, task, cancellationToken);
        }
        catch (Exception ex) when (ex is ConcurrencyException or ConflictException)
        {
            return false;
        }

        var outcome = await email.SendAsync(Email(assignee, task), cancellationToken);
        if (outcome.Result == SendResult.Accepted)
        {
            LogSent(logger, task.TaskId);
            return true;
        }
        LogFailed(logger, task.TaskId, outcome.Error);
        await Shared.OptimisticRetry.RunAsync(async _ =>
        {
            var again = await store.FindRowAsync(task.TaskId, cancellationToken);
            if (again is null || again.ReminderSentAt != now)
            {
                return;
            }
            var before = again.Copy();
            again.ReminderSentAt = null;
            again.AddLog(new TaskLogEntry(time.GetUtcNow(), "reminder_failed", outcome.Result == SendResult.Transient ? "will try again" : outcome.Error));
            await store.ReplaceAsync(before, again, null, cancellationToken);
        }, cancellationToken: cancellationToken);
        return false;
    }

    private OutgoingEmail Email(StaffMember assignee, TaskEntity task)
    {
        var due = task.DueAt is { } at ? " (due " + storeTime.Local(at).ToString("ddd MMM d, h:mm tt", System.Globalization.CultureInfo.InvariantCulture) + ")" : "";
        var subject = $"Reminder: {task.Title}{due}";
        var text = $"{subject}.\n\n{task.Description}\n\nTask {task.TaskId}";
        var o = messaging.Value;
        return new OutgoingEmail(assignee.Email, assignee.Name, o.FromEmail, o.FromName, subject,
            $"<p>{WebUtility.HtmlEncode(subject)}</p>" + (task.Description is { } d ? $"<p>{WebUtility.HtmlEncode(d)}</p>" : ""), text,
            new Dictionary<string, string>(), new Dictionary<string, string> { ["kind"] = "task_reminder", ["task_id"] = task.TaskId }, "tasks");
    }

    [LoggerMessage(1, LogLevel.Information, "Reminder of task {TaskId} sent")]
    private static partial void LogSent(ILogger logger, string taskId);

    [LoggerMessage(2, LogLevel.Warning, "Reminder of task {TaskId} not accepted: {Error}")]
    private static partial void LogFailed(ILogger logger, string taskId, string? error);
}
