using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Customers;

/// <summary>
/// The <c>customerindex</c> table (see <see cref="CustomerIndexEntity"/>): claims and releases
/// emails, keeps the lookup rows in line with a profile, and answers the lookups.
/// </summary>
internal sealed class CustomerIndex(StorageAccount storage)
{
    private TableClient Index => storage.Table(StorageNames.Tables.CustomerIndex);

    /// <summary>The lookup rows of the customer's profile that still point at them, as stored (GDPR export).</summary>
    public async Task<List<TableEntity>> RowsOfAsync(Customer customer, CancellationToken cancellationToken)
    {
        var found = new List<TableEntity>();
        foreach (var (partition, row) in CustomerIndexEntity.KeysFor(customer))
        {
            var entity = await Index.FindAsync<TableEntity>(partition, row, cancellationToken);
            if (entity is not null && entity.GetString("CustomerId") == customer.Id)
            {
                found.Add(entity);
            }
        }
        return found;
    }

    /// <summary>Deletes the lookup rows of the customer's profile that still point at them (GDPR erasure); returns how many.</summary>
    public async Task<int> EraseAsync(Customer customer, CancellationToken cancellationToken)
    {
        var rows = await RowsOfAsync(customer, cancellationToken);
        foreach (var row in rows)
        {
            await Index.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, cancellationToken);
        }
        return rows.Count;
    }

    /// <summary>Claims an email for a customer; returns the other owner's id when it is taken.</summary>
    public async Task<string?> ClaimEmailAsync(Customer customer, CancellationToken cancellationToken)
    {
        var row = CustomerIndexEntity.For(customer, (CustomerIndexEntity.EmailPartition(customer.Email!), CustomerIndexEntity.EmailRow(customer.Email!)));
        try
        {
            await Index.AddEntityAsync(row, cancellationToken);
            return null;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            var existing = await Index.FindAsync<CustomerIndexEntity>(row.PartitionKey, row.RowKey, cancellationToken);
            return existing is null || existing.CustomerId == customer.Id ? null : existing.CustomerId;
        }
    }

    /// <summary>Releases an email's row, but only while it still belongs to this customer.</summary>
    public async Task ReleaseEmailAsync(string email, string customerId, CancellationToken cancellationToken)
    {
        var row = await Index.FindAsync<CustomerIndexEntity>(CustomerIndexEntity.EmailPartition(email), CustomerIndexEntity.EmailRow(email), cancellationToken);
        if (row is not null && row.CustomerId == customerId)
        {
            try
            {
                await Index.DeleteEntityAsync(row.PartitionKey, row.RowKey, row.ETag, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 412)
            {
                // Already released or claimed anew meanwhile.
            }
        }
    }

    /// <summary>
    /// Brings the lookup rows from <paramref name="before"/>'s in line with <paramref name="after"/>'s:
    /// every row of the new profile is (re)written, rows it no longer has are removed, and an email it
    /// no longer has is released. The email row of <paramref name="after"/> was claimed before.
    /// </summary>
    public async Task SyncAsync(Customer? before, Customer after, CancellationToken cancellationToken)
    {
        await WriteAsync(Upserts(after, claimed: null), cancellationToken);
        await RemoveStaleAsync(before, after, cancellationToken);
    }

    /// <summary>
    /// The upserts of every lookup row of <paramref name="after"/>; the email row is left out when it
    /// was just claimed with the same summary (<paramref name="claimed"/>), since the claim wrote it.
    /// </summary>
    public static IEnumerable<TableTransactionAction> Upserts(Customer after, CustomerSummary? claimed) =>
        CustomerIndexEntity.KeysFor(after)
            .Where(k => !(claimed == CustomerSummary.From(after) && k.Item1 == CustomerIndexEntity.EmailPartition(after.Email!)))
            .Select(k => new TableTransactionAction(TableTransactionActionType.UpsertReplace, CustomerIndexEntity.For(after, k)));

    /// <summary>Writes lookup rows of many customers, grouped by partition into transactions of up to 100, a few partitions at once.</summary>
    public Task WriteAsync(IEnumerable<TableTransactionAction> upserts, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(TableClientExtensions.Chunk(upserts), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (chunk, ct) => await Index.SubmitTransactionAsync(chunk, ct));

    /// <summary>Removes the lookup rows <paramref name="before"/> had and <paramref name="after"/> has not, releasing an email it no longer has.</summary>
    public async Task RemoveStaleAsync(Customer? before, Customer after, CancellationToken cancellationToken)
    {
        if (before is null)
        {
            return;
        }
        var newKeys = CustomerIndexEntity.KeysFor(after);
        foreach (var (partition, row) in CustomerIndexEntity.KeysFor(before).Except(newKeys))
        {
            if (partition.StartsWith("email|", StringComparison.Ordinal))
            {
                await ReleaseEmailAsync(before!.Email!, after.Id, cancellationToken);
            }
            else
            {
                await Index.DeleteEntityAsync(partition, row, ETag.All, cancellationToken);
            }
        }
    }

    /// <summary>Removes every lookup row of a profile (erasure), releasing its email.</summary>
    public async Task RemoveAsync(Customer customer, CancellationToken cancellationToken)
    {
        foreach (var (partition, row) in CustomerIndexEntity.KeysFor(customer))
        {
            if (partition.StartsWith("email|", StringComparison.Ordinal))
            {
                await ReleaseEmailAsync(customer.Email!, customer.Id, cancellationToken);
            }
            else
            {
                try
                {
                    await Index.DeleteEntityAsync(partition, row, ETag.All, cancellationToken);
                }
                catch (RequestFailedException ex) when (ex.Status == 404)
                {
                    // Already gone.
                }
            }
        }
    }

    public async Task<Storage.Page<CustomerSummary>> ListAsync(string partition, string? rowPrefix, int limit, string? cursor, CancellationToken cancellationToken)
    {
        var filter = rowPrefix is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {partition}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {rowPrefix} and RowKey lt {rowPrefix + "~"}");
        var page = await Index.QueryPageAsync<CustomerIndexEntity>(filter, limit, cursor, cancellationToken);
        return page.Select(e => e.ToSummary());
    }

    public async Task<CustomerSummary?> FindByEmailAsync(string email, CancellationToken cancellationToken) =>
        (await Index.FindAsync<CustomerIndexEntity>(CustomerIndexEntity.EmailPartition(email), CustomerIndexEntity.EmailRow(email), cancellationToken))?.ToSummary();

    public async IAsyncEnumerable<CustomerSummary> InPartitionAsync(string partition, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var row in Index.QueryAsync<CustomerIndexEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), 100, cancellationToken: cancellationToken))
        {
            yield return row.ToSummary();
        }
    }
}
