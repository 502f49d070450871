using System.Text.RegularExpressions;
using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Customers;

/// <summary>Custom tags, their assignment to customers, and the automatic tags the system maintains.</summary>
public sealed partial class TagStore(StorageAccount storage, CustomerStore customers, TimeProvider time)
{
    private readonly CustomerPartition _partition = new(storage);

    private TableClient Tags => storage.Table(StorageNames.Tables.Tags);
    private TableClient Members => storage.Table(StorageNames.Tables.TagMembers);
    private TableClient Customers => storage.Table(StorageNames.Tables.Customers);

    public async Task<Tag> CreateAsync(string? name, string? color, string? description, CancellationToken cancellationToken = default)
    {
        Check(name, color, description, creating: true);
        var tag = new TagEntity
        {
            RowKey = Ids.New(time),
            Name = name!.Trim(),
            Color = color ?? "#6c757d",
            Description = description,
            CreatedAt = time.GetUtcNow(),
        };
        await Tags.SubmitClaimingAsync([
            new(TableTransactionActionType.Add, tag),
            new(TableTransactionActionType.Add, new TagEntity { RowKey = TagEntity.NameRow(tag.Name), TagId = tag.RowKey, Name = tag.Name }),
        ], $"A tag named '{tag.Name}' already exists.", cancellationToken);
        return tag.ToRecord();
    }

    /// <summary>Every tag: the automatic ones first, then the custom ones by name.</summary>
    public async Task<IReadOnlyList<Tag>> ListAsync(CancellationToken cancellationToken = default)
    {
        var custom = new List<Tag>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {TagEntity.Partition} and RowKey lt {TagEntity.NamePrefix}");
        await foreach (var row in Tags.QueryAsync<TagEntity>(filter, cancellationToken: cancellationToken))
        {
            custom.Add(row.ToRecord());
        }
        return [.. AutoTags.All.Select(a => new Tag(a.Id, a.Name, a.Color, "Maintained by the system", true, null)), .. custom.OrderBy(t => t.Name, StringComparer.OrdinalIgnoreCase)];
    }

