using System.Globalization;
using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Automation;

/// <summary>
/// The app's own rows of automation instances (the Durable Task engine keeps their execution):
/// in <c>automationinstances</c> (partition = instance id) the state and the history rows, each
/// step's rows written with the state in one transaction, control rows (suspend, resume, terminate)
/// sorting after the step they follow; in <c>automationindex</c> the rows for lists by customer and
/// by workflow (the state's fields) and each customer's last enrolment per workflow, for re-entry
/// rules. Keys in <see cref="AutomationKeys"/>; every RowKey carries the instance (or the workflow and
/// customer), so no two rows of a table share one.
/// </summary>
public sealed class InstanceStore(StorageAccount storage, Customers.CustomerCards cards)
{
    private TableClient Instances => storage.Table(StorageNames.Tables.AutomationInstances);
    private TableClient Index => storage.Table(StorageNames.Tables.AutomationIndex);

    private static string StateKey(string instanceId) => AutomationKeys.State(instanceId);

    private static string WorkflowPartition(string workflowId) => AutomationKeys.WorkflowPartition(workflowId);

    private static string CustomerPartition(string customerId) => AutomationKeys.CustomerPartition(customerId);

    internal async Task<InstanceEntity?> FindAsync(string instanceId, CancellationToken cancellationToken) =>
        KeyRules.IsValidKey(instanceId) ? await Instances.FindAsync<InstanceEntity>(instanceId, StateKey(instanceId), cancellationToken) : null;

    /// <summary>The customer's last enrolment in the workflow: its instance and when.</summary>
    internal async Task<(string InstanceId, DateTimeOffset? EnrolledAt)?> LastEnrolmentAsync(string workflowId, string customerId, CancellationToken cancellationToken) =>
        await Index.FindAsync<TableEntity>(AutomationKeys.EnrolPartition(workflowId), AutomationKeys.Enrol(workflowId, customerId), cancellationToken) is { } row ? (row.GetString("InstanceId"), row.GetDateTimeOffset("EnrolledAt")) : null;

    /// <summary>Writes a new instance with its first history rows, its index rows and the customer's last enrolment.</summary>
    internal async Task CreateAsync(InstanceEntity state, IReadOnlyList<InstanceStep> first, CancellationToken cancellationToken)
    {
        await SaveAsync(state, first, cancellationToken);
        await Index.UpsertEntityAsync(new TableEntity(AutomationKeys.EnrolPartition(state.WorkflowId), AutomationKeys.Enrol(state.WorkflowId, state.CustomerId)) { ["InstanceId"] = state.InstanceId, ["EnrolledAt"] = state.EnrolledAt },
            TableUpdateMode.Replace, cancellationToken);
    }

    /// <summary>
    /// Writes the state with the history rows of the step (one transaction, so the history and the
    /// state agree), then the index rows. Rows are upserted: an activity that runs again after a
    /// crash writes the same rows again.
    /// </summary>
    internal async Task SaveAsync(InstanceEntity state, IEnumerable<InstanceStep> steps, CancellationToken cancellationToken)
    {
        var id = state.InstanceId;
        List<TableTransactionAction> actions = [new(TableTransactionActionType.UpsertReplace, state.CopyTo(id, StateKey(id)))];
        actions.AddRange(steps.Select(s => new TableTransactionAction(TableTransactionActionType.UpsertReplace, History(id, s))));
        await Instances.SubmitTransactionAsync(actions, cancellationToken);
        await Index.UpsertEntityAsync(state.CopyTo(WorkflowPartition(state.WorkflowId), AutomationKeys.ByWorkflow(id)), TableUpdateMode.Replace, cancellationToken);
        await Index.UpsertEntityAsync(state.CopyTo(CustomerPartition(state.CustomerId), id), TableUpdateMode.Replace, cancellationToken);
        await ShowOnCardAsync(state, cancellationToken);
    }

