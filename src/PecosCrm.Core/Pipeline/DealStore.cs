using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Staff;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Pipeline;

/// <summary>
/// Deals, by pipeline. A pipeline is one partition holding its deals, their cards in column order,
/// their timelines and the board row, so every change of a deal is one transaction: the deal under
/// its ETag, its card moved to its column, its stage change on its timeline, and the board row
/// (counts, totals, top cards, running analytics) under the board's ETag. The board is then one
/// point read whatever the number of deals. A lost race on the board is retried from a fresh read;
/// a stale <c>If-Match</c> of the deal is a 412.
/// </summary>
public sealed class DealStore(StorageAccount storage, PipelineSettings settings, StaffStore staff, TimeProvider time)
{
    private TableClient Table => storage.Table(StorageNames.Tables.Deals);

    /// <summary>Creates a deal; with <paramref name="id"/> given (a lead's deal), a deal of that id already there is a <see cref="ConflictException"/>.</summary>
    public async Task<Deal> CreateAsync(
        string pipelineId, DealFields fields, string? stageId, AuditActor actor, string? id = null, string? leadId = null, CancellationToken cancellationToken = default)
    {
        var pipeline = await settings.GetPipelineAsync(pipelineId, cancellationToken);
        var stage = stageId is null ? pipeline.FirstOpen : pipeline.GetStage(stageId);
        if (stage.Outcome != StageOutcome.Open)
        {
            throw new ValidationFailedException("stage", "a new deal starts in an open stage; move it to close it.");
        }
        var dealId = id ?? Ids.New(time);
        var owner = await ValidateAsync(fields, creating: true, cancellationToken);
        await Table.UpsertEntityAsync(new DealLocatorEntity { RowKey = PipelineKeys.Locator(dealId), PipelineId = pipelineId }, TableUpdateMode.Replace, cancellationToken);
        var (_, after) = await ChangeAsync(pipelineId, dealId, null, mustExist: false, (entity, _) =>
        {
            if (entity.CreatedAt != default)
            {
                throw new ConflictException($"Deal '{dealId}' already exists.");
            }
            var now = time.GetUtcNow();
            entity.PipelineId = pipelineId;
            entity.CreatedAt = now;
            entity.StageChangedAt = now;
            entity.StageId = stage.Id;
            entity.FurthestStageId = stage.Id;
            entity.LeadId = leadId;
            DealRules.Copy(entity, fields, owner);
            return [ActivityEntity.Create(entity.PartitionKey, dealId, ActivityType.StageChange, $"Created in {stage.Name}", null, now, actor, time, null, stage.Id)];
        }, cancellationToken);
        return after;
    }

    public async Task<Deal?> FindAsync(string id, CancellationToken cancellationToken = default)
    {
        if (await PipelineOfAsync(id, cancellationToken) is not { } pipelineId)
        {
            return null;
        }
        return (await Table.FindAsync<DealEntity>(PipelineKeys.DealPartition(pipelineId), PipelineKeys.Deal(id), cancellationToken))?.ToRecord();
    }

    public async Task<Deal> GetAsync(string id, CancellationToken cancellationToken = default) =>
        await FindAsync(id, cancellationToken) ?? throw new NotFoundException("Deal", id);

    public async Task<(Deal Before, Deal After)> UpdateAsync(string id, DealFields patch, string? ifMatch, CancellationToken cancellationToken = default)
    {
        var owner = await ValidateAsync(patch, creating: false, cancellationToken);
        return await ChangeAsync(await RequirePipelineOfAsync(id, cancellationToken), id, ifMatch, mustExist: true, (entity, _) =>
        {
            DealRules.Copy(entity, patch, owner);
            return [];
        }, cancellationToken);
    }

