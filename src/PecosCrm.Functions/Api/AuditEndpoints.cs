using Microsoft.AspNetCore.Http.HttpResults;
using PecosCrm.Core.Access;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Storage;

namespace PecosCrm.Functions.Api;

public static class AuditEndpoints
{
    public static IEndpointRouteBuilder MapAuditEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/audit", QueryAsync)
            .WithTags("Audit")
            .WithName("QueryAudit")
            .WithSummary("Changes newest first, filtered by actor, entity and time range.")
            .RequireAuthorization(Permissions.AuditRead);
        return app;
    }

    public static async Task<Ok<ListResponse<AuditEntry>>> QueryAsync(
        AuditLog audit, string? actorId, string? entityType, string? entityId, DateTimeOffset? from, DateTimeOffset? to,
        int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var page = await audit.QueryAsync(new AuditQuery(actorId, entityType, entityId, from, to), Page<AuditEntry>.CheckLimit(limit), cursor, cancellationToken);
        return TypedResults.Ok(ListResponse<AuditEntry>.From(page, e => e));
    }
}
