using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Tasks;

/// <summary>
/// The rows of the <c>stafftasks</c> table (<see cref="StaffTaskKeys"/>). Every write of a task row
/// carries, in the same transaction, the rows derived from it (its line in the "my tasks" screens
/// while it is open and due, its reminder while unsent): what the task was decides which derived rows
/// go, what it is now which are written. The task row goes under its ETag.
/// </summary>
public sealed class StaffTaskStore(StorageAccount storage)
{
    private TableClient Table => storage.Table(StorageNames.Tables.StaffTasks);

    /// <summary>Writes a new task (its locator first, so a task row is always found by its id).</summary>
    internal async Task AddAsync(TaskEntity task, CancellationToken cancellationToken)
    {
        await WriteLocatorAsync(task.TaskId, task.AssigneeId, cancellationToken);
        await Table.SubmitClaimingAsync(Changes(null, task, TableTransactionActionType.Add).ToList(), $"The task '{task.TaskId}' exists already.", cancellationToken);
    }

    internal async Task<TaskEntity?> FindRowAsync(string taskId, CancellationToken cancellationToken)
    {
        if (!KeyRules.IsValidKey(taskId))
        {
            return null;
        }
        var locator = await Table.FindAsync<TaskLocatorEntity>(StaffTaskKeys.Locator(taskId), StaffTaskKeys.LocatorRow(taskId), cancellationToken);
        return locator is null ? null : await Table.FindAsync<TaskEntity>(StaffTaskKeys.Assignee(locator.AssigneeId), StaffTaskKeys.TaskRow(taskId), cancellationToken);
    }

    /// <summary>
    /// Replaces <paramref name="before"/> with <paramref name="after"/> (same assignee) under the ETag read,
    /// in one transaction with its derived rows and with <paramref name="added"/> (a next occurrence, in the same partition).
    /// </summary>
    internal async Task ReplaceAsync(TaskEntity before, TaskEntity after, TaskEntity? added, CancellationToken cancellationToken)
    {
        var actions = Changes(before, after, TableTransactionActionType.UpdateReplace).ToList();
        if (added is not null)
        {
            await WriteLocatorAsync(added.TaskId, added.AssigneeId, cancellationToken);
            actions.AddRange(Changes(null, added, TableTransactionActionType.Add));
        }
        await Table.SubmitClaimingAsync(actions, "The next occurrence exists already.", cancellationToken);
    }

    /// <summary>
    /// Moves a task to another assignee's partition: written there first, then the locator turned to
    /// it, then the old rows removed. A retry of an interrupted move finishes it (the writes are upserts).
    /// </summary>
    internal async Task MoveAsync(TaskEntity before, TaskEntity after, CancellationToken cancellationToken)
    {
        after.PartitionKey = StaffTaskKeys.Assignee(after.AssigneeId);
        await Table.SubmitTransactionAsync(Changes(null, after, TableTransactionActionType.UpsertReplace), cancellationToken);
        await WriteLocatorAsync(after.TaskId, after.AssigneeId, cancellationToken);
        var removals = Derived(before).Select(r => new TableTransactionAction(TableTransactionActionType.Delete, r, ETag.All)).ToList();
        removals.Add(new TableTransactionAction(TableTransactionActionType.Delete, before, before.ETag));
        await Table.SubmitClaimingAsync(removals, "The task moved meanwhile.", cancellationToken);
    }

    /// <summary>Open tasks of the assignee due in [<paramref name="from"/>, <paramref name="to"/>), by due time: one range query.</summary>
    internal async Task<Storage.Page<TaskViewEntity>> DueBetweenAsync(
        string assigneeId, DateTimeOffset from, DateTimeOffset to, int limit, string? cursor, CancellationToken cancellationToken) =>
        await Table.QueryPageAsync<TaskViewEntity>(StaffTaskKeys.DueBetween(assigneeId, from, to), limit, cursor, cancellationToken);