    /// <summary>Moves a deal's card to another column (stage); the move is on its timeline with who and when. Same stage: nothing changes.</summary>
    public async Task<(Deal Before, Deal After)> MoveAsync(
        string id, string? stageId, string? lostReason, string? ifMatch, AuditActor actor, CancellationToken cancellationToken = default)
    {
        var pipelineId = await RequirePipelineOfAsync(id, cancellationToken);
        var pipeline = await settings.GetPipelineAsync(pipelineId, cancellationToken);
        if (string.IsNullOrEmpty(stageId))
        {
            throw new ValidationFailedException("stage", $"is required: one of {string.Join(", ", pipeline.Stages.Select(s => s.Id))}.");
        }
        var stage = pipeline.GetStage(stageId);
        var check = new Validation().MaxLength("lostReason", lostReason, 200);
        if (stage.Outcome == StageOutcome.Lost && string.IsNullOrWhiteSpace(lostReason))
        {
            check.Add("lostReason", "is required when a deal is lost.");
        }
        check.ThrowIfInvalid();
        return await ChangeAsync(pipelineId, id, ifMatch, mustExist: true, (entity, p) =>
        {
            if (entity.StageId == stage.Id)
            {
                return null;
            }
            var now = time.GetUtcNow();
            var from = p.FindStage(entity.StageId);
            entity.StageId = stage.Id;
            entity.StageChangedAt = now;
            if (stage.Outcome == StageOutcome.Open && p.IndexOf(stage.Id) > p.IndexOf(entity.FurthestStageId))
            {
                entity.FurthestStageId = stage.Id;
            }
            entity.ClosedAt = stage.Outcome == StageOutcome.Open ? null : now;
            entity.LostReason = stage.Outcome == StageOutcome.Lost ? lostReason!.Trim() : null;
            return [ActivityEntity.Create(entity.PartitionKey, id, ActivityType.StageChange, $"{from?.Name ?? entity.StageId} → {stage.Name}",
                entity.LostReason, now, actor, time, from?.Id, stage.Id)];
        }, cancellationToken);
    }

    /// <summary>Notes the customer (and wholesale account) a won deal led to; nothing when already noted.</summary>
    public async Task<Deal> LinkAsync(string id, string customerId, string? wholesaleAccountId, CancellationToken cancellationToken = default)
    {
        var (_, after) = await ChangeAsync(await RequirePipelineOfAsync(id, cancellationToken), id, null, mustExist: true, (entity, _) =>
        {
            if (entity.CustomerId == customerId && entity.WholesaleAccountId == (wholesaleAccountId ?? entity.WholesaleAccountId))
            {
                return null;
            }
            entity.CustomerId = customerId;
            entity.WholesaleAccountId = wholesaleAccountId ?? entity.WholesaleAccountId;
            return [];
        }, cancellationToken);
        return after;
    }

    public async Task<PipelineActivity> AddActivityAsync(string id, NewActivity activity, AuditActor actor, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        ActivityEntity.Validate(activity, now);
        var deal = await GetAsync(id, cancellationToken);
        var row = ActivityEntity.Create(PipelineKeys.DealPartition(deal.PipelineId), id, activity.Type!.Value, activity.Subject?.Trim(), activity.Body?.Trim(),
            activity.OccurredAt ?? now, actor, time);
        await Table.AddEntityAsync(row, cancellationToken);
        return row.ToRecord();
    }

    public async Task<Storage.Page<PipelineActivity>> ActivitiesAsync(string id, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        var deal = await GetAsync(id, cancellationToken);
        var prefix = PipelineKeys.Activities(id);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {PipelineKeys.DealPartition(deal.PipelineId)} and RowKey ge {prefix} and RowKey lt {KeyRules.PrefixEnd(prefix)}");
        return (await Table.QueryPageAsync<ActivityEntity>(filter, limit, cursor, cancellationToken)).Select(a => a.ToRecord());
    }

    /// <summary>A page of a pipeline's deals: a column's (highest value first) when a stage is named, else all; optionally one owner's.</summary>
    public async Task<Storage.Page<Deal>> ListAsync(string pipelineId, string? stageId, string? ownerId, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        var pipeline = await settings.GetPipelineAsync(pipelineId, cancellationToken);
        var prefix = stageId is null ? PipelineKeys.DealPrefix : PipelineKeys.Column(pipelineId, pipeline.GetStage(stageId).Id);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {PipelineKeys.DealPartition(pipelineId)} and RowKey ge {prefix} and RowKey lt {KeyRules.PrefixEnd(prefix)}");
        if (ownerId is not null)
        {
            filter += " and " + TableClient.CreateQueryFilter($"OwnerId eq {ownerId}");
        }
        return (await Table.QueryPageAsync<DealEntity>(filter, limit, cursor, cancellationToken)).Select(e => e.ToRecord());
    }

    /// <summary>The board of a pipeline: one point read of its board row.</summary>
    public async Task<(SalesPipeline Pipeline, BoardState State)> BoardAsync(string pipelineId, CancellationToken cancellationToken = default)
    {
        var pipeline = await settings.GetPipelineAsync(pipelineId, cancellationToken);
        var row = await Table.FindAsync<TableEntity>(PipelineKeys.DealPartition(pipelineId), PipelineKeys.Board(pipelineId), cancellationToken);
        return (pipeline, BoardRow.Read(row));
    }

