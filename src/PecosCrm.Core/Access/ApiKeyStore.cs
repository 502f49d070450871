using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Staff;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Access;

/// <summary>API keys: made with a random secret that is stored only as its SHA-256 hash.</summary>
public sealed class ApiKeyStore(StorageAccount storage, StaffStore staff, TimeProvider time, IOptions<AccessOptions> options)
{
    /// <summary>The environment variable whose value becomes the first admin key.</summary>
    public const string BootstrapVariable = "PECOSCRM_BOOTSTRAP_ADMIN_KEY";

    private const string SecretPrefix = "pcrm_";

    private readonly ConcurrentDictionary<string, (ApiKeyPrincipal Principal, DateTimeOffset Expires)> _verified = new(StringComparer.Ordinal);

    private TableClient Table => storage.Table(StorageNames.Tables.ApiKeys);

    public async Task<CreatedApiKey> CreateAsync(NewApiKey request, string createdBy, CancellationToken cancellationToken = default)
    {
        var check = new Validation().Required("name", request.Name);
        var scopes = (request.Scopes ?? []).Distinct(StringComparer.Ordinal).ToList();
        switch (request.Owner)
        {
            case null:
                check.Add("owner", "is required: staff or integration.");
                break;
            case ApiKeyOwner.Staff:
                if (string.IsNullOrWhiteSpace(request.StaffId))
                {
                    check.Add("staffId", "is required for a staff key.");
                }
                else if (await staff.FindAsync(request.StaffId, cancellationToken) is not { Active: true })
                {
                    check.Add("staffId", "must name an active staff member.");
                }
                if (scopes.Count > 0)
                {
                    check.Add("scopes", "are for integration keys; a staff key has its member's role.");
                }
                break;
            case ApiKeyOwner.Integration:
                if (scopes.Count == 0)
                {
                    check.Add("scopes", "must list at least one scope.");
                }
                foreach (var unknown in scopes.Where(s => !Permissions.Scopes.Contains(s)))
                {
                    check.Add("scopes", $"'{unknown}' is not a scope. Known scopes: {string.Join(", ", Permissions.Scopes)}.");
                }
                if (request.StaffId is not null)
                {
                    check.Add("staffId", "is for staff keys.");
                }
                break;
        }
        if (request.RateLimitPerMinute is < 1 or > 100_000)
        {
            check.Add("rateLimitPerMinute", "must be between 1 and 100000.");
        }
        check.ThrowIfInvalid();

        var secret = NewSecret();
        var key = await InsertAsync(request.Name!.Trim(), request.Owner!.Value, request.StaffId, scopes, request.RateLimitPerMinute, secret, createdBy, cancellationToken);
        return new CreatedApiKey(key, secret);
    }

    public async Task<Storage.Page<ApiKey>> ListAsync(bool includeRevoked, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {ApiKeyEntity.Partition} and RowKey ge {ApiKeyEntity.RecordPrefix} and RowKey lt {KeyRules.PrefixEnd(ApiKeyEntity.RecordPrefix)}");
        if (!includeRevoked)
        {
            filter += " and RevokedAt eq null";
        }
        var page = await Table.QueryPageAsync<ApiKeyEntity>(filter, limit, cursor, cancellationToken);
        return page.Select(e => e.ToRecord());
    }

