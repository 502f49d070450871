using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Staff;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Pipeline;

/// <summary>
/// Leads, their index copies and their timelines, all in one partition: every change of a lead
/// (fields, status, an activity, its score) is one transaction of the lead row under its ETag,
/// its index copies and its new timeline rows, so a list never shows a lead as it no longer is.
/// </summary>
public sealed class LeadStore(StorageAccount storage, PipelineSettings settings, StaffStore staff, TimeProvider time)
{
    private static readonly LeadStatus[] Convertible = [LeadStatus.Qualified, LeadStatus.Proposal, LeadStatus.Negotiation];

    private TableClient Table => storage.Table(StorageNames.Tables.Leads);

    /// <summary>Statuses from which a lead can become a deal.</summary>
    public static IReadOnlyList<LeadStatus> ConvertibleStatuses => Convertible;

    public async Task<Lead> CreateAsync(LeadFields fields, AuditActor actor, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var entity = new LeadEntity { LeadId = Ids.New(time), CreatedAt = now, Status = nameof(LeadStatus.New) };
        entity.RowKey = PipelineKeys.Lead(entity.LeadId);
        await ApplyAsync(entity, fields, creating: true, cancellationToken);
        entity.UpdatedAt = now;
        entity.ScoreDetail = ScoreOf(entity, now);

        var actions = new List<TableTransactionAction> { new(TableTransactionActionType.Add, entity) };
        actions.AddRange(entity.IndexKeys().Select(k => new TableTransactionAction(TableTransactionActionType.UpsertReplace, entity.CopyAs(k))));
        await Table.SubmitTransactionAsync(actions, cancellationToken);
        return await GetAsync(entity.LeadId, cancellationToken);
    }

    public async Task<Lead?> FindAsync(string id, CancellationToken cancellationToken = default) =>
        (await FindEntityAsync(id, cancellationToken))?.ToRecord();

    public async Task<Lead> GetAsync(string id, CancellationToken cancellationToken = default) =>
        await FindAsync(id, cancellationToken) ?? throw new NotFoundException("Lead", id);

    /// <summary>Changes the given fields; a status change is recorded on the timeline with who and when.</summary>
    public Task<(Lead Before, Lead After)> UpdateAsync(string id, LeadFields patch, string? ifMatch, AuditActor actor, CancellationToken cancellationToken = default) =>
        ChangeAsync(id, ifMatch, async entity =>
        {
            var from = entity.StatusValue;
            await ApplyAsync(entity, patch, creating: false, cancellationToken);
            IReadOnlyList<ActivityEntity> rows = from == entity.StatusValue ? [] : [StageChange(entity, from, actor)];
            return rows;
        }, cancellationToken);

    /// <summary>Logs a call, email, meeting or note; the lead's engagement and score follow in the same write.</summary>
    public async Task<PipelineActivity> AddActivityAsync(string id, NewActivity activity, AuditActor actor, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        ActivityEntity.Validate(activity, now);
        ActivityEntity? row = null;
        await ChangeAsync(id, null, entity =>
        {
            var at = activity.OccurredAt ?? now;
            var e = entity.Engagement;
            entity.Engagement = (activity.Type switch
            {
                ActivityType.Call => e with { Calls = e.Calls + 1 },
                ActivityType.Email => e with { Emails = e.Emails + 1 },
                ActivityType.Meeting => e with { Meetings = e.Meetings + 1 },
                _ => e with { Notes = e.Notes + 1 },
            }) with { LastTouchAt = e.LastTouchAt is { } last && last > at ? last : at };
            row = ActivityEntity.Create(PipelineKeys.LeadsPartition, entity.LeadId, activity.Type!.Value, activity.Subject?.Trim(), activity.Body?.Trim(), at, actor, time);
            return Task.FromResult<IReadOnlyList<ActivityEntity>?>([row]);
        }, cancellationToken);
        return row!.ToRecord();
    }

    /// <summary>An email to the lead was opened or clicked (reported by the mail tool); it counts towards the score.</summary>
    public Task<(Lead Before, Lead After)> RecordEmailEngagementAsync(string id, bool clicked, CancellationToken cancellationToken = default) =>
        ChangeAsync(id, null, entity =>
        {
            var e = entity.Engagement;
            entity.Engagement = (clicked ? e with { EmailClicks = e.EmailClicks + 1 } : e with { EmailOpens = e.EmailOpens + 1 }) with { LastTouchAt = time.GetUtcNow() };
            return Task.FromResult<IReadOnlyList<ActivityEntity>?>([]);
        }, cancellationToken);

    public async Task<Storage.Page<PipelineActivity>> ActivitiesAsync(string id, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        await GetAsync(id, cancellationToken);
        var prefix = PipelineKeys.Activities(id);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {PipelineKeys.LeadsPartition} and RowKey ge {prefix} and RowKey lt {KeyRules.PrefixEnd(prefix)}");
        var page = await Table.QueryPageAsync<ActivityEntity>(filter, limit, cursor, cancellationToken);
        return page.Select(a => a.ToRecord());
    }