    /// <summary>
    /// Creates or replaces a pipeline's stages. A stage that still holds deals cannot be removed
    /// (409 naming it); when stages or probabilities change, the board is built again from the deals.
    /// </summary>
    public async Task<(SalesPipeline? Before, SalesPipeline After)> PutPipelineAsync(string id, PipelineFields fields, string? ifMatch, CancellationToken cancellationToken = default)
    {
        var existing = await settings.FindPipelineAsync(id, cancellationToken);
        if (existing is not null)
        {
            var (_, state) = await BoardAsync(id, cancellationToken);
            var kept = (fields.Stages ?? []).Select(s => s?.Id).ToHashSet();
            var emptied = state.Columns.Where(c => c.Value.Count > 0 && !kept.Contains(c.Key)).Select(c => c.Key).ToList();
            if (emptied.Count > 0)
            {
                throw new ConflictException($"Stages {string.Join(", ", emptied)} still hold deals; move them first.");
            }
        }
        var (before, after) = await settings.PutPipelineAsync(id, fields, ifMatch, cancellationToken);
        if (before is not null && !before.Stages.SequenceEqual(after.Stages))
        {
            await RebuildBoardAsync(id, cancellationToken);
        }
        return (before, after);
    }

    /// <summary>
    /// Builds a pipeline's board row again from its deals (after its stages or probabilities
    /// changed, or deals were loaded in bulk): reads every deal of the pipeline, so never on a
    /// request path that a user waits on often.
    /// </summary>
    public async Task<BoardState> RebuildBoardAsync(string pipelineId, CancellationToken cancellationToken = default) =>
        await OptimisticRetry.RunAsync(async _ =>
        {
            var pipeline = await settings.GetPipelineAsync(pipelineId, cancellationToken);
            var partition = PipelineKeys.DealPartition(pipelineId);
            var current = await Table.FindAsync<TableEntity>(partition, PipelineKeys.Board(pipelineId), cancellationToken);
            var state = new BoardState();
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {PipelineKeys.DealPrefix} and RowKey lt {KeyRules.PrefixEnd(PipelineKeys.DealPrefix)}");
            await foreach (var deal in Table.QueryAsync<DealEntity>(filter, maxPerPage: 1000, cancellationToken: cancellationToken))
            {
                state.Apply(null, deal.ToRecord(), pipeline);
            }
            if (current is null)
            {
                await Table.AddEntityAsync(BoardRow.Write(pipelineId, state), cancellationToken);
            }
            else
            {
                await Table.UpdateEntityAsync(BoardRow.Write(pipelineId, state), current.ETag, TableUpdateMode.Replace, cancellationToken);
            }
            return state;
        }, cancellationToken: cancellationToken);

