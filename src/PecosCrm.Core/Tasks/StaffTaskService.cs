using PecosCrm.Core.Staff;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Tasks;

/// <summary>
/// Staff tasks: create, read, change, reassign, complete (a recurring one creates its next
/// occurrence in the same transaction that completes it, so a retried completion creates nothing),
/// and the "my tasks" screens in the store's time zone, each one range query.
/// </summary>
public sealed class StaffTaskService(StaffTaskStore store, StaffStore staff, StoreTime storeTime, TimeProvider time)
{
    public const int TitleLength = 200;
    public const int DescriptionLength = 4000;
    public const int MaxUpcomingDays = 90;

    public DateTimeOffset Now => time.GetUtcNow();

    public async Task<StaffTask> CreateAsync(TaskFields fields, string createdBy, string? defaultAssigneeId, CancellationToken cancellationToken = default)
    {
        var check = new Validation().Required("title", fields.Title, TitleLength).MaxLength("description", fields.Description, DescriptionLength);
        if (fields.Status is StaffTaskStatus.Completed or StaffTaskStatus.Cancelled)
        {
            check.Add("status", "a new task is pending or in_progress.");
        }
        var assigneeId = string.IsNullOrWhiteSpace(fields.AssigneeId) ? defaultAssigneeId : fields.AssigneeId;
        if (assigneeId is null)
        {
            check.Add("assigneeId", "is required: the staff member who does the task.");
        }
        CheckShape(check, fields.DueAt, fields.ReminderAt, fields.RelatedType, fields.RelatedId, fields.Recurrence);
        check.ThrowIfInvalid();
        await CheckAssigneeAsync(assigneeId!, cancellationToken);

        var now = time.GetUtcNow();
        var id = Ids.New(time);
        var task = new TaskEntity
        {
            PartitionKey = StaffTaskKeys.Assignee(assigneeId!),
            RowKey = StaffTaskKeys.TaskRow(id),
            TaskId = id,
            Title = fields.Title!.Trim(),
            Description = Blank(fields.Description),
            Type = (fields.Type ?? StaffTaskType.Other).ToString(),
            Priority = (fields.Priority ?? StaffTaskPriority.Medium).ToString(),
            Status = (fields.Status ?? StaffTaskStatus.Pending).ToString(),
            DueAt = fields.DueAt?.ToUniversalTime(),
            ReminderAt = fields.ReminderAt?.ToUniversalTime(),
            AssigneeId = assigneeId!,
            CreatedBy = createdBy,
            RelatedType = fields.RelatedType?.ToString(),
            RelatedId = Blank(fields.RelatedId),
            Recurrence = fields.Recurrence is { Length: > 0 } rule ? TaskRecurrence.Check(rule) : null,
            SeriesStart = fields.Recurrence is { Length: > 0 } ? fields.DueAt?.ToUniversalTime() : null,
            CreatedAt = now,
            UpdatedAt = now,
        };
        await store.AddAsync(task, cancellationToken);
        return await GetAsync(id, new TaskAccess(null, true), cancellationToken);
    }

    /// <summary>The task, when the caller may see it (else not found: another's task is not acknowledged).</summary>
    public async Task<StaffTask> GetAsync(string taskId, TaskAccess access, CancellationToken cancellationToken = default) =>
        (await FindVisibleRowAsync(taskId, access, cancellationToken)).ToRecord();

