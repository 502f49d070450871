using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Privacy;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Segments;

/// <summary>
/// Segment definitions, their members and the history of who joined and left. Members of a segment
/// share one partition, so a membership change is written in 100-row transactions; each change is
/// recorded in the history first, so a refresh cut short and run again never loses a change (it may
/// record a join twice, at two times, for a member whose write had not landed).
/// </summary>
public sealed class SegmentStore(StorageAccount storage) : IPersonalData
{
    private TableClient Segments => storage.Table(StorageNames.Tables.Segments);
    private TableClient Members => storage.Table(StorageNames.Tables.SegmentMembers);
    private TableClient History => storage.Table(StorageNames.Tables.SegmentHistory);

    internal async Task<SegmentEntity?> FindEntityAsync(string id, CancellationToken cancellationToken) =>
        KeyRules.IsValidKey(id) ? await Segments.FindAsync<SegmentEntity>(SegmentEntity.Partition, id, cancellationToken) : null;

    internal async Task<SegmentEntity> GetEntityAsync(string id, CancellationToken cancellationToken) =>
        await FindEntityAsync(id, cancellationToken) ?? throw new NotFoundException("Segment", id);

    public async Task<Segment> GetAsync(string id, CancellationToken cancellationToken = default) => (await GetEntityAsync(id, cancellationToken)).ToRecord();

    internal Task AddAsync(SegmentEntity segment, CancellationToken cancellationToken) => Segments.AddEntityAsync(segment, cancellationToken);

    /// <summary>Writes a segment with the ETag it was read with; a change made meanwhile fails with a concurrency error.</summary>
    internal async Task<Segment> ReplaceAsync(SegmentEntity segment, CancellationToken cancellationToken)
    {
        segment.ETag = await Segments.ReplaceIfMatchAsync(segment, cancellationToken);
        return segment.ToRecord();
    }

    public async Task<Storage.Page<Segment>> ListAsync(int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        var page = await Segments.QueryPageAsync<SegmentEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {SegmentEntity.Partition}"), limit, cursor, cancellationToken);
        return page.Select(s => s.ToRecord());
    }

