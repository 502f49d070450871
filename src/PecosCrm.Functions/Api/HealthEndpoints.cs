using Microsoft.AspNetCore.Http.HttpResults;
using PecosCrm.Core.Storage;

namespace PecosCrm.Functions.Api;

public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/health", GetHealthAsync)
            .WithTags("Health")
            .WithName("GetHealth")
            .WithSummary("Whether the app and its storage answer. No API key needed; limited per address like every anonymous call.")
            .AllowAnonymous();
        return app;
    }

    public static async Task<Results<Ok<HealthResponse>, JsonHttpResult<HealthResponse>>> GetHealthAsync(
        StorageInitializer storage, TimeProvider time, CancellationToken cancellationToken)
    {
        var reachable = await storage.IsStorageReachableAsync(cancellationToken);
        var response = new HealthResponse(reachable ? "healthy" : "unhealthy", reachable ? "ok" : "unreachable", time.GetUtcNow());
        return reachable
            ? TypedResults.Ok(response)
            : TypedResults.Json(response, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}

public sealed record HealthResponse(string Status, string Storage, DateTimeOffset CheckedAt);
