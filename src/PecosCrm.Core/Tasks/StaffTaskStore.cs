using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Tasks;

/// <summary>
/// The rows of the <c>stafftasks</c> table (<see cref="StaffTaskKeys"/>). Every write of a task row
/// carries, in the same transaction, the rows it implies: its line on the assignee's "my tasks" card
/// while it is open and due (the card under its own ETag), its reminder row while unsent. The task
/// row goes under its ETag. When only the card's ETag was stale (another task of the same person
/// changed meanwhile), the card is read again and the transaction retried; a stale task row is a
/// <see cref="ConcurrencyException"/>.
/// </summary>
public sealed class StaffTaskStore(StorageAccount storage)
{
    /// <summary>
    /// Open tasks with a due time one person may hold: the card is one row of at most 1 MiB, and a
    /// line takes up to about 400 bytes. Nobody works from a longer list; closing tasks makes room.
    /// </summary>
    public const int MaxOpenPerAssignee = 2_000;

    private const string LinesProperty = "Lines";
    private const int CardAttempts = 8;

    private TableClient Table => storage.Table(StorageNames.Tables.StaffTasks);

    /// <summary>Writes a new task (its locator first, so a task row is always found by its id).</summary>
    internal async Task AddAsync(TaskEntity task, CancellationToken cancellationToken)
    {
        await WriteLocatorAsync(task.TaskId, task.AssigneeId, cancellationToken);
        await SubmitWithCardAsync(task.AssigneeId, [(null, task)], card => Changes(null, task, TableTransactionActionType.Add), cancellationToken);
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
    /// in one transaction with the rows it implies and with <paramref name="added"/> (a next occurrence, same assignee).
    /// </summary>
    internal async Task ReplaceAsync(TaskEntity before, TaskEntity after, TaskEntity? added, CancellationToken cancellationToken)
    {
        if (added is not null)
        {
            await WriteLocatorAsync(added.TaskId, added.AssigneeId, cancellationToken);
        }
        List<(TaskEntity?, TaskEntity?)> changes = added is null ? [(before, after)] : [(before, after), (null, added)];
        await SubmitWithCardAsync(after.AssigneeId, changes, _ =>
        {
            var actions = Changes(before, after, TableTransactionActionType.UpdateReplace).ToList();
            if (added is not null)
            {
                actions.AddRange(Changes(null, added, TableTransactionActionType.Add));
            }
            return actions;
        }, cancellationToken);
    }

    /// <summary>
    /// Moves a task to another assignee's partition: written there first, then the locator turned to
    /// it, then the old rows removed. A retry of an interrupted move finishes it (the writes are upserts).
    /// </summary>
    internal async Task MoveAsync(TaskEntity before, TaskEntity after, CancellationToken cancellationToken)
    {
        after.PartitionKey = StaffTaskKeys.Assignee(after.AssigneeId);
        await SubmitWithCardAsync(after.AssigneeId, [(null, after)], _ => Changes(null, after, TableTransactionActionType.UpsertReplace), cancellationToken);
        await WriteLocatorAsync(after.TaskId, after.AssigneeId, cancellationToken);
        await SubmitWithCardAsync(before.AssigneeId, [(before, null)], _ =>
        {
            var removals = Reminder(before) is { } reminder ? [new TableTransactionAction(TableTransactionActionType.Delete, reminder, ETag.All)] : new List<TableTransactionAction>();
            removals.Add(new TableTransactionAction(TableTransactionActionType.Delete, before, before.ETag));
            return removals;
        }, cancellationToken);
    }

    /// <summary>The assignee's open tasks with a due time, by due time: one point read of their card.</summary>
    internal async Task<IReadOnlyList<ScreenLine>> ScreenAsync(string assigneeId, CancellationToken cancellationToken) =>
        KeyRules.IsValidKey(assigneeId) ? (await ReadCardAsync(assigneeId, cancellationToken)).Lines : [];

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
    /// its own, together (the card does not show reminders). Only one claimer of a reminder wins; the
    /// loser gets a <see cref="ConcurrencyException"/> (or <see cref="ConflictException"/> when the reminder row is gone).
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

    private async Task WriteLocatorAsync(string taskId, string assigneeId, CancellationToken cancellationToken) =>
        await Table.UpsertEntityAsync(new TaskLocatorEntity
        {
            PartitionKey = StaffTaskKeys.Locator(taskId), RowKey = StaffTaskKeys.LocatorRow(taskId), AssigneeId = assigneeId,
        }, TableUpdateMode.Replace, cancellationToken);

    /// <summary>
    /// Submits <paramref name="actions"/> with the assignee's card changed by <paramref name="changes"/>
    /// (each task's line removed as it was, added as it is), in one transaction; the card goes last,
    /// so a failure at its index means only the card was stale.
    /// </summary>
    private async Task SubmitWithCardAsync(
        string assigneeId, IReadOnlyList<(TaskEntity? Before, TaskEntity? After)> changes, Func<Card, IEnumerable<TableTransactionAction>> actions,
        CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var card = await ReadCardAsync(assigneeId, cancellationToken);
            var lines = card.Lines.ToList();
            foreach (var (before, after) in changes)
            {
                var id = (before ?? after)!.TaskId;
                lines.RemoveAll(l => l.Id == id);
                if (after is not null && ScreenLine.Of(after) is { } line)
                {
                    lines.Add(line);
                }
            }
            if (lines.Count > MaxOpenPerAssignee && lines.Count > card.Lines.Count)
            {
                throw new ValidationFailedException("assigneeId", $"the assignee has {MaxOpenPerAssignee:N0} open tasks with a due time; close some first.");
            }
            var batch = actions(card).ToList();
            var changed = !lines.Select(l => l).SequenceEqual(card.Lines);
            if (changed)
            {
                batch.Add(CardWrite(assigneeId, card, lines.OrderBy(l => l.DueAt).ThenBy(l => l.Id, StringComparer.Ordinal).ToList()));
            }
            try
            {
                await Table.SubmitTransactionAsync(batch, cancellationToken);
                return;
            }
            catch (TableTransactionFailedException ex) when (changed && ex.FailedTransactionActionIndex == batch.Count - 1 && ex.Status is 409 or 412 && attempt < CardAttempts)
            {
                await Task.Delay(Random.Shared.Next(1, 10 * attempt), cancellationToken);
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 409)
            {
                throw new ConflictException("The task exists already.");
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 412 or 404)
            {
                throw new ConcurrencyException();
            }
        }
    }

