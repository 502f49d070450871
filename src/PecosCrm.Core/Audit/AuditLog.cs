using System.Text.Json;
using Azure.Data.Tables;
using PecosCrm.Core.Privacy;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Audit;

/// <summary>The record of every change made through the API or by the system.</summary>
public sealed class AuditLog(StorageAccount storage, TimeProvider time) : IPersonalData
{
    private TableClient Table => storage.Table(StorageNames.Tables.Audit);

    /// <summary>Writes an entry; <paramref name="oldValues"/> and <paramref name="newValues"/> are serialised as JSON.</summary>
    public async Task<AuditEntry> RecordAsync(
        AuditActor actor, string action, string entityType, string entityId, object? oldValues, object? newValues,
        string? ip = null, string? userAgent = null, CancellationToken cancellationToken = default)
    {
        var entity = NewEntity(time, actor, action, entityType, entityId, oldValues, newValues, ip, userAgent);

        // Three partitions cannot share a transaction; the writes are upserts of the same rows, so a
        // retry after a partial failure repairs it without duplicates.
        await Task.WhenAll(Partitions(entity).Select(p =>
            Table.UpsertEntityAsync(entity.MemberwiseCloneFor(p), TableUpdateMode.Replace, cancellationToken)));
        return entity.ToRecord();
    }

    /// <summary>An entry stamped with its id and time, not yet written.</summary>
    internal static AuditEntity NewEntity(
        TimeProvider time, AuditActor actor, string action, string entityType, string entityId, object? oldValues, object? newValues, string? ip, string? userAgent) =>
        new()
        {
            EntryId = Ids.New(time),
            At = time.GetUtcNow(),
            ActorType = actor.Type,
            ActorId = actor.Id,
            ActorName = actor.Name,
            Action = action,
            EntityType = entityType,
            EntityId = entityId,
            OldValues = Serialize(oldValues),
            NewValues = Serialize(newValues),
            Ip = ip,
            UserAgent = userAgent is { Length: > 512 } ? userAgent[..512] : userAgent,
        };

    /// <summary>The three partitions each entry is written to, one per access path.</summary>
    internal static string[] Partitions(AuditEntity entity) =>
        [AuditEntity.AllPartition, AuditEntity.ActorPartition(entity.ActorId), AuditEntity.EntityPartition(entity.EntityType, entity.EntityId)];