    public async Task<Tag> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        if (AutoTags.All.FirstOrDefault(a => a.Id == id) is { } auto)
        {
            return new Tag(auto.Id, auto.Name, auto.Color, "Maintained by the system", true, null);
        }
        var row = KeyRules.IsValidKey(id) && !id.StartsWith('~') ? await Tags.FindAsync<TagEntity>(TagEntity.Partition, id, cancellationToken) : null;
        return row?.ToRecord() ?? throw new NotFoundException("Tag", id);
    }

    /// <summary>Renames, recolours or re-describes a custom tag.</summary>
    public async Task<(Tag Before, Tag After)> UpdateAsync(string id, string? name, string? color, string? description, CancellationToken cancellationToken = default)
    {
        RefuseAuto(id);
        Check(name, color, description, creating: false);
        var row = KeyRules.IsValidKey(id) && !id.StartsWith('~') ? await Tags.FindAsync<TagEntity>(TagEntity.Partition, id, cancellationToken) : null;
        if (row is null)
        {
            throw new NotFoundException("Tag", id);
        }
        var before = row.ToRecord();
        var oldName = row.Name;
        row.Name = name?.Trim() ?? row.Name;
        row.Color = color ?? row.Color;
        row.Description = description ?? row.Description;
        var actions = new List<TableTransactionAction> { new(TableTransactionActionType.UpdateReplace, row, row.ETag) };
        if (TagEntity.NameRow(oldName) != TagEntity.NameRow(row.Name))
        {
            actions.Add(new(TableTransactionActionType.Delete, new TagEntity { RowKey = TagEntity.NameRow(oldName) }, ETag.All));
            actions.Add(new(TableTransactionActionType.Add, new TagEntity { RowKey = TagEntity.NameRow(row.Name), TagId = id, Name = row.Name }));
        }
        await Tags.SubmitClaimingAsync(actions, $"A tag named '{row.Name}' already exists.", cancellationToken);
        return (before, row.ToRecord());
    }

    /// <summary>Deletes a custom tag and takes it off every customer that had it.</summary>
    public async Task<Tag> DeleteAsync(string id, string actor, CancellationToken cancellationToken = default)
    {
        var tag = await GetAsync(id, cancellationToken);
        RefuseAuto(id);
        await foreach (var member in Members.QueryAsync<TagMemberEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {id}"), cancellationToken: cancellationToken))
        {
            await RemoveAsync(member.RowKey, id, actor, cancellationToken);
        }
        await Tags.SubmitTransactionAsync(
        [
            new(TableTransactionActionType.Delete, new TagEntity { RowKey = id }, ETag.All),
            new(TableTransactionActionType.Delete, new TagEntity { RowKey = TagEntity.NameRow(tag.Name) }, ETag.All),
        ], cancellationToken);
        return tag;
    }

    /// <summary>Puts a custom tag on a customer; doing it twice changes nothing.</summary>
    public async Task<CustomerTag> AssignAsync(string customerId, string tagId, string actor, CancellationToken cancellationToken = default)
    {
        RefuseAuto(tagId);
        var tag = await GetAsync(tagId, cancellationToken);
        await customers.GetAsync(customerId, cancellationToken);
        var existing = await Customers.FindAsync<CustomerTagEntity>(customerId, CustomerKeys.Tag(tagId), cancellationToken);
        if (existing is not null)
        {
            return new CustomerTag(tag.Id, tag.Name, tag.Color, false, existing.AssignedBy, existing.AssignedAt);
        }
        var now = time.GetUtcNow();
        var actions = AssignActions(customerId, tag.Id, tag.Name, isAuto: false, actor, now);
        await _partition.SubmitAsync(actions.ToList(), cancellationToken);
        await Members.UpsertEntityAsync(new TagMemberEntity { PartitionKey = tag.Id, RowKey = customerId, AssignedAt = now }, TableUpdateMode.Replace, cancellationToken);
        return new CustomerTag(tag.Id, tag.Name, tag.Color, false, actor, now);
    }

    /// <summary>Takes a custom tag off a customer; returns false when the customer did not have it.</summary>
    public async Task<bool> RemoveAsync(string customerId, string tagId, string actor, CancellationToken cancellationToken = default)
    {
        RefuseAuto(tagId);
        await customers.GetAsync(customerId, cancellationToken);
        var existing = await Customers.FindAsync<CustomerTagEntity>(customerId, CustomerKeys.Tag(tagId), cancellationToken);
        if (existing is null)
        {
            return false;
        }
        var name = (await Tags.FindAsync<TagEntity>(TagEntity.Partition, tagId, cancellationToken))?.Name ?? tagId;
        await _partition.SubmitAsync(RemoveActions(customerId, tagId, name, actor, time.GetUtcNow()).ToList(), cancellationToken);
        await Members.DeleteEntityAsync(tagId, customerId, ETag.All, cancellationToken);
        return true;
    }

    /// <summary>The tags on a customer, with current names and colours.</summary>
    public async Task<IReadOnlyList<CustomerTag>> ForCustomerAsync(string customerId, CancellationToken cancellationToken = default)
    {
        // The catalogue and the customer's tag rows are read side by side.
        var catalogue = ListAsync(cancellationToken);
        var rows = new List<CustomerTagEntity>();
        await foreach (var row in Customers.QueryAsync<CustomerTagEntity>(CustomerKeys.PrefixFilter(customerId, CustomerKeys.TagPrefix), cancellationToken: cancellationToken))
        {
            rows.Add(row);
        }
        var byId = (await catalogue).ToDictionary(t => t.Id);
        var tags = new List<CustomerTag>();
        foreach (var row in rows)
        {
            if (byId.TryGetValue(row.TagId, out var tag))
            {
                tags.Add(new CustomerTag(tag.Id, tag.Name, tag.Color, tag.IsAuto, row.AssignedBy, row.AssignedAt));
            }
        }
        return tags;
    }

    /// <summary>The ids of a tag's customers, in id order.</summary>
    public async Task<Storage.Page<string>> MemberIdsAsync(string tagId, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        await GetAsync(tagId, cancellationToken);
        var page = await Members.QueryPageAsync<TagMemberEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {tagId}"), limit, cursor, cancellationToken);
        return page.Select(m => m.RowKey);
    }

    /// <summary>
    /// The customer-partition writes that move a customer's auto-tags from <paramref name="current"/>
    /// to <paramref name="wanted"/>, with a timeline entry per change. The caller commits them with
    /// its own transaction, then calls <see cref="SyncAutoMembersAsync"/>.
    /// </summary>
    internal static IEnumerable<TableTransactionAction> AutoTagActions(
        string customerId, IReadOnlySet<string> current, IReadOnlySet<string> wanted, DateTimeOffset at)
    {
        foreach (var added in wanted.Except(current))
        {
            foreach (var a in AssignActions(customerId, added, NameOf(added), isAuto: true, "system", at))
            {
                yield return a;
            }
        }
        foreach (var removed in current.Except(wanted))
        {
            foreach (var a in RemoveActions(customerId, removed, NameOf(removed), "system", at))
            {
                yield return a;
            }
        }
    }

    internal async Task SyncAutoMembersAsync(string customerId, IReadOnlySet<string> current, IReadOnlySet<string> wanted, DateTimeOffset at, CancellationToken cancellationToken)
    {
        foreach (var added in wanted.Except(current))
        {
            await Members.UpsertEntityAsync(new TagMemberEntity { PartitionKey = added, RowKey = customerId, AssignedAt = at }, TableUpdateMode.Replace, cancellationToken);
        }
        foreach (var removed in current.Except(wanted))
        {
            await Members.DeleteEntityAsync(removed, customerId, ETag.All, cancellationToken);
        }
    }

    private static string NameOf(string autoTagId) => AutoTags.All.FirstOrDefault(a => a.Id == autoTagId)?.Name ?? autoTagId;

    private static IEnumerable<TableTransactionAction> AssignActions(string customerId, string tagId, string name, bool isAuto, string actor, DateTimeOffset at)
    {
        yield return new(TableTransactionActionType.UpsertReplace,
            new CustomerTagEntity { PartitionKey = customerId, RowKey = CustomerKeys.Tag(tagId), TagId = tagId, IsAuto = isAuto, AssignedBy = actor, AssignedAt = at });
        var entry = new TimelineEntry(Guid.CreateVersion7(at).ToString("N"), customerId, TimelineType.Tag, $"Tagged {name}", at, actor, $"/api/tags/{tagId}", null);
        foreach (var row in TimelineEntity.RowsFor(entry))
        {
            yield return new(TableTransactionActionType.UpsertReplace, row);
        }
    }

    private static IEnumerable<TableTransactionAction> RemoveActions(string customerId, string tagId, string name, string actor, DateTimeOffset at)
    {
        yield return new(TableTransactionActionType.Delete, new CustomerTagEntity { PartitionKey = customerId, RowKey = CustomerKeys.Tag(tagId) }, ETag.All);
        var entry = new TimelineEntry(Guid.CreateVersion7(at).ToString("N"), customerId, TimelineType.Tag, $"Tag {name} removed", at, actor, $"/api/tags/{tagId}", null);
        foreach (var row in TimelineEntity.RowsFor(entry))
        {
            yield return new(TableTransactionActionType.UpsertReplace, row);
        }
    }

    private static void RefuseAuto(string tagId)
    {
        if (AutoTags.IsAuto(tagId))
        {
            throw new ConflictException("Automatic tags are maintained by the system and cannot be changed by hand.");
        }
    }

    private static void Check(string? name, string? color, string? description, bool creating)
    {
        var check = new Validation();
        if (creating || name is not null)
        {
            check.Required("name", name, 50);
            if (name is not null && AutoTags.All.Any(a => string.Equals(a.Name, name.Trim(), StringComparison.OrdinalIgnoreCase)))
            {
                check.Add("name", "is the name of an automatic tag.");
            }
        }
        if (color is not null && !ColorPattern().IsMatch(color))
        {
            check.Add("color", "must be a hex colour such as #6c757d.");
        }
        check.MaxLength("description", description, 500);
        check.ThrowIfInvalid();
    }

    [GeneratedRegex("^#[0-9a-fA-F]{6}$")]
    private static partial Regex ColorPattern();
}
