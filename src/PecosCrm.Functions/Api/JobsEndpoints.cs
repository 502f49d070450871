using Microsoft.AspNetCore.Http.HttpResults;
using PecosCrm.Core.Access;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Customers;

namespace PecosCrm.Functions.Api;

public static class JobsEndpoints
{
    public static IEndpointRouteBuilder MapJobsEndpoints(this IEndpointRouteBuilder app)
    {
        var jobs = app.MapGroup("/api/jobs").WithTags("Jobs").RequireAuthorization(Permissions.JobsRun);
        jobs.MapPost("/recompute", StartRecomputeAsync).WithName("StartRecompute")
            .WithSummary("Run the nightly recompute now: time-dependent auto-tags and health, one card per customer, in shards.");
        jobs.MapGet("/{id}", GetAsync).WithName("GetJob").WithSummary("State, shards done of total, customers processed and changed, errors, start and end.");
        return app;
    }

    public static async Task<Accepted<RecomputeJob>> StartRecomputeAsync(RecomputeService recompute, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var job = await recompute.StartAsync(http.Actor().Name, cancellationToken);
        await audit.RecordAsync(http, "recompute.started", "job", job.Id, null, null);
        return TypedResults.Accepted($"/api/jobs/{job.Id}", job);
    }

    public static async Task<Ok<RecomputeJob>> GetAsync(string id, RecomputeService recompute, CancellationToken cancellationToken) =>
        TypedResults.Ok(await recompute.GetAsync(id, cancellationToken));
}