    public async Task<ApiKey> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        var entity = KeyRules.IsValidKey(id)
            ? await Table.FindAsync<ApiKeyEntity>(ApiKeyEntity.Partition, ApiKeyEntity.RecordPrefix + id, cancellationToken)
            : null;
        return entity?.ToRecord() ?? throw new NotFoundException("API key", id);
    }

    /// <summary>Revokes a key at once; revoking a revoked key changes nothing. Returns the key as it was and is.</summary>
    public async Task<(ApiKey Before, ApiKey After)> RevokeAsync(string id, CancellationToken cancellationToken = default)
    {
        var entity = KeyRules.IsValidKey(id)
            ? await Table.FindAsync<ApiKeyEntity>(ApiKeyEntity.Partition, ApiKeyEntity.RecordPrefix + id, cancellationToken)
            : null;
        if (entity is null)
        {
            throw new NotFoundException("API key", id);
        }
        var before = entity.ToRecord();
        if (entity.RevokedAt is null)
        {
            entity.RevokedAt = time.GetUtcNow();
            try
            {
                await Table.SubmitTransactionAsync(
                [
                    new(TableTransactionActionType.UpdateReplace, entity, entity.ETag),
                    new(TableTransactionActionType.Delete, new ApiKeyEntity { RowKey = ApiKeyEntity.HashPrefix + entity.Hash }, ETag.All),
                ], cancellationToken);
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 412)
            {
                throw new ConcurrencyException();
            }
            _verified.TryRemove(entity.Hash, out _);
        }
        return (before, entity.ToRecord());
    }

    /// <summary>Resolves a presented secret, or null when it is unknown, revoked or its staff member is inactive.</summary>
    public async Task<ApiKeyPrincipal?> AuthenticateAsync(string secret, CancellationToken cancellationToken = default)
    {
        var hash = Hash(secret);
        var now = time.GetUtcNow();
        if (_verified.TryGetValue(hash, out var cached) && cached.Expires > now)
        {
            return cached.Principal;
        }

        var entity = await Table.FindAsync<ApiKeyEntity>(ApiKeyEntity.Partition, ApiKeyEntity.HashPrefix + hash, cancellationToken);
        if (entity is null || entity.RevokedAt is not null)
        {
            _verified.TryRemove(hash, out _);
            return null;
        }
        var key = entity.ToRecord();
        ApiKeyPrincipal principal;
        if (key.Owner == ApiKeyOwner.Staff)
        {
            var member = key.StaffId is null ? null : await staff.FindAsync(key.StaffId, cancellationToken);
            if (member is not { Active: true })
            {
                return null;
            }
            principal = new ApiKeyPrincipal(key, member, Permissions.ForRole(member.Role));
        }
        else
        {
            principal = new ApiKeyPrincipal(key, null, key.Scopes.ToHashSet(StringComparer.Ordinal));
        }
        _verified[hash] = (principal, now + options.Value.CacheDuration);
        return principal;
    }

    /// <summary>
    /// Makes <paramref name="secret"/> the first admin key when no active admin key exists yet,
    /// creating the bootstrap admin staff member if needed. Returns false (and changes nothing)
    /// when an admin key already exists.
    /// </summary>
    public async Task<bool> BootstrapAdminAsync(string secret, CancellationToken cancellationToken = default)
    {
        if (secret.Length < 16)
        {
            throw new ValidationFailedException(BootstrapVariable, "must be at least 16 characters.");
        }
        if (await AnyActiveAdminKeyAsync(cancellationToken))
        {
            return false;
        }
        var admin = await AdminMemberAsync(cancellationToken);
        await InsertAsync("Bootstrap admin key", ApiKeyOwner.Staff, admin.Id, [], null, secret, "system", cancellationToken);
        return true;
    }

    /// <summary>Makes a new random admin key for the bootstrap admin staff member (the app's create-admin-key command).</summary>
    public async Task<string> CreateAdminKeyAsync(CancellationToken cancellationToken = default)
    {
        var secret = NewSecret();
        if (!await BootstrapAdminAsync(secret, cancellationToken))
        {
            var admin = await AdminMemberAsync(cancellationToken);
            await InsertAsync("Admin key (command line)", ApiKeyOwner.Staff, admin.Id, [], null, secret, "system", cancellationToken);
        }
        return secret;
    }

    /// <summary>The bootstrap admin staff member, created, or restored to an active admin, as needed.</summary>
    private async Task<StaffMember> AdminMemberAsync(CancellationToken cancellationToken)
    {
        var email = options.Value.BootstrapAdminEmail;
        var admin = await staff.FindByEmailAsync(email, cancellationToken)
            ?? await staff.CreateAsync(new NewStaffMember("Administrator", email, StaffRole.Admin), cancellationToken);
        if (admin.Role != StaffRole.Admin || !admin.Active)
        {
            (_, admin) = await staff.UpdateAsync(admin.Id, new StaffMemberPatch(null, null, StaffRole.Admin, true), null, cancellationToken);
        }
        return admin;
    }

    private static string NewSecret() => SecretPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    private async Task<bool> AnyActiveAdminKeyAsync(CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {ApiKeyEntity.Partition} and RowKey ge {ApiKeyEntity.RecordPrefix} and RowKey lt {KeyRules.PrefixEnd(ApiKeyEntity.RecordPrefix)} and Owner eq {nameof(ApiKeyOwner.Staff)}");
        await foreach (var key in Table.QueryAsync<ApiKeyEntity>(filter + " and RevokedAt eq null", cancellationToken: cancellationToken))
        {
            if (key.StaffId is not null && await staff.FindAsync(key.StaffId, cancellationToken) is { Active: true, Role: StaffRole.Admin })
            {
                return true;
            }
        }
        return false;
    }

    private async Task<ApiKey> InsertAsync(
        string name, ApiKeyOwner owner, string? staffId, IReadOnlyList<string> scopes, int? rateLimit, string secret, string createdBy, CancellationToken cancellationToken)
    {
        var id = Ids.New(time);
        var hash = Hash(secret);
        var record = new ApiKeyEntity
        {
            RowKey = ApiKeyEntity.RecordPrefix + id,
            KeyId = id,
            Name = name,
            Owner = owner.ToString(),
            StaffId = staffId,
            Scopes = string.Join(' ', scopes),
            RateLimitPerMinute = rateLimit,
            Hint = secret[..Math.Min(9, secret.Length)] + "…",
            Hash = hash,
            CreatedAt = time.GetUtcNow(),
            CreatedBy = createdBy,
        };
        try
        {
            await Table.SubmitTransactionAsync(
            [
                new(TableTransactionActionType.Add, record),
                new(TableTransactionActionType.Add, record.CopyAs(ApiKeyEntity.HashPrefix + hash)),
            ], cancellationToken);
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 409)
        {
            throw new ConflictException("That key is already registered.");
        }
        return record.ToRecord();
    }

    internal static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);
}
