using PecosCrm.Core.Staff;

namespace PecosCrm.Core.Access;

/// <summary>Who an API key speaks for.</summary>
public enum ApiKeyOwner
{
    Staff,
    Integration,
}

/// <summary>An API key as staff see it: never the secret, which is shown once at creation.</summary>
public sealed record ApiKey(
    string Id,
    string Name,
    ApiKeyOwner Owner,
    string? StaffId,
    IReadOnlyList<string> Scopes,
    int? RateLimitPerMinute,
    string Hint,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset? RevokedAt);

/// <summary>A key just made, with its secret.</summary>
public sealed record CreatedApiKey(ApiKey Key, string Secret);

/// <summary>The fields of a new key: a staff key names its member; an integration key lists its scopes.</summary>
public sealed record NewApiKey(string? Name, ApiKeyOwner? Owner, string? StaffId, IReadOnlyList<string>? Scopes, int? RateLimitPerMinute);

/// <summary>What a presented key resolves to: the key and, for a staff key, the member's current role.</summary>
public sealed record ApiKeyPrincipal(ApiKey Key, StaffMember? Staff, IReadOnlySet<string> Permissions)
{
    public string ActorType => Key.Owner == ApiKeyOwner.Staff ? "staff" : "integration";

    public string ActorId => Staff?.Id ?? Key.Id;

    public string ActorName => Staff?.Name ?? Key.Name;
}