    /// <summary>
    /// A page of leads: walks the narrowest index the query names (company prefix, status, owner,
    /// source, next-action dates, else the leads themselves) and filters its rows by the rest.
    /// </summary>
    public async Task<Storage.Page<Lead>> ListAsync(LeadQuery query, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        if (query.NextActionFrom is { } f && query.NextActionTo is { } t && f > t)
        {
            throw new ValidationFailedException("nextActionFrom", "must not be after nextActionTo.");
        }
        string from, to;
        var extra = new List<string>();
        if (!string.IsNullOrWhiteSpace(query.Company))
        {
            from = PipelineKeys.LeadCompany(query.Company);
            to = KeyRules.PrefixEnd(from);
        }
        else if (query.Status is { } status)
        {
            from = PipelineKeys.LeadStatus(status.ToString().ToLowerInvariant());
            to = KeyRules.PrefixEnd(from);
        }
        else if (query.OwnerId is not null)
        {
            from = PipelineKeys.LeadOwner(KeyRules.Escape(query.OwnerId));
            to = KeyRules.PrefixEnd(from);
        }
        else if (query.Source is not null)
        {
            from = PipelineKeys.LeadSource(query.Source);
            to = KeyRules.PrefixEnd(from);
        }
        else if (query.NextActionFrom is not null || query.NextActionTo is not null)
        {
            from = query.NextActionFrom is { } start ? PipelineKeys.LeadNext(start) : PipelineKeys.LeadNextPrefix;
            to = query.NextActionTo is { } end ? KeyRules.PrefixEnd(PipelineKeys.LeadNext(end)) : KeyRules.PrefixEnd(PipelineKeys.LeadNextPrefix);
        }
        else
        {
            from = PipelineKeys.LeadPrefix;
            to = KeyRules.PrefixEnd(from);
        }
        if (query.Status is { } s)
        {
            extra.Add(TableClient.CreateQueryFilter($"Status eq {s.ToString()}"));
        }
        if (query.OwnerId is not null)
        {
            extra.Add(TableClient.CreateQueryFilter($"OwnerId eq {query.OwnerId}"));
        }
        if (query.Source is not null)
        {
            extra.Add(TableClient.CreateQueryFilter($"Source eq {await settings.RequireSourceAsync(query.Source, "source", cancellationToken)}"));
        }
        if (query.NextActionFrom is { } nf)
        {
            extra.Add(TableClient.CreateQueryFilter($"NextActionDate ge {nf.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)}"));
        }
        if (query.NextActionTo is { } nt)
        {
            extra.Add(TableClient.CreateQueryFilter($"NextActionDate le {nt.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)}"));
        }
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {PipelineKeys.LeadsPartition} and RowKey ge {from} and RowKey lt {to}");
        foreach (var e in extra)
        {
            filter += " and " + e;
        }
        var page = await Table.QueryPageAsync<LeadEntity>(filter, limit, cursor, cancellationToken);
        return page.Select(e => e.ToRecord());
    }

    /// <summary>Checks that a lead can become a deal: it exists and is qualified or further along (or was converted before).</summary>
    public async Task<Lead> RequireConvertibleAsync(string id, CancellationToken cancellationToken = default)
    {
        var lead = await GetAsync(id, cancellationToken);
        if (lead.DealId is null && !Convertible.Contains(lead.Status))
        {
            throw new ConflictException($"Lead '{id}' is {Snake(lead.Status)}; only a qualified lead (or one at proposal or negotiation) becomes a deal.");
        }
        return lead;
    }

    /// <summary>Notes the deal a lead became, once; a retry finds it noted and changes nothing.</summary>
    public Task<(Lead Before, Lead After)> MarkConvertedAsync(string id, string dealId, AuditActor actor, CancellationToken cancellationToken = default) =>
        ChangeAsync(id, null, entity =>
        {
            if (entity.DealId == dealId)
            {
                return Task.FromResult<IReadOnlyList<ActivityEntity>?>(null);
            }
            entity.DealId = dealId;
            var note = ActivityEntity.Create(PipelineKeys.LeadsPartition, entity.LeadId, ActivityType.Note, "Converted to a deal", $"Deal {dealId}", time.GetUtcNow(), actor, time);
            return Task.FromResult<IReadOnlyList<ActivityEntity>?>([note]);
        }, cancellationToken);

