using System.Text.Json;
using Azure;
using Azure.Data.Tables;

namespace PecosCrm.Core.Tasks;

/// <summary>The task row (<c>task|{taskId}</c> in its assignee's partition).</summary>
internal sealed class TaskEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string TaskId { get; set; } = "";
    public string Title { get; set; } = "";
    public string? Description { get; set; }
    public string Type { get; set; } = "";
    public string Priority { get; set; } = "";
    public string Status { get; set; } = "";
    public DateTimeOffset? DueAt { get; set; }
    public DateTimeOffset? ReminderAt { get; set; }
    public string AssigneeId { get; set; } = "";
    public string CreatedBy { get; set; } = "";
    public string? RelatedType { get; set; }
    public string? RelatedId { get; set; }
    public string? Recurrence { get; set; }
    public DateTimeOffset? SeriesStart { get; set; }
    public string? PreviousOccurrenceId { get; set; }
    public string? NextOccurrenceId { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public string? CompletedBy { get; set; }
    public DateTimeOffset? ReminderSentAt { get; set; }

    /// <summary>The task's log as JSON (reminders, completion, reassignment), newest last, the last 50 kept.</summary>
    public string Log { get; set; } = "[]";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public bool IsOpen => Status is nameof(StaffTaskStatus.Pending) or nameof(StaffTaskStatus.InProgress);

    public void AddLog(TaskLogEntry entry)
    {
        var log = JsonSerializer.Deserialize<List<TaskLogEntry>>(Log, CrmJson.Options) ?? [];
        log.Add(entry);
        Log = JsonSerializer.Serialize(log.TakeLast(50), CrmJson.Options);
    }

    public StaffTask ToRecord() => new(
        TaskId, Title, Description, Enum.Parse<StaffTaskType>(Type), Enum.Parse<StaffTaskPriority>(Priority), Enum.Parse<StaffTaskStatus>(Status),
        DueAt, ReminderAt, AssigneeId, CreatedBy, RelatedType is null ? null : Enum.Parse<TaskRelation>(RelatedType), RelatedId,
        Recurrence, SeriesStart, PreviousOccurrenceId, NextOccurrenceId, CompletedAt, CompletedBy, ReminderSentAt,
        JsonSerializer.Deserialize<List<TaskLogEntry>>(Log, CrmJson.Options) ?? [], CreatedAt, UpdatedAt, ETag.ToString());

    public TaskEntity Copy() => (TaskEntity)MemberwiseClone();
}

/// <summary>An open task's line on its assignee's "my tasks" card: what the screens show, kept in step with the task row.</summary>
internal sealed record ScreenLine(
    string Id, string Title, StaffTaskType Type, StaffTaskPriority Priority, StaffTaskStatus Status, DateTimeOffset DueAt,
    TaskRelation? RelatedType, string? RelatedId, bool Recurring)
{
    /// <summary>The line of a task that belongs on the card (open, with a due time), else null.</summary>
    public static ScreenLine? Of(TaskEntity task) => task.IsOpen && task.DueAt is { } due
        ? new(task.TaskId, task.Title, Enum.Parse<StaffTaskType>(task.Type), Enum.Parse<StaffTaskPriority>(task.Priority), Enum.Parse<StaffTaskStatus>(task.Status),
            due, task.RelatedType is null ? null : Enum.Parse<TaskRelation>(task.RelatedType), task.RelatedId, task.Recurrence is not null)
        : null;

    public TaskListItem ToItem(string assigneeId, DateTimeOffset now) =>
        new(Id, Title, Type, Priority, Status, DueAt, assigneeId, RelatedType, RelatedId, Recurring, DueAt < now);
}

/// <summary>A reminder still to send (<c>rem|{ticks}|{taskId}</c>), removed in the transaction that marks it sent.</summary>
internal sealed class TaskReminderEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string TaskId { get; set; } = "";
    public DateTimeOffset At { get; set; }
}

/// <summary>Where a task lives (<c>loc|{taskId}</c>): its assignee's partition.</summary>
internal sealed class TaskLocatorEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string AssigneeId { get; set; } = "";
}