    /// <summary>Changes fields, reassigns when <see cref="TaskFields.AssigneeId"/> names someone else. Completing goes through <see cref="CompleteAsync"/>.</summary>
    public async Task<(StaffTask Before, StaffTask After)> UpdateAsync(
        string taskId, TaskFields fields, string? ifMatch, TaskAccess access, CancellationToken cancellationToken = default)
    {
        var check = new Validation();
        if (fields.Title is not null)
        {
            check.Required("title", fields.Title, TitleLength);
        }
        check.MaxLength("description", fields.Description, DescriptionLength);
        if (fields.Status == StaffTaskStatus.Completed)
        {
            check.Add("status", "complete a task with POST /api/tasks/{id}/complete, which also creates a recurring task's next occurrence.");
        }
        check.ThrowIfInvalid();

        var row = await FindVisibleRowAsync(taskId, access, cancellationToken);
        TableClientExtensions.CheckIfMatch(ifMatch, row.ETag);
        if (!row.IsOpen)
        {
            throw new ConflictException($"The task is {Enum.Parse<StaffTaskStatus>(row.Status).ToString().ToLowerInvariant()}; a closed task does not change.");
        }
        var after = row.Copy();
        after.Title = fields.Title?.Trim() ?? row.Title;
        after.Description = fields.Description is null ? row.Description : Blank(fields.Description);
        after.Type = fields.Type?.ToString() ?? row.Type;
        after.Priority = fields.Priority?.ToString() ?? row.Priority;
        after.Status = fields.Status?.ToString() ?? row.Status;
        after.DueAt = fields.DueAt?.ToUniversalTime() ?? row.DueAt;
        if (fields.ReminderAt is { } reminder && reminder.ToUniversalTime() != row.ReminderAt)
        {
            after.ReminderAt = reminder.ToUniversalTime();
            after.ReminderSentAt = null;
        }
        after.RelatedType = fields.RelatedType?.ToString() ?? row.RelatedType;
        after.RelatedId = fields.RelatedId is null ? row.RelatedId : Blank(fields.RelatedId);
        if (fields.Recurrence is not null)
        {
            after.Recurrence = fields.Recurrence.Length == 0 ? null : TaskRecurrence.Check(fields.Recurrence);
            after.SeriesStart = after.Recurrence is null ? null : after.DueAt;
        }
        var shape = new Validation();
        CheckShape(shape, after.DueAt, after.ReminderAt, after.RelatedType is null ? null : Enum.Parse<TaskRelation>(after.RelatedType), after.RelatedId, after.Recurrence);
        shape.ThrowIfInvalid();
        after.UpdatedAt = time.GetUtcNow();

        var newAssignee = string.IsNullOrWhiteSpace(fields.AssigneeId) ? row.AssigneeId : fields.AssigneeId;
        if (newAssignee != row.AssigneeId)
        {
            await CheckAssigneeAsync(newAssignee, cancellationToken);
            after.AddLog(new TaskLogEntry(after.UpdatedAt, "reassigned", $"from {row.AssigneeId} to {newAssignee}"));
            after.AssigneeId = newAssignee;
            await store.MoveAsync(row, after, cancellationToken);
        }
        else
        {
            await store.ReplaceAsync(row, after, null, cancellationToken);
        }
        return (row.ToRecord(), await GetAsync(taskId, new TaskAccess(null, true), cancellationToken));
    }

    /// <summary>
    /// Completes the task. A recurring task's next occurrence (the rule's first time after this one's
    /// due time) is created in the same transaction, and the completed task names it. Completing a
    /// completed task changes nothing and answers it as it is, so a retry creates no second occurrence.
    /// </summary>
    public async Task<(StaffTask Before, StaffTask After, StaffTask? Next)> CompleteAsync(
        string taskId, string? ifMatch, TaskAccess access, string completedBy, CancellationToken cancellationToken = default)
    {
        var row = await FindVisibleRowAsync(taskId, access, cancellationToken);
        if (row.Status == nameof(StaffTaskStatus.Completed))
        {
            return (row.ToRecord(), row.ToRecord(), null);
        }
        TableClientExtensions.CheckIfMatch(ifMatch, row.ETag);
        if (row.Status == nameof(StaffTaskStatus.Cancelled))
        {
            throw new ConflictException("The task is cancelled; a cancelled task is not completed.");
        }
        var now = time.GetUtcNow();
        var after = row.Copy();
        after.Status = nameof(StaffTaskStatus.Completed);
        after.CompletedAt = now;
        after.CompletedBy = completedBy;
        after.UpdatedAt = now;

        TaskEntity? next = null;
        if (row.Recurrence is { } rule && row.DueAt is { } due
            && TaskRecurrence.Next(rule, row.SeriesStart ?? due, due, storeTime.Zone) is { } nextDue)
        {
            var nextId = Ids.New(time);
            next = row.Copy();
            next.RowKey = StaffTaskKeys.TaskRow(nextId);
            next.TaskId = nextId;
            next.ETag = default;
            next.Status = nameof(StaffTaskStatus.Pending);
            next.DueAt = nextDue;
            next.ReminderAt = row.ReminderAt is { } reminder ? nextDue - (due - reminder) : null;
            next.ReminderSentAt = null;
            next.PreviousOccurrenceId = row.TaskId;
            next.NextOccurrenceId = null;
            next.CompletedAt = null;
            next.CompletedBy = null;
            next.Log = "[]";
            next.CreatedAt = now;
            next.UpdatedAt = now;
            after.NextOccurrenceId = nextId;
        }
        after.AddLog(new TaskLogEntry(now, "completed", next is null ? null : $"next occurrence {next.TaskId} due {next.DueAt:O}"));
        await store.ReplaceAsync(row, after, next, cancellationToken);
        var open = new TaskAccess(null, true);
        return (row.ToRecord(), await GetAsync(taskId, open, cancellationToken), next is null ? null : await GetAsync(next.TaskId, open, cancellationToken));
    }

