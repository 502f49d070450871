using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Analytics;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Customers;

/// <summary>
/// Submits the writes of one customer partition as one transaction. When an event marker
/// (<c>evt|...</c> Add) is the action that conflicts, the event was applied before: the result
/// names it and nothing is written. Any other conflict (the card's ETag moved) is a
/// <see cref="ConcurrencyException"/>: read again and retry.
/// </summary>
internal sealed class CustomerPartition(StorageAccount storage)
{
    public TableClient Table => storage.Table(StorageNames.Tables.Customers);

    /// <summary>Commits the actions; returns the new ETag of the action at <paramref name="etagOf"/> (the card), or the event id found applied already.</summary>
    public async Task<PartitionWrite> SubmitAsync(IReadOnlyList<TableTransactionAction> actions, int etagOf, bool markFeatures, CancellationToken cancellationToken)
    {
        if (actions.Count == 0)
        {
            return new PartitionWrite(default, null);
        }
        if (actions.Count > TableClientExtensions.MaxBatchSize)
        {
            throw new InvalidOperationException($"A customer write of {actions.Count} rows does not fit one transaction.");
        }
        try
        {
            var response = await Table.SubmitTransactionAsync(actions, cancellationToken);
            if (markFeatures)
            {
                await CustomerFeatures.MarkChangedAsync(storage, [actions[0].Entity.PartitionKey], cancellationToken);
            }
            var etag = etagOf >= 0 && etagOf < response.Value.Count ? response.Value[etagOf].Headers.ETag ?? default : default;
            return new PartitionWrite(etag, null);
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 409)
        {
            var failed = ex.FailedTransactionActionIndex ?? -1;
            if (failed >= 0 && actions[failed].Entity.RowKey.StartsWith(CustomerKeys.EventPrefix, StringComparison.Ordinal))
            {
                return new PartitionWrite(default, actions[failed].Entity.RowKey[CustomerKeys.EventPrefix.Length..]);
            }
            throw new ConcurrencyException();
        }
        catch (TableTransactionFailedException ex) when (ex.Status is 412 or 404)
        {
            throw new ConcurrencyException();
        }
    }
}

/// <summary>A committed write (with the card's new ETag, when known), or the event found applied already.</summary>
internal sealed record PartitionWrite(ETag CardETag, string? AppliedBefore)
{
    public bool Duplicate => AppliedBefore is not null;
}
