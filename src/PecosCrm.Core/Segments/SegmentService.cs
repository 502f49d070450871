using System.Text.Json;
using PecosCrm.Core.Analytics;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Segments;

/// <summary>
/// The segment builder: previews rules, creates and edits segments, refreshes dynamic membership
/// from the analytical copy, keeps static lists, and explains why a customer is in or out. Preview
/// and explain read the version of the copy the engine holds and say how far it trails; they never
/// rebuild it. Membership refreshes (a queued job, a static segment frozen from rules) are
/// background work and bring the copy up to date first.
/// </summary>
public sealed class SegmentService(
    SegmentStore store, SegmentQuery query, AnalyticsCopy copy, RfmAnalysis rfm, TagStore tags, CustomerStore customers, StorageAccount storage, TimeProvider time)
{
    public const int MaxSample = 100;
    public const int MaxStaticIds = 10_000;

    /// <summary>The time, tags and RFM names rules are checked against.</summary>
    public async Task<SegmentContext> ContextAsync(CancellationToken cancellationToken = default)
    {
        var allTags = await tags.ListAsync(cancellationToken);
        var byKey = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in allTags)
        {
            byKey[tag.Id] = tag.Id;
            byKey.TryAdd(tag.Name.ToLowerInvariant(), tag.Id);
        }
        return new SegmentContext(time.GetUtcNow(), byKey, await rfm.SegmentNamesAsync(cancellationToken));
    }

    public async Task<SegmentPreview> PreviewAsync(SegmentRule? rules, int? sampleSize, CancellationToken cancellationToken = default)
    {
        var size = sampleSize ?? 20;
        if (size is < 0 or > MaxSample)
        {
            throw new ValidationFailedException("sampleSize", $"must be between 0 and {MaxSample}.");
        }
        var compiled = SegmentCompiler.Compile(rules, await ContextAsync(cancellationToken));
        // The copy's pending changes are read from the state table while DuckDB runs the query.
        var state = copy.GetFreshnessAsync(cancellationToken);
        var (preview, asOf) = await query.PreviewAsync(compiled, size, cancellationToken);
        return preview with { Freshness = CopyFreshness.Of(await state, asOf) };
    }

    public async Task<Segment> CreateAsync(SegmentDraft draft, string actor, CancellationToken cancellationToken = default, string? id = null, bool preBuilt = false)
    {
        var check = new Validation();
        check.Required("name", draft.Name, 100).MaxLength("description", draft.Description, 1000);
        var kind = draft.Kind ?? SegmentKind.Dynamic;
        CompiledSegment? compiled = null;
        if (kind == SegmentKind.Dynamic && draft.CustomerIds is not null)
        {
            check.Add("customerIds", "applies to static segments only; a dynamic segment's members follow its rules.");
        }
        if (kind == SegmentKind.Static && draft.CustomerIds is not null && draft.Rules is not null)
        {
            check.Add("rules", "give either customerIds or rules (evaluated once and frozen) for a static segment, not both.");
        }
        if (draft.CustomerIds is { Count: > MaxStaticIds })
        {
            check.Add("customerIds", $"at most {MaxStaticIds} at a time; add more with POST /api/segments/{{id}}/members.");
        }
        check.ThrowIfInvalid();
        if (kind == SegmentKind.Dynamic || draft.Rules is not null)
        {
            compiled = SegmentCompiler.Compile(draft.Rules, await ContextAsync(cancellationToken));
        }
        var ids = draft.CustomerIds is null ? [] : await ExistingCustomersAsync(draft.CustomerIds, "customerIds", cancellationToken);

        var now = time.GetUtcNow();
        var entity = new SegmentEntity
        {
            RowKey = id ?? Ids.New(time),
            Name = draft.Name!.Trim(),
            Description = draft.Description,
            Kind = kind.ToString(),
            Rules = compiled is null ? null : JsonSerializer.Serialize(compiled.Normalized, CrmJson.Options),
            PreBuilt = preBuilt,
            CreatedBy = actor,
            CreatedAt = now,
            UpdatedAt = now,
        };
        await store.AddAsync(entity, cancellationToken);
        entity = await store.GetEntityAsync(entity.RowKey, cancellationToken);
        if (kind == SegmentKind.Static)
        {
            var members = compiled is null ? ids : (await RefreshedCopyAsync(compiled, cancellationToken)).ToList();
            await store.ApplyAsync(entity, members, [], now, cancellationToken);
            entity.MemberCount = members.Count;
            entity.RefreshedAt = now;
            await store.ReplaceAsync(entity, cancellationToken);
        }
        else if (!preBuilt)
        {
            await QueueRefreshAsync(entity.RowKey, null, cancellationToken);
        }
        return await store.GetAsync(entity.RowKey, cancellationToken);
    }

    public async Task<(Segment Before, Segment After)> UpdateAsync(string id, SegmentChange change, string? ifMatch, CancellationToken cancellationToken = default)
    {
        var entity = await store.GetEntityAsync(id, cancellationToken);
        Storage.TableClientExtensions.CheckIfMatch(ifMatch, entity.ETag);
        var before = entity.ToRecord();
        var check = new Validation();
        if (change.Name is not null)
        {
            check.Required("name", change.Name, 100);
        }
        check.MaxLength("description", change.Description, 1000);
        if (change.Rules is not null && entity.KindValue == SegmentKind.Static)
        {
            check.Add("rules", "a static segment is a frozen list; change its members instead.");
        }
        check.ThrowIfInvalid();
        var rulesChanged = false;
        if (change.Rules is not null)
        {
            var compiled = SegmentCompiler.Compile(change.Rules, await ContextAsync(cancellationToken));
            var rules = JsonSerializer.Serialize(compiled.Normalized, CrmJson.Options);
            rulesChanged = rules != entity.Rules;
            entity.Rules = rules;
            entity.Error = null;
        }
        entity.Name = change.Name?.Trim() ?? entity.Name;
        entity.Description = change.Description ?? entity.Description;
        entity.UpdatedAt = time.GetUtcNow();
        var after = await store.ReplaceAsync(entity, cancellationToken);
        if (rulesChanged)
        {
            await QueueRefreshAsync(id, null, cancellationToken);
        }
        return (before, after);
    }

    public async Task<Segment> DeleteAsync(string id, string? ifMatch, CancellationToken cancellationToken = default)
    {
        var entity = await store.GetEntityAsync(id, cancellationToken);
        Storage.TableClientExtensions.CheckIfMatch(ifMatch, entity.ETag);
        await store.DeleteAsync(entity, cancellationToken);
        return entity.ToRecord();
    }

    /// <summary>
    /// Re-evaluates a dynamic segment and records who joined and left. Rules that no longer compile
    /// (a tag they name was deleted) leave the members as they are and the reason on the segment.
    /// </summary>
    public async Task<SegmentRefresh> RefreshAsync(string id, CancellationToken cancellationToken = default)
    {
        var entity = await store.GetEntityAsync(id, cancellationToken);
        if (entity.KindValue == SegmentKind.Static)
        {
            throw new ConflictException("A static segment is a frozen list; it is not refreshed.");
        }
        var now = time.GetUtcNow();
        CompiledSegment compiled;
        try
        {
            compiled = SegmentCompiler.Compile(entity.RuleTree, await ContextAsync(cancellationToken));
        }
        catch (ValidationFailedException ex)
        {
            entity.Error = string.Join(" ", ex.Errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"));
            entity.RefreshedAt = now;
            await store.ReplaceAsync(entity, cancellationToken);
            throw;
        }
        var wanted = await RefreshedCopyAsync(compiled, cancellationToken);
        var current = await store.MemberIdsAsync(id, cancellationToken);
        var joined = wanted.Where(c => !current.Contains(c)).ToList();
        var left = current.Where(c => !wanted.Contains(c)).ToList();
        await store.ApplyAsync(entity, joined, left, now, cancellationToken);
        await OptimisticRetry.RunAsync(async attempt =>
        {
            if (attempt > 1)
            {
                // Renamed meanwhile: keep the new name, record the count.
                entity = await store.GetEntityAsync(id, cancellationToken);
            }
            entity.MemberCount = wanted.Count;
            entity.RefreshedAt = now;
            entity.Error = null;
            await store.ReplaceAsync(entity, cancellationToken);
        }, 5, cancellationToken);
        return new SegmentRefresh(id, wanted.Count, joined.Count, left.Count, now);
    }

    /// <summary>The ids of every dynamic segment, for the nightly recompute to refresh.</summary>
    public async Task<IReadOnlyList<string>> DynamicIdsAsync(CancellationToken cancellationToken = default) =>
        (await store.AllAsync(cancellationToken)).Where(s => s.KindValue == SegmentKind.Dynamic).Select(s => s.RowKey).ToList();

    /// <summary>Queues a refresh of one segment; with <paramref name="recomputeJob"/> it reports to that recompute job when done.</summary>
    public Task QueueRefreshAsync(string segmentId, string? recomputeJob, CancellationToken cancellationToken = default) =>
        storage.Queue(StorageNames.Queues.Segments).SendMessageAsync(
            JsonSerializer.Serialize(new SegmentMessage(SegmentMessage.Refresh, segmentId, recomputeJob), CrmJson.Options), cancellationToken);

    public async Task<int> AddMembersAsync(string id, IReadOnlyList<string>? customerIds, CancellationToken cancellationToken = default)
    {
        var entity = await StaticAsync(id, cancellationToken);
        if (customerIds is not { Count: > 0 and <= MaxStaticIds })
        {
            throw new ValidationFailedException("customerIds", $"must list 1 to {MaxStaticIds} customer ids.");
        }
        var ids = await ExistingCustomersAsync(customerIds, "customerIds", cancellationToken);
        var current = await store.MemberIdsAsync(id, cancellationToken);
        var joined = ids.Where(c => !current.Contains(c)).ToList();
        await store.ApplyAsync(entity, joined, [], time.GetUtcNow(), cancellationToken);
        await CountAsync(entity, current.Count + joined.Count, cancellationToken);
        return joined.Count;
    }

    public async Task<bool> RemoveMemberAsync(string id, string customerId, CancellationToken cancellationToken = default)
    {
        var entity = await StaticAsync(id, cancellationToken);
        if (!await store.IsMemberAsync(id, customerId, cancellationToken))
        {
            return false;
        }
        await store.ApplyAsync(entity, [], [customerId], time.GetUtcNow(), cancellationToken);
        await CountAsync(entity, Math.Max(0, (entity.MemberCount ?? 1) - 1), cancellationToken);
        return true;
    }

    public async Task<SegmentExplanation> ExplainAsync(string id, string customerId, CancellationToken cancellationToken = default)
    {
        var entity = await store.GetEntityAsync(id, cancellationToken);
        await customers.GetAsync(customerId, cancellationToken);
        var isMember = await store.IsMemberAsync(id, customerId, cancellationToken);
        if (entity.RuleTree is null)
        {
            throw new ConflictException("This static segment was made from a list of customers, not from rules: membership is all there is to say.");
        }
        var compiled = SegmentCompiler.Compile(entity.RuleTree, await ContextAsync(cancellationToken));
        var state = copy.GetFreshnessAsync(cancellationToken);
        var outcome = await query.ExplainAsync(compiled, customerId, cancellationToken)
            ?? throw new NotFoundException("Customer in the analytical copy", customerId);
        return new SegmentExplanation(id, customerId, outcome.Matches, isMember, outcome.Rules, CopyFreshness.Of(await state, outcome.AsOf));
    }

    private async Task<HashSet<string>> RefreshedCopyAsync(CompiledSegment compiled, CancellationToken cancellationToken)
    {
        await copy.RebuildChangedAsync(cancellationToken: cancellationToken);
        return await query.MatchingIdsAsync(compiled, cancellationToken);
    }

    private async Task<SegmentEntity> StaticAsync(string id, CancellationToken cancellationToken)
    {
        var entity = await store.GetEntityAsync(id, cancellationToken);
        if (entity.KindValue != SegmentKind.Static)
        {
            throw new ConflictException("Members of a dynamic segment follow its rules; only a static segment's members are changed by hand.");
        }
        return entity;
    }

    private async Task CountAsync(SegmentEntity entity, int count, CancellationToken cancellationToken)
    {
        await OptimisticRetry.RunAsync(async attempt =>
        {
            if (attempt > 1)
            {
                entity = await store.GetEntityAsync(entity.RowKey, cancellationToken);
            }
            entity.MemberCount = count;
            entity.RefreshedAt = time.GetUtcNow();
            await store.ReplaceAsync(entity, cancellationToken);
        }, 5, cancellationToken);
    }

    /// <summary>The ids given, checked to be customers; unknown ones are a validation error naming them.</summary>
    private async Task<List<string>> ExistingCustomersAsync(IReadOnlyList<string> ids, string field, CancellationToken cancellationToken)
    {
        if (ids.Any(string.IsNullOrWhiteSpace))
        {
            throw new ValidationFailedException(field, "must not hold empty ids.");
        }
        var distinct = ids.Distinct(StringComparer.Ordinal).ToList();
        var found = new bool[distinct.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, distinct.Count), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (i, ct) =>
            found[i] = KeyRules.IsValidKey(distinct[i]) && await customers.FindAsync(distinct[i], ct) is not null);
        var unknown = distinct.Where((_, i) => !found[i]).Take(20).ToList();
        if (unknown.Count > 0)
        {
            throw new ValidationFailedException(field, $"no customer has the id {string.Join(", ", unknown.Select(u => $"'{u}'"))}.");
        }
        return distinct;
    }
}

/// <summary>A message on the <c>segments</c> queue: refresh a segment, or run a segment action.</summary>
public sealed record SegmentMessage(string Kind, string Id, string? RecomputeJob = null)
{
    public const string Refresh = "refresh";
    public const string Action = "action";
}