    internal sealed record Card(TableEntity? Row, IReadOnlyList<ScreenLine> Lines);

    private async Task<Card> ReadCardAsync(string assigneeId, CancellationToken cancellationToken)
    {
        var row = await Table.FindAsync<TableEntity>(StaffTaskKeys.Assignee(assigneeId), StaffTaskKeys.ScreenRow(assigneeId), cancellationToken);
        return row is null ? new Card(null, []) : new Card(row, JsonSerializer.Deserialize<List<ScreenLine>>(LongText.Read(row, LinesProperty), CrmJson.Options) ?? []);
    }

    /// <summary>The card row holding <paramref name="lines"/> (ordered by due time); the bench seeds cards with it.</summary>
    internal static TableEntity CardRow(string assigneeId, IReadOnlyList<ScreenLine> lines)
    {
        var row = new TableEntity(StaffTaskKeys.Assignee(assigneeId), StaffTaskKeys.ScreenRow(assigneeId));
        LongText.Write(row, LinesProperty, JsonSerializer.Serialize(lines, CrmJson.Options));
        return row;
    }

    private static TableTransactionAction CardWrite(string assigneeId, Card card, IReadOnlyList<ScreenLine> lines)
    {
        var row = CardRow(assigneeId, lines);
        return card.Row is null
            ? new TableTransactionAction(TableTransactionActionType.Add, row)
            : new TableTransactionAction(TableTransactionActionType.UpdateReplace, row, card.Row.ETag);
    }

    /// <summary>The reminder row a task state implies: while it is open and the reminder unsent.</summary>
    private static TaskReminderEntity? Reminder(TaskEntity task) =>
        task.IsOpen && task.ReminderAt is { } at && task.ReminderSentAt is null
            ? new TaskReminderEntity { PartitionKey = task.PartitionKey, RowKey = StaffTaskKeys.ReminderRow(at, task.TaskId), TaskId = task.TaskId, At = at }
            : null;

    /// <summary>The task row written by <paramref name="write"/>, its old reminder row deleted when no longer implied, its new one upserted.</summary>
    private static IEnumerable<TableTransactionAction> Changes(TaskEntity? before, TaskEntity after, TableTransactionActionType write)
    {
        yield return new TableTransactionAction(write, after, write == TableTransactionActionType.UpdateReplace ? after.ETag : default);
        var now = Reminder(after);
        if (before is not null && Reminder(before) is { } old && old.RowKey != now?.RowKey)
        {
            yield return new TableTransactionAction(TableTransactionActionType.Delete, old, ETag.All);
        }
        if (now is not null)
        {
            yield return new TableTransactionAction(TableTransactionActionType.UpsertReplace, now);
        }
    }
}
