using Azure.Data.Tables;
using PecosCrm.Core.Analytics;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Customers;

/// <summary>
/// Submits the writes of one customer partition as transactions. When the first action is an
/// event marker (<c>evt|...</c> Add) and it is the one that conflicts, the event was applied
/// before: the result is <see cref="PartitionWrite.Duplicate"/> and nothing is written. Every
/// applied write marks the customer changed for the customer-features file of the analytical copy.
/// </summary>
internal sealed class CustomerPartition(StorageAccount storage)
{
    public TableClient Table => storage.Table(StorageNames.Tables.Customers);

    public async Task<PartitionWrite> SubmitAsync(IReadOnlyList<TableTransactionAction> actions, CancellationToken cancellationToken)
    {
        if (actions.Count == 0)
        {
            return PartitionWrite.Applied;
        }
        if (actions.Count > TableClientExtensions.MaxBatchSize)
        {
            throw new InvalidOperationException($"A customer write of {actions.Count} rows does not fit one transaction.");
        }
        try
        {
            await Table.SubmitTransactionAsync(actions, cancellationToken);
            await CustomerFeatures.MarkChangedAsync(storage, actions[0].Entity.PartitionKey, cancellationToken);
            return PartitionWrite.Applied;
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 409)
        {
            var failed = ex.FailedTransactionActionIndex ?? -1;
            if (failed >= 0 && actions[failed].Entity.RowKey.StartsWith(CustomerKeys.EventPrefix, StringComparison.Ordinal))
            {
                return PartitionWrite.Duplicate;
            }
            throw new ConcurrencyException();
        }
        catch (TableTransactionFailedException ex) when (ex.Status is 412 or 404)
        {
            throw new ConcurrencyException();
        }
    }
}

internal enum PartitionWrite
{
    Applied,
    Duplicate,
}