    /// <summary>The customer's card lists the automations they are in, for the 360 view.</summary>
    private Task ShowOnCardAsync(InstanceEntity state, CancellationToken cancellationToken) =>
        cards.SetAutomationAsync(state.CustomerId,
            new Customers.CustomerAutomation(state.InstanceId, state.WorkflowId, state.Status.ToLowerInvariant(), state.Node, state.EnrolledAt, state.WakeAt),
            state.Finished, cancellationToken);

    /// <summary>Applies a change by staff (suspend, resume, terminate) under the state's ETag, with a history row; retried when a step wrote meanwhile.</summary>
    internal async Task<InstanceEntity> ControlAsync(string instanceId, string outcome, Action<InstanceEntity> change, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var state = await OptimisticRetry.RunAsync(async _ =>
        {
            var state = await FindAsync(instanceId, cancellationToken) ?? throw new NotFoundException("Automation instance", instanceId);
            change(state);
            var row = state.CopyTo(instanceId, StateKey(instanceId));
            var history = History(instanceId, new InstanceStep(state.Sequence, state.Node, "control", outcome, now), "c" + now.UtcTicks.ToString("D19", CultureInfo.InvariantCulture));
            await Instances.SubmitTransactionAsync(
            [
                new(TableTransactionActionType.UpdateReplace, row, state.ETag),
                new(TableTransactionActionType.UpsertReplace, history),
            ], cancellationToken);
            return state;
        }, cancellationToken: cancellationToken);
        await Index.UpsertEntityAsync(state.CopyTo(WorkflowPartition(state.WorkflowId), AutomationKeys.ByWorkflow(instanceId)), TableUpdateMode.Replace, cancellationToken);
        await Index.UpsertEntityAsync(state.CopyTo(CustomerPartition(state.CustomerId), instanceId), TableUpdateMode.Replace, cancellationToken);
        await ShowOnCardAsync(state, cancellationToken);
        return state;
    }

    public async Task<WorkflowInstance> GetAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        var state = await FindAsync(instanceId, cancellationToken) ?? throw new NotFoundException("Automation instance", instanceId);
        var steps = new List<InstanceStep>();
        await foreach (var r in Instances.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {instanceId} and RowKey ge {AutomationKeys.HistoryPrefix} and RowKey lt {KeyRules.PrefixEnd(AutomationKeys.HistoryPrefix)}"), cancellationToken: cancellationToken))
        {
            steps.Add(new InstanceStep(r.GetInt64("Sequence") ?? 0, r.GetString("Node"), r.GetString("Type"), r.GetString("Outcome"), r.GetDateTimeOffset("At") ?? default, r.GetDouble("LateMs")));
        }
        return state.ToRecord(steps);
    }

    /// <summary>A workflow's instances (optionally of one status), by id (oldest first).</summary>
    public async Task<Storage.Page<WorkflowInstance>> ListAsync(string workflowId, InstanceStatus? status, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {WorkflowPartition(workflowId)}");
        if (status is { } s)
        {
            filter += " and " + TableClient.CreateQueryFilter($"Status eq {s.ToString()}");
        }
        var page = await Index.QueryPageAsync<InstanceEntity>(filter, limit, cursor, cancellationToken);
        return page.Select(r => r.ToRecord());
    }

    /// <summary>A customer's instances, newest first.</summary>
    public async Task<IReadOnlyList<WorkflowInstance>> ForCustomerAsync(string customerId, CancellationToken cancellationToken = default) =>
        (await RowsAsync(TableClient.CreateQueryFilter($"PartitionKey eq {CustomerPartition(customerId)}"), cancellationToken)).Select(r => r.ToRecord()).OrderByDescending(i => i.EnrolledAt).ToList();

    /// <summary>The customer's unfinished instances, with the goal and the event each waits for.</summary>
    internal Task<List<InstanceEntity>> RunningForCustomerAsync(string customerId, CancellationToken cancellationToken) =>
        RowsAsync(TableClient.CreateQueryFilter($"PartitionKey eq {CustomerPartition(customerId)} and Finished eq {false}"), cancellationToken);

    internal Task<List<InstanceEntity>> FinishedOfWorkflowAsync(string workflowId, CancellationToken cancellationToken) =>
        RowsAsync(TableClient.CreateQueryFilter($"PartitionKey eq {WorkflowPartition(workflowId)} and Finished eq {true}"), cancellationToken);