    /// <summary>Entries newest first, from the narrowest partition the query allows.</summary>
    public async Task<Storage.Page<AuditEntry>> QueryAsync(AuditQuery query, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        if (query.EntityId is not null && query.EntityType is null)
        {
            throw new ValidationFailedException("entityType", "is required when entityId is given.");
        }
        if (query.From is { } f && query.To is { } t && f > t)
        {
            throw new ValidationFailedException("from", "must not be after to.");
        }

        string partition;
        var extra = new List<string>();
        if (query.EntityType is not null && query.EntityId is not null)
        {
            partition = AuditEntity.EntityPartition(query.EntityType, query.EntityId);
            if (query.ActorId is not null)
            {
                extra.Add(TableClient.CreateQueryFilter($"ActorId eq {query.ActorId}"));
            }
        }
        else if (query.ActorId is not null)
        {
            partition = AuditEntity.ActorPartition(query.ActorId);
            if (query.EntityType is not null)
            {
                extra.Add(TableClient.CreateQueryFilter($"EntityType eq {query.EntityType}"));
            }
        }
        else
        {
            partition = AuditEntity.AllPartition;
            if (query.EntityType is not null)
            {
                extra.Add(TableClient.CreateQueryFilter($"EntityType eq {query.EntityType}"));
            }
        }

        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition}");
        // Newest first: the later bound ("to") is the smaller RowKey.
        if (query.To is { } to)
        {
            filter += " and " + TableClient.CreateQueryFilter($"RowKey ge {AuditKeys.TimePrefix(partition, to)}");
        }
        if (query.From is { } from)
        {
            filter += " and " + TableClient.CreateQueryFilter($"RowKey lt {AuditKeys.TimePrefix(partition, from) + "~"}");
        }
        foreach (var e in extra)
        {
            filter += " and " + e;
        }
        var page = await Table.QueryPageAsync<AuditEntity>(filter, limit, cursor, cancellationToken);
        return page.Select(e => e.ToRecord());
    }

    /// <summary>
    /// Replaces every mention of the given values in the old and new values of any entry (all three
    /// copies of it), for an erased person named inside entries about other things: a message, a
    /// segment list, an enrolment. Reads the whole log once; erasures are rare. Returns the entries changed.
    /// </summary>
    public async Task<int> ScrubMentionsAsync(IReadOnlyList<string> mentions, string replacement, CancellationToken cancellationToken = default)
    {
        var entries = new List<AuditEntity>();
        await foreach (var row in Table.QueryAsync<AuditEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {AuditEntity.AllPartition}"), cancellationToken: cancellationToken))
        {
            if (mentions.Any(m => row.OldValues?.Contains(m, StringComparison.OrdinalIgnoreCase) == true || row.NewValues?.Contains(m, StringComparison.OrdinalIgnoreCase) == true))
            {
                entries.Add(row);
            }
        }
        foreach (var entry in entries)
        {
            string? Scrub(string? values) => values is null ? null : mentions.Aggregate(values, (text, m) => text.Replace(m, replacement, StringComparison.OrdinalIgnoreCase));
            var scrubbed = entry.MemberwiseCloneFor(AuditEntity.AllPartition);
            scrubbed.OldValues = Scrub(entry.OldValues);
            scrubbed.NewValues = Scrub(entry.NewValues);
            await Task.WhenAll(
                Table.UpsertEntityAsync(scrubbed, TableUpdateMode.Replace, cancellationToken),
                Table.UpsertEntityAsync(scrubbed.MemberwiseCloneFor(AuditEntity.ActorPartition(entry.ActorId)), TableUpdateMode.Replace, cancellationToken),
                Table.UpsertEntityAsync(scrubbed.MemberwiseCloneFor(AuditEntity.EntityPartition(entry.EntityType, entry.EntityId)), TableUpdateMode.Replace, cancellationToken));
        }
        return entries.Count;
    }

    /// <summary>
    /// Removes what the audit log holds about one entity: every entry about it (in all three
    /// partitions) keeps who did what and when, but loses its old and new values, and the entity id
    /// becomes <paramref name="replacementId"/>. Returns how many entries were scrubbed.
    /// </summary>
    public async Task<int> ScrubEntityAsync(string entityType, string entityId, string replacementId, CancellationToken cancellationToken = default)
    {
        var entries = new List<AuditEntity>();
        await foreach (var row in Table.QueryAsync<AuditEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {AuditEntity.EntityPartition(entityType, entityId)}"), cancellationToken: cancellationToken))
        {
            entries.Add(row);
        }
        foreach (var entry in entries)
        {
            var scrubbed = entry.MemberwiseCloneFor(AuditEntity.AllPartition);
            scrubbed.EntityId = replacementId;
            scrubbed.OldValues = null;
            scrubbed.NewValues = null;
            await Task.WhenAll(
                Table.UpsertEntityAsync(scrubbed, TableUpdateMode.Replace, cancellationToken),
                Table.UpsertEntityAsync(scrubbed.MemberwiseCloneFor(AuditEntity.ActorPartition(entry.ActorId)), TableUpdateMode.Replace, cancellationToken),
                Table.UpsertEntityAsync(scrubbed.MemberwiseCloneFor(AuditEntity.EntityPartition(entityType, replacementId)), TableUpdateMode.Replace, cancellationToken));
            if (replacementId != entityId)
            {
                await Table.DeleteEntityAsync(entry.PartitionKey, entry.RowKey, Azure.ETag.All, cancellationToken);
            }
        }
        return entries.Count;
    }

    private static string? Serialize(object? values)
    {
        if (values is null)
        {
            return null;
        }
        var json = JsonSerializer.Serialize(values, values.GetType(), CrmJson.Options);
        return json.Length <= AuditEntity.MaxValuesLength ? json : json[..AuditEntity.MaxValuesLength] + "…(truncated)";
    }

    /// <summary>The audit log is scrubbed after the rows it describes are gone.</summary>
    ErasureStage IPersonalData.Stage => ErasureStage.Traces;

    async Task IPersonalData.ExportAsync(string customerId, PersonalDataArchive archive, CancellationToken cancellationToken) =>
        archive.Add("audit.json", (await QueryAsync(new AuditQuery(EntityType: "customer", EntityId: customerId), Storage.Page<AuditEntry>.MaxLimit, null, cancellationToken)).Items);

    /// <summary>
    /// Clears the values of entries about the customer (their id becomes the pseudonym) and replaces
    /// every mention of their id or email in other entries (a message, a segment list, an enrolment).
    /// Entries about their notes and orders are scrubbed by the stores of those.
    /// </summary>
    async Task<int> IPersonalData.EraseAsync(ErasureContext context, CancellationToken cancellationToken)
    {
        var scrubbed = await ScrubEntityAsync("customer", context.CustomerId, context.Pseudonym, cancellationToken);
        scrubbed += await ScrubMentionsAsync(context.Email is { } email ? [context.CustomerId, email] : [context.CustomerId], context.Pseudonym, cancellationToken);
        context.Tally.AuditEntries += scrubbed;
        return 0;
    }
}