    /// <summary>Closes a lead as its deal closed: won, or lost with the deal's reason; nothing when it already is.</summary>
    public Task<(Lead Before, Lead After)> CloseAsync(string id, bool won, string? lostReason, AuditActor actor, CancellationToken cancellationToken = default) =>
        ChangeAsync(id, null, entity =>
        {
            var from = entity.StatusValue;
            var to = won ? LeadStatus.Won : LeadStatus.Lost;
            if (from == to)
            {
                return Task.FromResult<IReadOnlyList<ActivityEntity>?>(null);
            }
            entity.Status = to.ToString();
            entity.LostReason = won ? null : lostReason;
            return Task.FromResult<IReadOnlyList<ActivityEntity>?>([StageChange(entity, from, actor)]);
        }, cancellationToken);

    /// <summary>
    /// The nightly pass: every lead's score computed again for today (engagement decays with
    /// time alone), written only where it changed. Returns how many changed.
    /// </summary>
    public async Task<int> RecomputeScoresAsync(CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {PipelineKeys.LeadsPartition} and RowKey ge {PipelineKeys.LeadPrefix} and RowKey lt {KeyRules.PrefixEnd(PipelineKeys.LeadPrefix)}");
        var changed = 0;
        await foreach (var lead in Table.QueryAsync<LeadEntity>(filter, cancellationToken: cancellationToken))
        {
            if (!LeadScoring.Differs(lead.ScoreDetail, ScoreOf(lead, time.GetUtcNow())))
            {
                continue;
            }
            await ChangeAsync(lead.LeadId, null, _ => Task.FromResult<IReadOnlyList<ActivityEntity>?>([]), cancellationToken);
            changed++;
        }
        return changed;
    }

    internal async Task<LeadEntity?> FindEntityAsync(string id, CancellationToken cancellationToken) =>
        KeyRules.IsValidKey(id) ? await Table.FindAsync<LeadEntity>(PipelineKeys.LeadsPartition, PipelineKeys.Lead(id), cancellationToken) : null;

    /// <summary>
    /// Read the lead, let <paramref name="change"/> change it (null: nothing to do), score it again,
    /// and write it with its index copies and new timeline rows in one transaction under its ETag;
    /// from a fresh read when someone else wrote in between.
    /// </summary>
    private Task<(Lead Before, Lead After)> ChangeAsync(
        string id, string? ifMatch, Func<LeadEntity, Task<IReadOnlyList<ActivityEntity>?>> change, CancellationToken cancellationToken) =>
        OptimisticRetry.RunAsync(async _ =>
        {
            var entity = await FindEntityAsync(id, cancellationToken) ?? throw new NotFoundException("Lead", id);
            TableClientExtensions.CheckIfMatch(ifMatch, entity.ETag);
            var before = entity.ToRecord();
            var oldKeys = entity.IndexKeys().ToHashSet(StringComparer.Ordinal);
            var activities = await change(entity);
            if (activities is null)
            {
                return (before, before);
            }
            var now = time.GetUtcNow();
            entity.UpdatedAt = now;
            entity.ScoreDetail = ScoreOf(entity, now);
            var newKeys = entity.IndexKeys().ToList();
            var actions = new List<TableTransactionAction> { new(TableTransactionActionType.UpdateReplace, entity, entity.ETag) };
            actions.AddRange(oldKeys.Except(newKeys).Select(k => new TableTransactionAction(TableTransactionActionType.Delete, entity.CopyAs(k), ETag.All)));
            actions.AddRange(newKeys.Select(k => new TableTransactionAction(TableTransactionActionType.UpsertReplace, entity.CopyAs(k))));
            actions.AddRange(activities.Select(a => new TableTransactionAction(TableTransactionActionType.Add, a)));
            await Table.SubmitTransactionAsync(actions, cancellationToken);
            return (before, (await FindEntityAsync(id, cancellationToken))!.ToRecord());
        }, cancellationToken: cancellationToken);

    private ActivityEntity StageChange(LeadEntity entity, LeadStatus from, AuditActor actor) =>
        ActivityEntity.Create(PipelineKeys.LeadsPartition, entity.LeadId, ActivityType.StageChange, $"{Snake(from)} → {Snake(entity.StatusValue)}", null,
            time.GetUtcNow(), actor, time, Snake(from), Snake(entity.StatusValue));

    private static LeadScore ScoreOf(LeadEntity e, DateTimeOffset now) =>
        LeadScoring.Compute(e.CompanyType is null ? null : Enum.Parse<CompanyType>(e.CompanyType), e.EstimatedValueCents, e.Source, e.Engagement, e.CreatedAt, now);

    private static string Snake(LeadStatus status) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(status.ToString());

    /// <summary>Looks up what the rules need (the source list, the staff member named), then lets <see cref="LeadRules"/> check and apply the fields.</summary>
    private async Task ApplyAsync(LeadEntity entity, LeadFields f, bool creating, CancellationToken cancellationToken)
    {
        var sources = await settings.SourcesAsync(cancellationToken);
        var owner = string.IsNullOrEmpty(f.AssignedTo) ? null : await staff.FindAsync(f.AssignedTo, cancellationToken);
        LeadRules.Apply(entity, f, creating, sources, owner);
    }
}
