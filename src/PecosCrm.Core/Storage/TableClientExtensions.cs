using Azure;
using Azure.Data.Tables;

namespace PecosCrm.Core.Storage;

/// <summary>Paging, chunked batches and concurrency mapping over <see cref="TableClient"/>.</summary>
public static class TableClientExtensions
{
    /// <summary>Table Storage takes at most 100 operations, all in one partition, per transaction.</summary>
    public const int MaxBatchSize = 100;

    /// <summary>Reads one page of a query, resuming from an API cursor.</summary>
    public static async Task<Page<T>> QueryPageAsync<T>(
        this TableClient table, string? filter, int limit, string? cursor, CancellationToken cancellationToken = default)
        where T : class, ITableEntity
    {
        var token = Cursor.Decode(cursor);
        try
        {
            await foreach (var page in table.QueryAsync<T>(filter, limit, cancellationToken: cancellationToken).AsPages(token, limit))
            {
                return new Page<T>(page.Values, Cursor.Encode(page.ContinuationToken));
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 400 && token is not null)
        {
            throw new ValidationFailedException("cursor", "is not a cursor this API handed out.");
        }
        return new Page<T>([], null);
    }

    /// <summary>
    /// Writes the actions in as many transactions as needed: grouped by partition, at most 100 each.
    /// Each transaction is atomic; a failure part-way leaves earlier chunks written, so callers make
    /// their actions idempotent (upserts) when a batch may span several chunks.
    /// </summary>
    public static async Task SubmitChunkedAsync(
        this TableClient table, IEnumerable<TableTransactionAction> actions, CancellationToken cancellationToken = default)
    {
        foreach (var chunk in Chunk(actions))
        {
            await table.SubmitTransactionAsync(chunk, cancellationToken);
        }
    }

    /// <summary>Groups actions by partition and splits each group into transactions of at most 100.</summary>
    public static IEnumerable<IReadOnlyList<TableTransactionAction>> Chunk(IEnumerable<TableTransactionAction> actions) =>
        actions.GroupBy(a => a.Entity.PartitionKey, StringComparer.Ordinal)
            .SelectMany(g => g.Chunk(MaxBatchSize))
            .Select(c => (IReadOnlyList<TableTransactionAction>)c);

    /// <summary>
    /// Submits one transaction that claims a unique value with an index row: a conflict (the value
    /// is taken) becomes a <see cref="ConflictException"/> with <paramref name="conflictMessage"/>,
    /// a stale ETag a <see cref="ConcurrencyException"/>.
    /// </summary>
    public static async Task SubmitClaimingAsync(
        this TableClient table, IReadOnlyList<TableTransactionAction> actions, string conflictMessage, CancellationToken cancellationToken = default)
    {
        try
        {
            await table.SubmitTransactionAsync(actions, cancellationToken);
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 409)
        {
            throw new ConflictException(conflictMessage);
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 412)
        {
            throw new ConcurrencyException();
        }
    }

    /// <summary>Reads one entity, or null when it does not exist.</summary>
    public static async Task<T?> FindAsync<T>(
        this TableClient table, string partitionKey, string rowKey, CancellationToken cancellationToken = default)
        where T : class, ITableEntity
    {
        var response = await table.GetEntityIfExistsAsync<T>(partitionKey, rowKey, cancellationToken: cancellationToken);
        return response.HasValue ? response.Value : null;
    }

    /// <summary>Replaces an entity if its ETag still matches, else throws <see cref="ConcurrencyException"/>.</summary>
    public static async Task<ETag> ReplaceIfMatchAsync<T>(
        this TableClient table, T entity, CancellationToken cancellationToken = default)
        where T : class, ITableEntity
    {
        try
        {
            var response = await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, cancellationToken);
            return response.Headers.ETag ?? default;
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            throw new ConcurrencyException();
        }
    }

    /// <summary>
    /// Checks an API <c>If-Match</c> value against the ETag just read; none or <c>*</c> matches
    /// anything. The write that follows still goes with the ETag it read, so a change made in
    /// between fails too.
    /// </summary>
    public static void CheckIfMatch(string? ifMatch, ETag current)
    {
        if (!string.IsNullOrEmpty(ifMatch) && ifMatch != "*" && ifMatch != current.ToString())
        {
            throw new ConcurrencyException();
        }
    }
}
