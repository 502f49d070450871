using System.Globalization;
using Azure.Data.Tables;

namespace PecosCrm.Core.Tasks;

/// <summary>
/// Rows of the <c>stafftasks</c> table:
/// <list type="bullet">
/// <item>partition <c>a|{assigneeId}</c>, everything one person works from: <c>task|{taskId}</c> the task;
/// <c>open|{dueTicks}|{taskId}</c> one row per open task with a due time, ordered by it (UTC ticks,
/// 19 digits), holding what the list shows; <c>rem|{reminderTicks}|{taskId}</c> a reminder not yet
/// sent. They change in one transaction with the task row, so "today", "overdue" and "upcoming" are
/// each one range query of this partition, and the reminder timer reads only due rows.</item>
/// <item>partition <c>t|{taskId}</c>: <c>loc|{taskId}</c> names the task's assignee, so a task is found by its id.</item>
/// </list>
/// Every RowKey carries the task id, so none repeats across the table.
/// </summary>
public static class StaffTaskKeys
{
    public const string TaskPrefix = "task|";
    public const string OpenPrefix = "open|";
    public const string ReminderPrefix = "rem|";

    public static string Assignee(string assigneeId) => "a|" + assigneeId;

    public static string TaskRow(string taskId) => TaskPrefix + taskId;

    public static string OpenRow(DateTimeOffset due, string taskId) => OpenPrefix + Ticks(due) + "|" + taskId;

    public static string ReminderRow(DateTimeOffset at, string taskId) => ReminderPrefix + Ticks(at) + "|" + taskId;

    public static string Locator(string taskId) => "t|" + taskId;

    public static string LocatorRow(string taskId) => "loc|" + taskId;

    public static string Ticks(DateTimeOffset at) => at.UtcTicks.ToString("D19", CultureInfo.InvariantCulture);

    /// <summary>Open tasks of the assignee due in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public static string DueBetween(string assigneeId, DateTimeOffset from, DateTimeOffset to) =>
        TableClient.CreateQueryFilter($"PartitionKey eq {Assignee(assigneeId)} and RowKey ge {OpenPrefix + Ticks(from)} and RowKey lt {OpenPrefix + Ticks(to)}");

    /// <summary>Reminders of the assignee due at or before <paramref name="now"/>.</summary>
    public static string RemindersDue(string assigneeId, DateTimeOffset now) =>
        TableClient.CreateQueryFilter($"PartitionKey eq {Assignee(assigneeId)} and RowKey ge {ReminderPrefix} and RowKey lt {ReminderPrefix + Ticks(now) + "}"}");

    public static string Tasks(string assigneeId) =>
        TableClient.CreateQueryFilter($"PartitionKey eq {Assignee(assigneeId)} and RowKey ge {TaskPrefix} and RowKey lt {Storage.KeyRules.PrefixEnd(TaskPrefix)}");
}