    /// <summary>The assignee's tasks (optionally of one status), oldest first.</summary>
    internal async Task<Storage.Page<TaskEntity>> ListAsync(string assigneeId, StaffTaskStatus? status, int limit, string? cursor, CancellationToken cancellationToken)
    {
        var filter = StaffTaskKeys.Tasks(assigneeId);
        if (status is not null)
        {
            filter += " and " + TableClient.CreateQueryFilter($"Status eq {status.Value.ToString()}");
        }
        return await Table.QueryPageAsync<TaskEntity>(filter, limit, cursor, cancellationToken);
    }

    /// <summary>The assignee's reminders due by <paramref name="now"/>.</summary>
    internal async Task<IReadOnlyList<TaskReminderEntity>> RemindersDueAsync(string assigneeId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var due = new List<TaskReminderEntity>();
        await foreach (var row in Table.QueryAsync<TaskReminderEntity>(StaffTaskKeys.RemindersDue(assigneeId, now), cancellationToken: cancellationToken))
        {
            due.Add(row);
        }
        return due;
    }

    /// <summary>
    /// Marks a reminder sent: the reminder row is deleted under its ETag and the task replaced under
    /// its own, together. Only one claimer of a reminder wins; the loser gets a <see cref="ConcurrencyException"/>
    /// (or <see cref="ConflictException"/> when the reminder row is gone).
    /// </summary>
    internal async Task ClaimReminderAsync(TaskReminderEntity reminder, TaskEntity task, CancellationToken cancellationToken)
    {
        try
        {
            await Table.SubmitClaimingAsync(
                [new(TableTransactionActionType.Delete, reminder, reminder.ETag), new(TableTransactionActionType.UpdateReplace, task, task.ETag)],
                "The reminder was sent already.", cancellationToken);
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 404)
        {
            // Another run deleted the reminder row first: it is that run's to send.
            throw new ConflictException("The reminder was sent already.");
        }
    }

    /// <summary>Replaces only the task row (a log line); derived rows are unchanged.</summary>
    internal async Task ReplaceRowAsync(TaskEntity task, CancellationToken cancellationToken) =>
        task.ETag = await Table.ReplaceIfMatchAsync(task, cancellationToken);

    private async Task WriteLocatorAsync(string taskId, string assigneeId, CancellationToken cancellationToken) =>
        await Table.UpsertEntityAsync(new TaskLocatorEntity
        {
            PartitionKey = StaffTaskKeys.Locator(taskId), RowKey = StaffTaskKeys.LocatorRow(taskId), AssigneeId = assigneeId,
        }, TableUpdateMode.Replace, cancellationToken);

    /// <summary>The rows a task state implies besides itself: its screen line while open and due, its reminder while unsent and open.</summary>
    private static IEnumerable<ITableEntity> Derived(TaskEntity task)
    {
        if (task.IsOpen && task.DueAt is not null)
        {
            yield return TaskViewEntity.From(task);
        }
        if (task.IsOpen && task.ReminderAt is { } at && task.ReminderSentAt is null)
        {
            yield return new TaskReminderEntity { PartitionKey = task.PartitionKey, RowKey = StaffTaskKeys.ReminderRow(at, task.TaskId), TaskId = task.TaskId, At = at };
        }
    }

    /// <summary>The task row written by <paramref name="write"/>, derived rows of <paramref name="before"/> no longer implied deleted, those of the new state upserted.</summary>
    private static IEnumerable<TableTransactionAction> Changes(TaskEntity? before, TaskEntity after, TableTransactionActionType write)
    {
        yield return new TableTransactionAction(write, after, write == TableTransactionActionType.UpdateReplace ? after.ETag : default);
        var now = Derived(after).ToList();
        var keep = now.Select(r => r.RowKey).ToHashSet(StringComparer.Ordinal);
        foreach (var old in before is null ? [] : Derived(before))
        {
            if (!keep.Contains(old.RowKey))
            {
                yield return new TableTransactionAction(TableTransactionActionType.Delete, old, ETag.All);
            }
        }
        foreach (var row in now)
        {
            yield return new TableTransactionAction(TableTransactionActionType.UpsertReplace, row);
        }
    }
}