    /// <summary>A page of the assignee's tasks, optionally of one status.</summary>
    public async Task<Storage.Page<StaffTask>> ListAsync(
        string assigneeId, StaffTaskStatus? status, TaskAccess access, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        CheckAssigneeVisible(assigneeId, access);
        return (await store.ListAsync(assigneeId, status, limit, cursor, cancellationToken)).Select(t => t.ToRecord());
    }

    /// <summary>
    /// A "my tasks" screen, from one point read of the assignee's card: <c>today</c> is the store's
    /// calendar day (from local midnight to the next), <c>overdue</c> everything open and due before
    /// now, <c>upcoming</c> from tomorrow's start for <paramref name="days"/> days (default 7). By due time.
    /// </summary>
    public async Task<IReadOnlyList<TaskListItem>> MyTasksAsync(
        string assigneeId, MyTasksView view, int? days, TaskAccess access, CancellationToken cancellationToken = default)
    {
        CheckAssigneeVisible(assigneeId, access);
        if (days is < 1 or > MaxUpcomingDays)
        {
            throw new ValidationFailedException("days", $"must be from 1 to {MaxUpcomingDays}.");
        }
        var now = time.GetUtcNow();
        var (from, to) = Window(view, days ?? 7, now);
        var lines = await store.ScreenAsync(assigneeId, cancellationToken);
        return lines.Where(l => l.DueAt >= from && l.DueAt < to).Select(l => l.ToItem(assigneeId, now)).ToList();
    }

    /// <summary>The due-time range of a screen: local midnights of the store's zone turned into UTC.</summary>
    public (DateTimeOffset From, DateTimeOffset To) Window(MyTasksView view, int days, DateTimeOffset now)
    {
        var zone = storeTime.Zone;
        var today = storeTime.Date(now);
        DateTimeOffset StartOf(DateOnly day) => LocalMidnight(zone, day);
        return view switch
        {
            MyTasksView.Today => (StartOf(today), StartOf(today.AddDays(1))),
            MyTasksView.Overdue => (DateTimeOffset.MinValue.AddYears(1), now),
            MyTasksView.Upcoming => (StartOf(today.AddDays(1)), StartOf(today.AddDays(1 + days))),
            _ => throw new ArgumentOutOfRangeException(nameof(view), view, "Unknown view."),
        };
    }

    private static DateTimeOffset LocalMidnight(TimeZoneInfo zone, DateOnly day)
    {
        var local = day.ToDateTime(TimeOnly.MinValue);
        // A zone that skips midnight (a spring-forward at 00:00) starts the day at the first valid minute.
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(30);
        }
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }

    private async Task<TaskEntity> FindVisibleRowAsync(string taskId, TaskAccess access, CancellationToken cancellationToken)
    {
        var row = await store.FindRowAsync(taskId, cancellationToken);
        if (row is null || !(access.SeesAll || row.AssigneeId == access.StaffId || row.CreatedBy == access.StaffId))
        {
            throw new NotFoundException("Task", taskId);
        }
        return row;
    }

    /// <summary>The API answers 403 before asking; this keeps another caller from reading someone else's list.</summary>
    private static void CheckAssigneeVisible(string assigneeId, TaskAccess access)
    {
        if (!access.CanSeeAssignee(assigneeId))
        {
            throw new InvalidOperationException("The caller may not read this assignee's tasks.");
        }
    }

    private async Task CheckAssigneeAsync(string assigneeId, CancellationToken cancellationToken)
    {
        if (!KeyRules.IsValidKey(assigneeId) || await staff.FindAsync(assigneeId, cancellationToken) is not { Active: true })
        {
            throw new ValidationFailedException("assigneeId", $"no active staff member has the id '{assigneeId}'.");
        }
    }

    private static void CheckShape(Validation check, DateTimeOffset? dueAt, DateTimeOffset? reminderAt, TaskRelation? relatedType, string? relatedId, string? recurrence)
    {
        if (reminderAt is not null && dueAt is not null && reminderAt > dueAt)
        {
            check.Add("reminderAt", "must be at or before dueAt.");
        }
        if ((relatedType is null) != string.IsNullOrWhiteSpace(relatedId))
        {
            check.Add(relatedType is null ? "relatedType" : "relatedId", "relatedType and relatedId go together.");
        }
        else if (relatedId is not null)
        {
            check.MaxLength("relatedId", relatedId, 100);
        }
        if (!string.IsNullOrEmpty(recurrence) && dueAt is null)
        {
            check.Add("dueAt", "is required for a recurring task: the first occurrence's due time.");
        }
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