    internal async Task<List<SegmentEntity>> AllAsync(CancellationToken cancellationToken)
    {
        var all = new List<SegmentEntity>();
        await foreach (var s in Segments.QueryAsync<SegmentEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {SegmentEntity.Partition}"), cancellationToken: cancellationToken))
        {
            all.Add(s);
        }
        return all;
    }

    public async Task<Storage.Page<SegmentMember>> MembersAsync(string segmentId, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        await GetEntityAsync(segmentId, cancellationToken);
        var page = await Members.QueryPageAsync<SegmentMemberEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {segmentId}"), limit, cursor, cancellationToken);
        return page.Select(m => new SegmentMember(m.CustomerId, m.JoinedAt));
    }

    /// <summary>Every member id of a segment, in customer id order, a page at a time.</summary>
    public IAsyncEnumerable<IReadOnlyList<string>> MemberIdPagesAsync(string segmentId, CancellationToken cancellationToken = default) =>
        MemberIdPagesAsync(segmentId, 1000, cancellationToken);

    /// <summary>Every member id of a segment, in customer id order, pages of up to <paramref name="pageSize"/>.</summary>
    public async IAsyncEnumerable<IReadOnlyList<string>> MemberIdPagesAsync(string segmentId, int pageSize, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var page in Members.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {segmentId}"), pageSize, ["PartitionKey", "RowKey"], cancellationToken).AsPages())
        {
            yield return page.Values.Select(m => SegmentKeys.MemberOf(segmentId, m.RowKey)).ToList();
        }
    }

    internal async Task<HashSet<string>> MemberIdsAsync(string segmentId, CancellationToken cancellationToken)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var page in MemberIdPagesAsync(segmentId, cancellationToken))
        {
            ids.UnionWith(page);
        }
        return ids;
    }

    public async Task<bool> IsMemberAsync(string segmentId, string customerId, CancellationToken cancellationToken = default) =>
        await Members.FindAsync<SegmentMemberEntity>(segmentId, SegmentKeys.Member(segmentId, customerId), cancellationToken) is not null;

    /// <summary>Records the joins and leaves in the history, then applies them to the members.</summary>
    internal async Task ApplyAsync(SegmentEntity segment, IReadOnlyCollection<string> joined, IReadOnlyCollection<string> left, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var changes = joined.Select(id => (Id: id, Change: "joined")).Concat(left.Select(id => (Id: id, Change: "left"))).ToList();
        var history = changes.Select(c => Row(segment, c.Id, c.Change, at, bySegment: true)).ToList();
        await History.SubmitChunkedAsync(history.Select(h => new TableTransactionAction(TableTransactionActionType.UpsertReplace, h)), cancellationToken);
        await Parallel.ForEachAsync(changes, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (c, ct) =>
            await History.UpsertEntityAsync(Row(segment, c.Id, c.Change, at, bySegment: false), TableUpdateMode.Replace, ct));

        var actions = joined.Select(id => new TableTransactionAction(TableTransactionActionType.UpsertReplace,
                new SegmentMemberEntity { PartitionKey = segment.RowKey, RowKey = SegmentKeys.Member(segment.RowKey, id), JoinedAt = at }))
            .Concat(left.Select(id => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(segment.RowKey, SegmentKeys.Member(segment.RowKey, id)), ETag.All)));
        await Parallel.ForEachAsync(TableClientExtensions.Chunk(actions), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (chunk, ct) =>
        {
            try
            {
                await Members.SubmitTransactionAsync(chunk, ct);
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 404)
            {
                // A leave of a member already gone (a refresh run twice): apply the rest one by one.
                foreach (var action in chunk)
                {
                    if (action.ActionType == TableTransactionActionType.Delete)
                    {
                        await Members.DeleteEntityAsync(action.Entity.PartitionKey, action.Entity.RowKey, ETag.All, ct);
                    }
                    else
                    {
                        await Members.UpsertEntityAsync((SegmentMemberEntity)action.Entity, TableUpdateMode.Replace, ct);
                    }
                }
            }
        });
    }

    private static SegmentHistoryEntity Row(SegmentEntity segment, string customerId, string change, DateTimeOffset at, bool bySegment) => new()
    {
        PartitionKey = bySegment ? SegmentHistoryEntity.SegmentPartition(segment.RowKey) : SegmentHistoryEntity.CustomerPartition(customerId),
        RowKey = bySegment ? SegmentKeys.HistoryBySegment(segment.RowKey, at, customerId) : SegmentKeys.HistoryByCustomer(customerId, at, segment.RowKey),
        SegmentId = segment.RowKey,
        SegmentName = segment.Name,
        CustomerId = customerId,
        Change = change,
        At = at,
    };

    /// <summary>A segment's joins and leaves, newest first.</summary>
    public async Task<Storage.Page<MembershipChange>> HistoryAsync(string segmentId, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        await GetEntityAsync(segmentId, cancellationToken);
        var partition = SegmentHistoryEntity.SegmentPartition(segmentId);
        var page = await History.QueryPageAsync<SegmentHistoryEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), limit, cursor, cancellationToken);
        return page.Select(h => h.ToRecord());
    }

    /// <summary>A customer's joins and leaves across segments, newest first.</summary>
    public async Task<Storage.Page<MembershipChange>> CustomerHistoryAsync(string customerId, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        var partition = SegmentHistoryEntity.CustomerPartition(customerId);
        var page = await History.QueryPageAsync<SegmentHistoryEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), limit, cursor, cancellationToken);
        return page.Select(h => h.ToRecord());
    }

    /// <summary>The segments a customer is in now: each segment's newest change is a join, and the segment still exists.</summary>
    public async Task<IReadOnlyList<CustomerSegment>> ForCustomerAsync(string customerId, CancellationToken cancellationToken = default)
    {
        var latest = new Dictionary<string, SegmentHistoryEntity>(StringComparer.Ordinal);
        var partition = SegmentHistoryEntity.CustomerPartition(customerId);
        await foreach (var h in History.QueryAsync<SegmentHistoryEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), cancellationToken: cancellationToken))
        {
            latest.TryAdd(h.SegmentId, h);
        }
        var result = new List<CustomerSegment>();
        foreach (var h in latest.Values.Where(h => h.Change == "joined"))
        {
            if (await FindEntityAsync(h.SegmentId, cancellationToken) is { } segment && await IsMemberAsync(h.SegmentId, customerId, cancellationToken))
            {
                result.Add(new CustomerSegment(segment.RowKey, segment.Name, segment.KindValue, h.At));
            }
        }
        return result.OrderBy(s => s.Name, StringComparer.OrdinalIgnoreCase).ToList();
    }

    /// <summary>Deletes a segment with its members and its history (from the customers' side too).</summary>
    internal async Task DeleteAsync(SegmentEntity segment, CancellationToken cancellationToken)
    {
        var partition = SegmentHistoryEntity.SegmentPartition(segment.RowKey);
        var history = new List<SegmentHistoryEntity>();
        await foreach (var h in History.QueryAsync<SegmentHistoryEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), cancellationToken: cancellationToken))
        {
            history.Add(h);
        }
        await Parallel.ForEachAsync(history, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (h, ct) =>
            await History.DeleteEntityAsync(SegmentHistoryEntity.CustomerPartition(h.CustomerId), SegmentKeys.HistoryByCustomer(h.CustomerId, h.At, segment.RowKey), ETag.All, ct));
        await History.SubmitChunkedAsync(history.Select(h => new TableTransactionAction(TableTransactionActionType.Delete, h, ETag.All)), cancellationToken);
        var members = await MemberIdsAsync(segment.RowKey, cancellationToken);
        await Members.SubmitChunkedAsync(members.Select(id => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(segment.RowKey, SegmentKeys.Member(segment.RowKey, id)), ETag.All)), cancellationToken);
        await Segments.DeleteEntityAsync(segment.PartitionKey, segment.RowKey, segment.ETag, cancellationToken);
    }

    async Task IPersonalData.ExportAsync(string customerId, PersonalDataArchive archive, CancellationToken cancellationToken)
    {
        archive.Add("segments.json", await ForCustomerAsync(customerId, cancellationToken));
        archive.Add("segment-history.json", (await CustomerHistoryAsync(customerId, Storage.Page<MembershipChange>.MaxLimit, null, cancellationToken)).Items);
    }

    Task<int> IPersonalData.EraseAsync(ErasureContext context, CancellationToken cancellationToken) => EraseCustomerAsync(context.CustomerId, cancellationToken);

    /// <summary>Removes a customer from every segment and its history (GDPR erasure). Returns the rows deleted.</summary>
    public async Task<int> EraseCustomerAsync(string customerId, CancellationToken cancellationToken = default)
    {
        var partition = SegmentHistoryEntity.CustomerPartition(customerId);
        var rows = new List<SegmentHistoryEntity>();
        await foreach (var h in History.QueryAsync<SegmentHistoryEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), cancellationToken: cancellationToken))
        {
            rows.Add(h);
        }
        var deleted = 0;
        foreach (var h in rows)
        {
            deleted += await DeleteIfExistsAsync(History, SegmentHistoryEntity.SegmentPartition(h.SegmentId), SegmentKeys.HistoryBySegment(h.SegmentId, h.At, customerId), cancellationToken);
            deleted += await DeleteIfExistsAsync(Members, h.SegmentId, SegmentKeys.Member(h.SegmentId, customerId), cancellationToken);
            deleted += await DeleteIfExistsAsync(History, h.PartitionKey, h.RowKey, cancellationToken);
        }
        // Static lists can hold a customer with no history row (added before history existed, or by hand in storage).
        foreach (var segment in await AllAsync(cancellationToken))
        {
            deleted += await DeleteIfExistsAsync(Members, segment.RowKey, SegmentKeys.Member(segment.RowKey, customerId), cancellationToken);
        }
        return deleted;
    }

    private static async Task<int> DeleteIfExistsAsync(TableClient table, string partition, string row, CancellationToken cancellationToken)
    {
        // The SDK answers a delete of a missing entity without throwing; the status tells.
        var response = await table.DeleteEntityAsync(partition, row, ETag.All, cancellationToken);
        return response.Status == 404 ? 0 : 1;
    }
}