    /// <summary>Deletes an instance's rows: state, history and both index rows.</summary>
    internal async Task DeleteAsync(InstanceEntity row, CancellationToken cancellationToken)
    {
        var id = row.InstanceId;
        var rows = new List<TableEntity>();
        await foreach (var r in Instances.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {id}"), select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            rows.Add(r);
        }
        await Instances.SubmitChunkedAsync(rows.Select(r => new TableTransactionAction(TableTransactionActionType.Delete, r, ETag.All)), cancellationToken);
        await Index.DeleteEntityAsync(CustomerPartition(row.CustomerId), id, ETag.All, cancellationToken);
        await Index.DeleteEntityAsync(WorkflowPartition(row.WorkflowId), AutomationKeys.ByWorkflow(id), ETag.All, cancellationToken);
    }

    /// <summary>
    /// Deletes every row about the customer: each instance's state and history, its row by workflow,
    /// the customer's last enrolments and the customer's index rows. Returns the rows deleted.
    /// </summary>
    internal async Task<int> EraseCustomerAsync(string customerId, CancellationToken cancellationToken)
    {
        var deleted = 0;
        foreach (var row in await RowsAsync(TableClient.CreateQueryFilter($"PartitionKey eq {CustomerPartition(customerId)}"), cancellationToken))
        {
            var id = row.InstanceId;
            var rows = new List<TableEntity>();
            await foreach (var r in Instances.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {id}"), select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
            {
                rows.Add(r);
            }
            await Instances.SubmitChunkedAsync(rows.Select(r => new TableTransactionAction(TableTransactionActionType.Delete, r, ETag.All)), cancellationToken);
            deleted += rows.Count;
            deleted += await DeleteIfExistsAsync(WorkflowPartition(row.WorkflowId), AutomationKeys.ByWorkflow(id), cancellationToken);
            deleted += await DeleteIfExistsAsync(AutomationKeys.EnrolPartition(row.WorkflowId), AutomationKeys.Enrol(row.WorkflowId, customerId), cancellationToken);
            deleted += await DeleteIfExistsAsync(row.PartitionKey, row.RowKey, cancellationToken);
        }
        return deleted;
    }

    /// <summary>The customer's index rows, as stored (GDPR export).</summary>
    internal Task<List<TableEntity>> CustomerIndexRowsAsync(string customerId, CancellationToken cancellationToken) =>
        Privacy.PersonalRows.ReadAsync(Index, TableClient.CreateQueryFilter($"PartitionKey eq {CustomerPartition(customerId)}"), cancellationToken);

    /// <summary>Deletes the tasks automation steps opened about the customer (GDPR erasure); returns how many.</summary>
    internal Task<int> EraseTasksAsync(string customerId, CancellationToken cancellationToken) =>
        Privacy.PersonalRows.DeleteWhereAsync(storage.Table(StorageNames.Tables.Tasks), TableClient.CreateQueryFilter($"CustomerId eq {customerId}"), cancellationToken);

    private async Task<int> DeleteIfExistsAsync(string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        try
        {
            await Index.DeleteEntityAsync(partitionKey, rowKey, ETag.All, cancellationToken);
            return 1;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return 0;
        }
    }

    private async Task<List<InstanceEntity>> RowsAsync(string filter, CancellationToken cancellationToken)
    {
        var rows = new List<InstanceEntity>();
        await foreach (var row in Index.QueryAsync<InstanceEntity>(filter, cancellationToken: cancellationToken))
        {
            rows.Add(row);
        }
        return rows;
    }

    private static TableEntity History(string instanceId, InstanceStep step, string? suffix = null) =>
        new(instanceId, AutomationKeys.History(step.Sequence, instanceId, suffix))
        {
            ["Sequence"] = step.Sequence, ["Node"] = step.Node, ["Type"] = step.Type, ["Outcome"] = step.Outcome.Length > 1000 ? step.Outcome[..1000] : step.Outcome,
            ["At"] = step.At, ["LateMs"] = step.LateMs,
        };
}
