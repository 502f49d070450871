using System.Text.RegularExpressions;
using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Customers;

/// <summary>Custom tags, their assignment to customers, and the automatic tags the system maintains.</summary>
public sealed partial class TagStore(StorageAccount storage, CustomerCards cards, TimeProvider time)
{
    private TableClient Tags => storage.Table(StorageNames.Tables.Tags);
    private TableClient Members => storage.Table(StorageNames.Tables.TagMembers);

    private static readonly TimeSpan CatalogueFor = TimeSpan.FromSeconds(15);
    private (DateTimeOffset At, IReadOnlyDictionary<string, Tag> Tags)? _catalogue;

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
        _catalogue = null;
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
        _catalogue = null;
        return (before, row.ToRecord());
    }

    /// <summary>Deletes a custom tag and takes it off every customer that had it.</summary>
    public async Task<Tag> DeleteAsync(string id, string actor, CancellationToken cancellationToken = default)
    {
        var tag = await GetAsync(id, cancellationToken);
        RefuseAuto(id);
        await foreach (var member in Members.QueryAsync<TagMemberEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {id}"), cancellationToken: cancellationToken))
        {
            await RemoveAsync(member.CustomerId, id, actor, cancellationToken);
        }
        await Tags.SubmitTransactionAsync(
        [
            new(TableTransactionActionType.Delete, new TagEntity { RowKey = id }, ETag.All),
            new(TableTransactionActionType.Delete, new TagEntity { RowKey = TagEntity.NameRow(tag.Name) }, ETag.All),
        ], cancellationToken);
        _catalogue = null;
        return tag;
    }

    /// <summary>Puts a custom tag on a customer; doing it twice changes nothing.</summary>
    public async Task<CustomerTag> AssignAsync(string customerId, string tagId, string actor, CancellationToken cancellationToken = default)
    {
        RefuseAuto(tagId);
        var tag = await GetAsync(tagId, cancellationToken);
        var now = time.GetUtcNow();
        CardTag? had = null;
        await cards.ChangeAsync(customerId, card =>
        {
            had = card.RequireProfile().TagList().Find(t => t.TagId == tag.Id);
            if (had is not null)
            {
                return null;
            }
            CustomerCard.SetTag(card, new CardTag(tag.Id, false, actor, now));
            return CardChange.Card(featuresChanged: true, CustomerCard.TagEntry(customerId, tag.Id, tag.Name, added: true, actor, now));
        }, cancellationToken);
        if (had is not null)
        {
            return new CustomerTag(tag.Id, tag.Name, tag.Color, false, had.AssignedBy, had.AssignedAt);
        }
        await Members.UpsertEntityAsync(TagMemberEntity.For(tag.Id, customerId, now), TableUpdateMode.Replace, cancellationToken);
        return new CustomerTag(tag.Id, tag.Name, tag.Color, false, actor, now);
    }

    /// <summary>Takes a custom tag off a customer; returns false when the customer did not have it.</summary>
    public async Task<bool> RemoveAsync(string customerId, string tagId, string actor, CancellationToken cancellationToken = default)
    {
        RefuseAuto(tagId);
        var name = KeyRules.IsValidKey(tagId) ? (await Tags.FindAsync<TagEntity>(TagEntity.Partition, tagId, cancellationToken))?.Name ?? tagId : tagId;
        var removed = false;
        var now = time.GetUtcNow();
        await cards.ChangeAsync(customerId, card =>
        {
            removed = CustomerCard.RemoveTag(card.RequireProfile(), tagId);
            return removed ? CardChange.Card(featuresChanged: true, CustomerCard.TagEntry(customerId, tagId, name, added: false, actor, now)) : null;
        }, cancellationToken);
        if (removed)
        {
            await Members.DeleteEntityAsync(tagId, TagMemberEntity.Row(tagId, customerId), ETag.All, cancellationToken);
        }
        return removed;
    }

    /// <summary>The tags on a customer's card, with current names and colours (the catalogue is cached).</summary>
    public async Task<IReadOnlyList<CustomerTag>> ForCustomerAsync(string customerId, CancellationToken cancellationToken = default) =>
        Name(await cards.GetAsync(customerId, cancellationToken), await CatalogueAsync(cancellationToken));

    internal static IReadOnlyList<CustomerTag> Name(CardEntity card, IReadOnlyDictionary<string, Tag> catalogue) =>
        [.. from t in card.TagList()
            where catalogue.ContainsKey(t.TagId)
            let tag = catalogue[t.TagId]
            select new CustomerTag(tag.Id, tag.Name, tag.Color, tag.IsAuto, t.AssignedBy, t.AssignedAt)];

    /// <summary>Every tag by id, cached for a few seconds: tags are renamed rarely, and every 360 view names the customer's.</summary>
    internal async Task<IReadOnlyDictionary<string, Tag>> CatalogueAsync(CancellationToken cancellationToken)
    {
        if (_catalogue is { } cached && time.GetUtcNow() - cached.At < CatalogueFor)
        {
            return cached.Tags;
        }
        var tags = (await ListAsync(cancellationToken)).ToDictionary(t => t.Id, StringComparer.Ordinal);
        _catalogue = (time.GetUtcNow(), tags);
        return tags;
    }

    /// <summary>The ids of a tag's customers, in id order.</summary>
    public async Task<Storage.Page<string>> MemberIdsAsync(string tagId, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        await GetAsync(tagId, cancellationToken);
        var page = await Members.QueryPageAsync<TagMemberEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {tagId}"), limit, cursor, cancellationToken);
        return page.Select(m => m.CustomerId);
    }

    /// <summary>Brings the member rows of a customer's auto-tags in line after its card moved from <paramref name="before"/> to <paramref name="after"/>.</summary>
    internal async Task SyncMembersAsync(string customerId, IReadOnlySet<string> before, IReadOnlySet<string> after, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await AddMembersAsync(MemberUpserts(customerId, before, after, at), cancellationToken);
        await RemoveMembersAsync(customerId, before.Except(after), cancellationToken);
    }

    /// <summary>The member rows of the tags a customer gained.</summary>
    internal static IEnumerable<TableTransactionAction> MemberUpserts(string customerId, IReadOnlySet<string> before, IReadOnlySet<string> after, DateTimeOffset at) =>
        after.Except(before).Select(tag => new TableTransactionAction(TableTransactionActionType.UpsertReplace, TagMemberEntity.For(tag, customerId, at)));

    /// <summary>Writes member rows of many customers, grouped by tag into transactions of up to 100.</summary>
    internal Task AddMembersAsync(IEnumerable<TableTransactionAction> upserts, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(TableClientExtensions.Chunk(upserts), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (chunk, ct) => await Members.SubmitTransactionAsync(chunk, ct));

    /// <summary>Removes a customer's member rows of tags they lost (one by one: a row already gone is no failure).</summary>
    internal async Task RemoveMembersAsync(string customerId, IEnumerable<string> tagIds, CancellationToken cancellationToken)
    {
        foreach (var tag in tagIds)
        {
            try
            {
                await Members.DeleteEntityAsync(tag, TagMemberEntity.Row(tag, customerId), ETag.All, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // Already gone.
            }
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
