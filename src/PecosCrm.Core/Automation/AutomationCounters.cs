using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Automation;

/// <summary>
/// Counters of a workflow (enrolled, completed, <c>step:{node}:sent</c>, <c>branch:{split}:{name}</c>,
/// ...) in partition <c>s|{workflowId}</c> of <c>automationindex</c>, one row each (RowKey
/// <c>s|{workflowId}|{counter}</c>, see <see cref="AutomationKeys"/>), added to under the row's ETag
/// so concurrent workers never lose a count.
/// </summary>
public sealed class AutomationCounters(StorageAccount storage)
{
    private TableClient Index => storage.Table(StorageNames.Tables.AutomationIndex);

    /// <summary>
    /// Adds one to each of a step's counters in two calls: one query reads them all, one transaction
    /// (they share the workflow's partition) writes them all under their ETags; tried again when
    /// another worker counted meanwhile.
    /// </summary>
    public async Task CountAsync(string workflowId, IReadOnlyCollection<string> counters, CancellationToken cancellationToken)
    {
        var adds = counters.GroupBy(c => c, StringComparer.Ordinal).ToDictionary(g => g.Key, g => (long)g.Count(), StringComparer.Ordinal);
        if (adds.Count <= 1)
        {
            foreach (var (counter, n) in adds)
            {
                for (var i = 0; i < n; i++)
                {
                    await CountAsync(workflowId, counter, cancellationToken);
                }
            }
            return;
        }
        var partition = AutomationKeys.CounterPartition(workflowId);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition}") + " and ("
            + string.Join(" or ", adds.Keys.Select(k => TableClient.CreateQueryFilter($"RowKey eq {AutomationKeys.Counter(workflowId, k)}"))) + ")";
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var rows = new Dictionary<string, TableEntity>(StringComparer.Ordinal);
            await foreach (var row in Index.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            {
                rows[AutomationKeys.CounterOf(workflowId, row.RowKey)] = row;
            }
            var actions = adds.Select(a => rows.TryGetValue(a.Key, out var row)
                ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, new TableEntity(partition, AutomationKeys.Counter(workflowId, a.Key)) { ["Count"] = (row.GetInt64("Count") ?? 0) + a.Value }, row.ETag)
                : new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(partition, AutomationKeys.Counter(workflowId, a.Key)) { ["Count"] = a.Value })).ToList();
            try
            {
                await Index.SubmitTransactionAsync(actions, cancellationToken);
                return;
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412)
            {
                // Counted by another worker at the same moment: read again.
            }
        }
    }

    /// <summary>Adds one to a workflow counter (enrolled, completed, step:{node}:sent, ...), read by the analytics.</summary>
    public async Task CountAsync(string workflowId, string counter, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var row = await Index.FindAsync<TableEntity>(AutomationKeys.CounterPartition(workflowId), AutomationKeys.Counter(workflowId, counter), cancellationToken);
            try
            {
                if (row is null)
                {
                    await Index.AddEntityAsync(new TableEntity(AutomationKeys.CounterPartition(workflowId), AutomationKeys.Counter(workflowId, counter)) { ["Count"] = 1L }, cancellationToken);
                }
                else
                {
                    row["Count"] = (row.GetInt64("Count") ?? 0) + 1;
                    await Index.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken);
                }
                return;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // Counted by another worker at the same moment: read again.
            }
        }
    }

    public async Task<IReadOnlyDictionary<string, long>> CountersAsync(string workflowId, CancellationToken cancellationToken = default)
    {
        var counters = new Dictionary<string, long>(StringComparer.Ordinal);
        await foreach (var row in Index.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {AutomationKeys.CounterPartition(workflowId)}"), cancellationToken: cancellationToken))
        {
            counters[AutomationKeys.CounterOf(workflowId, row.RowKey)] = row.GetInt64("Count") ?? 0;
        }
        return counters;
    }
}
