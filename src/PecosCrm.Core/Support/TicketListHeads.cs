using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Support;

/// <summary>
/// The ticket list by status and assignee (see <see cref="SupportKeys"/>): a copy of each ticket in
/// the partition of its status and assignee, and a head row holding the newest <see cref="Size"/>
/// copies, so the first page is one point read. Azurite answers every query by scanning the whole
/// table, so a range query over 100,000 tickets costs tens of milliseconds however few rows it
/// returns; a point read does not grow with the table.
/// <para>
/// Every write of a copy goes in one transaction with the head under its ETag (replaced when its
/// lines change, else merged with a new version number), so two writers of one partition never both
/// win and the head always holds exactly the newest copies of the partition. A copy that leaves the
/// head is refilled from the next row of the partition (one range query, only on moves).
/// </para>
/// Only <see cref="TicketStore"/> calls this class; it writes the <c>ticketlist</c> table's
/// <c>sa|</c> partitions and nothing else.
/// </summary>
internal sealed class TicketListHeads(TableClient list, TicketListHeads.ParsedHeads? parsed = null)
{
    /// <summary>Copies the head holds: the default page. Each line keeps the ticket's fields, with policies kept once per head.</summary>
    public const int Size = 50;

    private const string LinesProperty = "Lines";
    private const string VersionProperty = "Version";
    private const string AfterPrefix = "after|";

