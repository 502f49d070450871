namespace PecosCrm.Core.Tasks;

/// <summary>
/// A task for a staff member. A recurring task carries its iCalendar RRULE and the start of its
/// series; completing one occurrence creates the next (<see cref="NextOccurrenceId"/>).
/// </summary>
public sealed record StaffTask(
    string Id, string Title, string? Description, StaffTaskType Type, StaffTaskPriority Priority, StaffTaskStatus Status,
    DateTimeOffset? DueAt, DateTimeOffset? ReminderAt, string AssigneeId, string CreatedBy,
    TaskRelation? RelatedType, string? RelatedId, string? Recurrence, DateTimeOffset? SeriesStart, string? PreviousOccurrenceId, string? NextOccurrenceId,
    DateTimeOffset? CompletedAt, string? CompletedBy, DateTimeOffset? ReminderSentAt, IReadOnlyList<TaskLogEntry> Log,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string ETag)
{
    public bool IsOpen => Status is StaffTaskStatus.Pending or StaffTaskStatus.InProgress;

    public bool IsOverdue(DateTimeOffset now) => IsOpen && DueAt is { } due && due < now;
}

/// <summary>Something that happened to a task: <c>reminder_sent</c>, <c>reminder_failed</c>, <c>completed</c>, <c>reassigned</c>, ...</summary>
public sealed record TaskLogEntry(DateTimeOffset At, string Event, string? Detail);

/// <summary>A task as sent; on update null leaves a field as it is (an empty string clears an optional one).</summary>
public sealed record TaskFields(
    string? Title = null, string? Description = null, StaffTaskType? Type = null, StaffTaskPriority? Priority = null, StaffTaskStatus? Status = null,
    DateTimeOffset? DueAt = null, DateTimeOffset? ReminderAt = null, string? AssigneeId = null,
    TaskRelation? RelatedType = null, string? RelatedId = null, string? Recurrence = null);

/// <summary>One line of a "my tasks" screen: what the list shows, kept in step with the task row.</summary>
public sealed record TaskListItem(
    string Id, string Title, StaffTaskType Type, StaffTaskPriority Priority, StaffTaskStatus Status, DateTimeOffset? DueAt,
    string AssigneeId, TaskRelation? RelatedType, string? RelatedId, bool Recurring, bool Overdue);