    /// <summary>
    /// Loads deals in bulk (a migration from another CRM, the benchmark's 50,000): deal rows and
    /// cards in transactions of 100, then the board built once from them. Nothing of this is on
    /// their timelines or in the audit log, as for data that was already history elsewhere.
    /// </summary>
    internal async Task ImportAsync(string pipelineId, IReadOnlyList<Deal> deals, int parallelism, CancellationToken cancellationToken = default)
    {
        var partition = PipelineKeys.DealPartition(pipelineId);
        var rows = deals.Select(d => ToEntity(partition, d)).ToList();
        var dealActions = rows.SelectMany(e => new[]
        {
            new TableTransactionAction(TableTransactionActionType.UpsertReplace, e),
            new TableTransactionAction(TableTransactionActionType.UpsertReplace, e.CopyAs(e.CardKey)),
        });
        var locatorActions = rows.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace,
            new DealLocatorEntity { RowKey = PipelineKeys.Locator(e.DealId), PipelineId = pipelineId }));
        var chunks = TableClientExtensions.Chunk(dealActions.Concat(locatorActions)).ToList();
        await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken },
            async (chunk, ct) => await Table.SubmitTransactionAsync(chunk, ct));
        await RebuildBoardAsync(pipelineId, cancellationToken);
    }

    internal async Task<string?> PipelineOfAsync(string dealId, CancellationToken cancellationToken) =>
        KeyRules.IsValidKey(dealId)
            ? (await Table.FindAsync<DealLocatorEntity>(PipelineKeys.LocatorPartition, PipelineKeys.Locator(dealId), cancellationToken))?.PipelineId
            : null;

    private async Task<string> RequirePipelineOfAsync(string dealId, CancellationToken cancellationToken) =>
        await PipelineOfAsync(dealId, cancellationToken) ?? throw new NotFoundException("Deal", dealId);

    /// <summary>
    /// Reads the board and the deal, lets <paramref name="change"/> change the deal (null: nothing
    /// to do), and commits the deal, its card, its new timeline rows and the board in one transaction.
    /// </summary>
    private Task<(Deal Before, Deal After)> ChangeAsync(
        string pipelineId, string dealId, string? ifMatch, bool mustExist,
        Func<DealEntity, SalesPipeline, IReadOnlyList<ActivityEntity>?> change, CancellationToken cancellationToken) =>
        OptimisticRetry.RunAsync(async _ =>
        {
            var pipeline = await settings.GetPipelineAsync(pipelineId, cancellationToken);
            var partition = PipelineKeys.DealPartition(pipelineId);
            var boardTask = Table.FindAsync<TableEntity>(partition, PipelineKeys.Board(pipelineId), cancellationToken);
            var current = await Table.FindAsync<DealEntity>(partition, PipelineKeys.Deal(dealId), cancellationToken);
            var board = await boardTask;
            if (current is null && mustExist)
            {
                throw new NotFoundException("Deal", dealId);
            }
            if (current is not null)
            {
                TableClientExtensions.CheckIfMatch(ifMatch, current.ETag);
            }
            var before = current?.ToRecord();
            var oldCardKey = current?.CardKey;
            var entity = current ?? new DealEntity { PartitionKey = partition, RowKey = PipelineKeys.Deal(dealId), DealId = dealId };
            var activities = change(entity, pipeline);
            if (activities is null)
            {
                return (before!, before!);
            }
            entity.UpdatedAt = time.GetUtcNow();
            var after = entity.ToRecord();

            var state = BoardRow.Read(board);
            state.Apply(before, after, pipeline);
            foreach (var stage in state.ColumnsToRefill())
            {
                state.Refill(stage, await TopCardsAsync(pipelineId, stage, cancellationToken), before, after);
            }

            var actions = new List<TableTransactionAction>
            {
                current is null ? new(TableTransactionActionType.Add, entity) : new(TableTransactionActionType.UpdateReplace, entity, entity.ETag),
            };
            if (oldCardKey is not null && oldCardKey != entity.CardKey)
            {
                actions.Add(new(TableTransactionActionType.Delete, entity.CopyAs(oldCardKey), ETag.All));
            }
            actions.Add(new(TableTransactionActionType.UpsertReplace, entity.CopyAs(entity.CardKey)));
            actions.Add(board is null
                ? new(TableTransactionActionType.Add, BoardRow.Write(pipelineId, state))
                : new(TableTransactionActionType.UpdateReplace, BoardRow.Write(pipelineId, state, board.ETag), board.ETag));
            actions.AddRange(activities.Select(a => new TableTransactionAction(TableTransactionActionType.Add, a)));
            await Table.SubmitTransactionAsync(actions, cancellationToken);
            var written = await Table.FindAsync<DealEntity>(partition, PipelineKeys.Deal(dealId), cancellationToken);
            return (before ?? written!.ToRecord(), written!.ToRecord());
        }, cancellationToken: cancellationToken);

    private async Task<IReadOnlyList<BoardCard>> TopCardsAsync(string pipelineId, string stageId, CancellationToken cancellationToken)
    {
        var prefix = PipelineKeys.Column(pipelineId, stageId);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {PipelineKeys.DealPartition(pipelineId)} and RowKey ge {prefix} and RowKey lt {KeyRules.PrefixEnd(prefix)}");
        var page = await Table.QueryPageAsync<DealEntity>(filter, BoardState.CardsPerColumn + 2, null, cancellationToken);
        return page.Items.Select(e => BoardCard.From(e.ToRecord())).ToList();
    }

    private async Task<StaffMember?> ValidateAsync(DealFields f, bool creating, CancellationToken cancellationToken)
    {
        var owner = string.IsNullOrEmpty(f.AssignedTo) ? null : await staff.FindAsync(f.AssignedTo, cancellationToken);
        DealRules.Validate(f, creating, owner);
        return owner;
    }

    private static DealEntity ToEntity(string partition, Deal d) => new()
    {
        PartitionKey = partition,
        RowKey = PipelineKeys.Deal(d.Id),
        DealId = d.Id,
        PipelineId = d.PipelineId,
        Name = d.Name,
        Company = d.Company,
        ContactName = d.ContactName,
        Email = d.Email,
        Phone = d.Phone,
        StageId = d.StageId,
        ValueCents = d.ValueCents,
        Probability = d.Probability,
        ExpectedCloseDate = d.ExpectedCloseDate?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        OwnerId = d.OwnerId,
        OwnerName = d.OwnerName,
        LeadId = d.LeadId,
        CustomerId = d.CustomerId,
        WholesaleAccountId = d.WholesaleAccountId,
        LostReason = d.LostReason,
        FurthestStageId = d.FurthestStageId,
        CreatedAt = d.CreatedAt,
        UpdatedAt = d.UpdatedAt,
        StageChangedAt = d.StageChangedAt,
        ClosedAt = d.ClosedAt,
    };
}
