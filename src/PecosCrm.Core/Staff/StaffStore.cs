using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Staff;

/// <summary>Staff members, with emails unique across the team.</summary>
public sealed class StaffStore(StorageAccount storage, TimeProvider time)
{
    private TableClient Table => storage.Table(StorageNames.Tables.Staff);

    public async Task<StaffMember> CreateAsync(NewStaffMember request, CancellationToken cancellationToken = default)
    {
        var check = new Validation()
            .Required("name", request.Name)
            .Email("email", request.Email);
        if (request.Role is null)
        {
            check.Add("role", "is required: one of admin, manager, agent, marketer, viewer.");
        }
        check.ThrowIfInvalid();

        var now = time.GetUtcNow();
        var entity = new StaffEntity
        {
            RowKey = Ids.New(time),
            Name = request.Name!.Trim(),
            Email = request.Email!.Trim(),
            Role = request.Role!.Value.ToString(),
            Active = request.Active ?? true,
            CreatedAt = now,
            UpdatedAt = now,
        };
        await Table.SubmitClaimingAsync(
            [new(TableTransactionActionType.Add, entity), new(TableTransactionActionType.Add, StaffEntity.EmailIndex(entity.Email, entity.RowKey))],
            $"Another staff member already uses the email '{entity.Email}'.",
            cancellationToken);
        return (await FindAsync(entity.RowKey, cancellationToken))!;
    }

    public async Task<StaffMember?> FindAsync(string id, CancellationToken cancellationToken = default)
    {
        if (!KeyRules.IsValidKey(id) || id.StartsWith('~'))
        {
            return null;
        }
        var entity = await Table.FindAsync<StaffEntity>(StaffEntity.Partition, id, cancellationToken);
        return entity?.ToRecord();
    }

    public async Task<StaffMember> GetAsync(string id, CancellationToken cancellationToken = default) =>
        await FindAsync(id, cancellationToken) ?? throw new NotFoundException("Staff member", id);

    public async Task<StaffMember?> FindByEmailAsync(string email, CancellationToken cancellationToken = default)
    {
        var index = await Table.FindAsync<StaffEntity>(StaffEntity.Partition, StaffEntity.EmailRowKey(email), cancellationToken);
        return index?.StaffId is null ? null : await FindAsync(index.StaffId, cancellationToken);
    }

    public async Task<Storage.Page<StaffMember>> ListAsync(StaffRole? role, bool? active, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {StaffEntity.Partition} and RowKey lt {StaffEntity.EmailIndexPrefix}");
        if (role is not null)
        {
            filter += " and " + TableClient.CreateQueryFilter($"Role eq {role.Value.ToString()}");
        }
        if (active is not null)
        {
            filter += " and " + TableClient.CreateQueryFilter($"Active eq {active.Value}");
        }
        var page = await Table.QueryPageAsync<StaffEntity>(filter, limit, cursor, cancellationToken);
        return page.Select(e => e.ToRecord());
    }

    /// <summary>Applies a partial update if <paramref name="ifMatch"/> (when given) is still current.</summary>
    public async Task<(StaffMember Before, StaffMember After)> UpdateAsync(
        string id, StaffMemberPatch patch, string? ifMatch, CancellationToken cancellationToken = default)
    {
        var check = new Validation();
        if (patch.Name is not null)
        {
            check.Required("name", patch.Name);
        }
        if (patch.Email is not null)
        {
            check.Email("email", patch.Email);
        }
        check.ThrowIfInvalid();

        var entity = await Table.FindAsync<StaffEntity>(StaffEntity.Partition, KeyRules.IsValidKey(id) && !id.StartsWith('~') ? id : "-", cancellationToken)
            ?? throw new NotFoundException("Staff member", id);
        TableClientExtensions.CheckIfMatch(ifMatch, entity.ETag);
        var before = entity.ToRecord();
        var oldEmail = entity.Email;

        entity.Name = patch.Name?.Trim() ?? entity.Name;
        entity.Email = patch.Email?.Trim() ?? entity.Email;
        entity.Role = patch.Role?.ToString() ?? entity.Role;
        entity.Active = patch.Active ?? entity.Active;
        entity.UpdatedAt = time.GetUtcNow();

        var actions = new List<TableTransactionAction> { new(TableTransactionActionType.UpdateReplace, entity, entity.ETag) };
        if (!string.Equals(StaffEntity.EmailRowKey(oldEmail), StaffEntity.EmailRowKey(entity.Email), StringComparison.Ordinal))
        {
            actions.Add(new(TableTransactionActionType.Delete, StaffEntity.EmailIndex(oldEmail, id), ETag.All));
            actions.Add(new(TableTransactionActionType.Add, StaffEntity.EmailIndex(entity.Email, id)));
        }
        await Table.SubmitClaimingAsync(actions, $"Another staff member already uses the email '{entity.Email}'.", cancellationToken);
        return (before, await GetAsync(id, cancellationToken));
    }
}
