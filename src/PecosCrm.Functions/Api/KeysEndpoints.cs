using Microsoft.AspNetCore.Http.HttpResults;
using PecosCrm.Core.Access;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Storage;

namespace PecosCrm.Functions.Api;

public static class KeysEndpoints
{
    public static IEndpointRouteBuilder MapKeysEndpoints(this IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/api/keys").WithTags("API keys").RequireAuthorization(Permissions.KeysManage);
        keys.MapPost("/", CreateAsync).WithName("CreateApiKey").WithSummary("Create a key. The secret is in this response only.");
        keys.MapGet("/", ListAsync).WithName("ListApiKeys");
        keys.MapGet("/{id}", GetAsync).WithName("GetApiKey");
        keys.MapPost("/{id}/revoke", RevokeAsync).WithName("RevokeApiKey").WithSummary("Revoke a key; it stops working at once.");
        keys.MapGet("/scopes", (int? limit, string? cursor) => TypedResults.Ok(ListResponse<string>.Slice(Permissions.Scopes, limit, cursor))).WithName("ListScopes").WithSummary("The scopes an integration key may hold.");
        return app;
    }

    public static async Task<Created<CreatedApiKeyResponse>> CreateAsync(
        CreateApiKeyRequest request, ApiKeyStore keys, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var created = await keys.CreateAsync(
            new NewApiKey(request.Name, request.Owner, request.StaffId, request.Scopes, request.RateLimitPerMinute), http.Actor().Id, cancellationToken);
        await audit.RecordAsync(http, "api_key.created", "api_key", created.Key.Id, null, created.Key);
        return TypedResults.Created($"/api/keys/{created.Key.Id}", new CreatedApiKeyResponse(created.Key, created.Secret));
    }

    public static async Task<Ok<ListResponse<ApiKey>>> ListAsync(
        ApiKeyStore keys, int? limit, string? cursor, bool? includeRevoked, CancellationToken cancellationToken)
    {
        var page = await keys.ListAsync(includeRevoked ?? false, Page<ApiKey>.CheckLimit(limit), cursor, cancellationToken);
        return TypedResults.Ok(ListResponse<ApiKey>.From(page, k => k));
    }

    public static async Task<Ok<ApiKey>> GetAsync(string id, ApiKeyStore keys, CancellationToken cancellationToken) =>
        TypedResults.Ok(await keys.GetAsync(id, cancellationToken));

    public static async Task<Ok<ApiKey>> RevokeAsync(string id, ApiKeyStore keys, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var (before, after) = await keys.RevokeAsync(id, cancellationToken);
        if (before.RevokedAt is null)
        {
            await audit.RecordAsync(http, "api_key.revoked", "api_key", id, before, after);
        }
        return TypedResults.Ok(after);
    }
}

public sealed record CreateApiKeyRequest(string? Name, ApiKeyOwner? Owner, string? StaffId, IReadOnlyList<string>? Scopes, int? RateLimitPerMinute);

/// <summary>The new key and its secret, which is never shown again.</summary>
public sealed record CreatedApiKeyResponse(ApiKey Key, string Secret);
