using System.Globalization;
using Azure.Data.Tables;

namespace PecosCrm.Core.Tasks;

/// <summary>
/// Rows of the <c>stafftasks</c> table:
/// <list type="bullet">
/// <item>partition <c>a|{assigneeId}</c>, everything one person works from: <c>task|{taskId}</c> the task;
/// <c>screen|{assigneeId}</c> the "my tasks" card, the list lines of every open task with a due time,
/// ordered by it; <c>rem|{reminderTicks}|{taskId}</c> a reminder not yet sent (UTC ticks, 19 digits).
/// The card and reminder rows change in one transaction with the task row, so "today", "overdue" and
/// "upcoming" are each one point read of the card, and the reminder timer reads only due rows.</item>
/// <item>partition <c>t|{taskId}</c>: <c>loc|{taskId}</c> names the task's assignee, so a task is found by its id.</item>
/// </list>
/// Every RowKey carries the task id, so none repeats across the table.
/// </summary>
public static class StaffTaskKeys
{
    public const string TaskPrefix = "task|";
    public const string ReminderPrefix = "rem|";

    public static string Assignee(string assigneeId) => "a|" + assigneeId;

    public static string TaskRow(string taskId) => TaskPrefix + taskId;

    public static string ScreenRow(string assigneeId) => "screen|" + assigneeId;

    public static string ReminderRow(DateTimeOffset at, string taskId) => ReminderPrefix + Ticks(at) + "|" + taskId;

    public static string Locator(string taskId) => "t|" + taskId;

    public static string LocatorRow(string taskId) => "loc|" + taskId;

    public static string Ticks(DateTimeOffset at) => at.UtcTicks.ToString("D19", CultureInfo.InvariantCulture);

    /// <summary>Reminders of the assignee due at or before <paramref name="now"/>.</summary>
    public static string RemindersDue(string assigneeId, DateTimeOffset now) =>
        TableClient.CreateQueryFilter($"PartitionKey eq {Assignee(assigneeId)} and RowKey ge {ReminderPrefix} and RowKey lt {ReminderPrefix + Ticks(now) + "}"}");

    public static string Tasks(string assigneeId) =>
        TableClient.CreateQueryFilter($"PartitionKey eq {Assignee(assigneeId)} and RowKey ge {TaskPrefix} and RowKey lt {Storage.KeyRules.PrefixEnd(TaskPrefix)}");
}