    /// <summary>Lines are written without their empty fields (nulls, zeros), which read back as the same values: a smaller row to read and parse on every first page.</summary>
    private static readonly JsonSerializerOptions LineOptions = new(CrmJson.Options) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault };

    /// <summary>Writes the ticket's copy in the partition of its status and assignee, and the head with it.</summary>
    public Task PutAsync(TicketEntity ticket, CancellationToken cancellationToken) =>
        OptimisticRetry.RunAsync(async _ =>
        {
            var copy = CopyOf(ticket);
            var head = await ReadAsync(ticket.StatusValue, ticket.AssigneeId, cancellationToken);
            var changed = Place(head.Lines, copy);
            await list.SubmitTransactionAsync(
                [new TableTransactionAction(TableTransactionActionType.UpsertReplace, copy), HeadAction(ticket.StatusValue, ticket.AssigneeId, head, changed)],
                cancellationToken);
        }, maxAttempts: 20, cancellationToken: cancellationToken);

    /// <summary>
    /// Adds the ticket's copy and its place in the head only when the copy is missing (the backfill of
    /// tickets written before these lists existed): a copy already there was written by the ticket's own
    /// change and is left alone. Added under the head's ETag, so a concurrent change is never undone.
    /// </summary>
    public Task EnsureAsync(TicketEntity ticket, CancellationToken cancellationToken) =>
        OptimisticRetry.RunAsync(async _ =>
        {
            var copy = CopyOf(ticket);
            if (await list.FindAsync<TableEntity>(copy.PartitionKey, copy.RowKey, cancellationToken) is not null)
            {
                return;
            }
            var head = await ReadAsync(ticket.StatusValue, ticket.AssigneeId, cancellationToken);
            var changed = Place(head.Lines, copy);
            try
            {
                await list.SubmitTransactionAsync(
                    [new TableTransactionAction(TableTransactionActionType.Add, copy), HeadAction(ticket.StatusValue, ticket.AssigneeId, head, changed)],
                    cancellationToken);
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 409 && ex.FailedTransactionActionIndex == 0)
            {
                // The ticket's own change wrote its copy meanwhile.
            }
        }, maxAttempts: 20, cancellationToken: cancellationToken);

    private static TicketEntity CopyOf(TicketEntity ticket) =>
        ticket.CopyAs(SupportKeys.AssigneeListPartition(ticket.StatusValue, ticket.AssigneeId), SupportKeys.AssigneeListRow(ticket.Sequence, ticket.TicketId));

    /// <summary>Puts the copy in the head's lines (replacing the ticket's line, or among the newest); false when the head does not change.</summary>
    private static bool Place(List<TicketEntity> lines, TicketEntity copy)
    {
        var at = lines.FindIndex(l => l.TicketId == copy.TicketId);
        if (at >= 0)
        {
            lines[at] = copy;
            return true;
        }
        if (lines.Count >= Size && copy.Sequence < lines[^1].Sequence)
        {
            return false;
        }
        lines.Add(copy);
        lines.Sort((a, b) => b.Sequence.CompareTo(a.Sequence));
        if (lines.Count > Size)
        {
            lines.RemoveAt(lines.Count - 1);
        }
        return true;
    }

    /// <summary>Takes the ticket's copy out of the partition it was in (its status or assignee changed), refilling the head.</summary>
    public Task RemoveAsync(TicketStatus status, string? assigneeId, TicketEntity ticket, CancellationToken cancellationToken) =>
        OptimisticRetry.RunAsync(async _ =>
        {
            var partition = SupportKeys.AssigneeListPartition(status, assigneeId);
            var rowKey = SupportKeys.AssigneeListRow(ticket.Sequence, ticket.TicketId);
            var head = await ReadAsync(status, assigneeId, cancellationToken);
            var lines = head.Lines;
            var at = lines.FindIndex(l => l.TicketId == ticket.TicketId);
            if (at >= 0)
            {
                var wasFull = lines.Count == Size;
                var last = lines[^1].RowKey;
                lines.RemoveAt(at);
                if (wasFull)
                {
                    await foreach (var next in list.QueryAsync<TicketEntity>(After(partition, last), 1, cancellationToken: cancellationToken))
                    {
                        lines.Add(next);
                        break;
                    }
                }
            }
            var delete = new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(partition, rowKey), ETag.All);
            try
            {
                await list.SubmitTransactionAsync([delete, HeadAction(status, assigneeId, head, at >= 0)], cancellationToken);
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 404 && ex.FailedTransactionActionIndex == 0)
            {
                // The copy is gone already (a retried move, or a ticket written before these lists existed).
                await list.SubmitTransactionAsync([HeadAction(status, assigneeId, head, at >= 0)], cancellationToken);
            }
        }, maxAttempts: 20, cancellationToken: cancellationToken);

    /// <summary>
    /// Loads copies in bulk (the benchmark's seeding, or a rebuild): the copies of each status and
    /// assignee in transactions of 100, then each partition's head from its newest copies. Not for a
    /// partition that is being written meanwhile.
    /// </summary>
    public async Task LoadAsync(IEnumerable<TicketEntity> tickets, int parallelism, CancellationToken cancellationToken)
    {
        var partitions = tickets.GroupBy(t => (t.StatusValue, t.AssigneeId)).ToList();
        var batches = partitions.SelectMany(g => g
            .Select(t => t.CopyAs(SupportKeys.AssigneeListPartition(t.StatusValue, t.AssigneeId), SupportKeys.AssigneeListRow(t.Sequence, t.TicketId)))
            .Chunk(TableClientExtensions.MaxBatchSize)).ToList();
        var options = new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(batches, options, async (batch, ct) =>
            await list.SubmitTransactionAsync(batch.Select(t => new TableTransactionAction(TableTransactionActionType.UpsertReplace, t)), ct));
        await Parallel.ForEachAsync(partitions, options, async (group, ct) =>
        {
            var newest = group.OrderByDescending(t => t.Sequence).Take(Size)
                .Select(t => t.CopyAs(SupportKeys.AssigneeListPartition(t.StatusValue, t.AssigneeId), SupportKeys.AssigneeListRow(t.Sequence, t.TicketId))).ToList();
            var action = HeadAction(group.Key.StatusValue, group.Key.AssigneeId, new Head(null, 0, newest), linesChanged: true);
            await list.UpsertEntityAsync((TableEntity)action.Entity, TableUpdateMode.Replace, ct);
        });
    }

    /// <summary>
    /// One page, newest first: the first from the head (one point read), later ones by a range query
    /// of the partition after the cursor's row.
    /// </summary>
    public async Task<Storage.Page<TicketEntity>> PageAsync(TicketStatus status, string? assigneeId, int limit, string? cursor, CancellationToken cancellationToken)
    {
        var partition = SupportKeys.AssigneeListPartition(status, assigneeId);
        var after = Cursor.Decode(cursor);
        if (after is null)
        {
            var lines = await ReadLinesAsync(status, assigneeId, cancellationToken);
            if (limit <= lines.Count || lines.Count < Size)
            {
                var items = lines.Take(limit).ToList();
                var more = lines.Count > limit || lines.Count == Size;
                return new Storage.Page<TicketEntity>(items, more && items.Count > 0 ? Next(items[^1]) : null);
            }
            var rest = await RangeAsync(partition, lines[^1].RowKey, limit - lines.Count, cancellationToken);
            var all = lines.Concat(rest.Items).ToList();
            return new Storage.Page<TicketEntity>(all, rest.NextCursor);
        }
        if (!after.StartsWith(AfterPrefix + SupportKeys.AssigneeListRowPrefix, StringComparison.Ordinal) || !KeyRules.IsValidKey(after[AfterPrefix.Length..]))
        {
            throw new ValidationFailedException("cursor", "is not a cursor this API handed out.");
        }
        return await RangeAsync(partition, after[AfterPrefix.Length..], limit, cancellationToken);
    }

    private async Task<Storage.Page<TicketEntity>> RangeAsync(string partition, string afterRow, int limit, CancellationToken cancellationToken)
    {
        // One row more than the page tells whether another page follows.
        await foreach (var page in list.QueryAsync<TicketEntity>(After(partition, afterRow), limit + 1, cancellationToken: cancellationToken).AsPages(null, limit + 1))
        {
            var items = page.Values.Take(limit).ToList();
            var more = page.ContinuationToken is not null || page.Values.Count > limit;
            return new Storage.Page<TicketEntity>(items, more && items.Count > 0 ? Next(items[^1]) : null);
        }
        return new Storage.Page<TicketEntity>([], null);
    }

    private static string Next(TicketEntity last) => Cursor.Encode(AfterPrefix + last.RowKey)!;

    private static string After(string partition, string rowKey) =>
        TableClient.CreateQueryFilter(
            $"PartitionKey eq {partition} and RowKey gt {rowKey} and RowKey lt {KeyRules.PrefixEnd(SupportKeys.AssigneeListRowPrefix)}");

    /// <summary>The head for a change: its row (for the ETag) and lines of its own to edit.</summary>
    private async Task<Head> ReadAsync(TicketStatus status, string? assigneeId, CancellationToken cancellationToken) =>
        await FindHeadAsync(status, assigneeId, cancellationToken) is { } row ? new Head(row, row.GetInt64(VersionProperty) ?? 0, Parse(row)) : new Head(null, 0, []);

    /// <summary>The head's lines for reading only: parsed once per version of the row (its ETag), shared by every page read of that version.</summary>
    private async Task<IReadOnlyList<TicketEntity>> ReadLinesAsync(TicketStatus status, string? assigneeId, CancellationToken cancellationToken) =>
        await FindHeadAsync(status, assigneeId, cancellationToken) is { } row ? parsed?.Get(row, Parse) ?? Parse(row) : [];

    private Task<TableEntity?> FindHeadAsync(TicketStatus status, string? assigneeId, CancellationToken cancellationToken) =>
        list.FindAsync<TableEntity>(SupportKeys.AssigneeListPartition(status, assigneeId), SupportKeys.HeadRow(status, assigneeId), cancellationToken);

    private static List<TicketEntity> Parse(TableEntity row)
    {
        var state = JsonSerializer.Deserialize<HeadState>(LongText.Read(row, LinesProperty), CrmJson.Options) ?? new HeadState([], []);
        return state.Lines.Select(l =>
        {
            l.Ticket.Policy = l.Policy is { } index ? state.Policies[index] : null;
            return l.Ticket;
        }).ToList();
    }

    private static TableTransactionAction HeadAction(TicketStatus status, string? assigneeId, Head head, bool linesChanged)
    {
        var row = new TableEntity(SupportKeys.AssigneeListPartition(status, assigneeId), SupportKeys.HeadRow(status, assigneeId))
        {
            [VersionProperty] = head.Version + 1,
        };
        if (head.Row is null || linesChanged)
        {
            var policies = head.Lines.Select(l => l.Policy).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
            var state = new HeadState(policies, head.Lines.Select(l =>
            {
                var line = l.CopyAs(l.PartitionKey, l.RowKey);
                line.Policy = null;
                return new HeadLine(l.Policy is null ? null : policies.IndexOf(l.Policy), line);
            }).ToList());
            LongText.Write(row, LinesProperty, JsonSerializer.Serialize(state, LineOptions));
        }
        return head.Row is null
            ? new TableTransactionAction(TableTransactionActionType.Add, row)
            : new TableTransactionAction(linesChanged ? TableTransactionActionType.UpdateReplace : TableTransactionActionType.UpdateMerge, row, head.Row.ETag);
    }

    private sealed record Head(TableEntity? Row, long Version, List<TicketEntity> Lines);

    private sealed record HeadState(List<string> Policies, List<HeadLine> Lines);

    private sealed record HeadLine(int? Policy, TicketEntity Ticket);

    /// <summary>
    /// Heads as last parsed, one per partition, with the ETag of the row they were parsed from: a
    /// page read whose row has the same ETag skips parsing 50 tickets. Lines handed out from here
    /// are shared and never edited; a write parses its own copy.
    /// </summary>
    public sealed class ParsedHeads
    {
        /// <summary>Partitions kept (statuses times assignees); past this the cache starts again.</summary>
        private const int MaxHeads = 1_000;

        private readonly ConcurrentDictionary<string, (ETag ETag, IReadOnlyList<TicketEntity> Lines)> _heads = new(StringComparer.Ordinal);

        public IReadOnlyList<TicketEntity> Get(TableEntity row, Func<TableEntity, List<TicketEntity>> parse)
        {
            if (_heads.TryGetValue(row.PartitionKey, out var known) && known.ETag == row.ETag)
            {
                return known.Lines;
            }
            if (_heads.Count >= MaxHeads)
            {
                _heads.Clear();
            }
            var lines = parse(row);
            _heads[row.PartitionKey] = (row.ETag, lines);
            return lines;
        }
    }
}
