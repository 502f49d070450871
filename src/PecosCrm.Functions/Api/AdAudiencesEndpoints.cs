using Microsoft.AspNetCore.Http.HttpResults;
using PecosCrm.Core.Access;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Integrations.Audiences;

namespace PecosCrm.Functions.Api;

public static class AdAudiencesEndpoints
{
    public static IEndpointRouteBuilder MapAdAudiencesEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/integrations/audiences", CreateAsync).WithTags("Integrations").RequireAuthorization(Permissions.IntegrationsWrite)
            .WithName("CreateAdAudienceFile")
            .WithSummary("Write a segment's consenting members as a Facebook custom-audience or Google Customer Match upload file (normalised, SHA-256). "
                + "201 with a download link valid 15 minutes; for a segment above AdAudiences__MaxMembersOnRequest members, 202 with a job to poll.");
        app.MapGet("/api/integrations/audiences/jobs/{id}", GetJobAsync).WithTags("Integrations").RequireAuthorization(Permissions.IntegrationsRead)
            .WithName("GetAdAudienceJob")
            .WithSummary("A queued audience file: queued, running, done (with rows, skipped and a download link valid 15 minutes) or failed.");
        return app;
    }

    public static async Task<Results<Created<AdAudienceResponse>, Accepted<AdAudienceJobResponse>>> CreateAsync(
        AdAudienceRequest request, AdAudienceJobs jobs, AdAudiences audiences, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var check = new Validation();
        check.Required("segmentId", request.SegmentId);
        if (request.Platform is null)
        {
            check.Add("platform", "is required: facebook or google.");
        }
        check.ThrowIfInvalid();
        var (file, job) = await jobs.CreateAsync(request.SegmentId!, request.Platform!.Value, http.Actor().Name, cancellationToken);
        if (job is not null)
        {
            var queued = AdAudienceJobResponse.From(job, null);
            await audit.RecordAsync(http, "audience.queued", "segment", job.SegmentId, null, queued);
            return TypedResults.Accepted($"/api/integrations/audiences/jobs/{job.Id}", queued);
        }
        var response = new AdAudienceResponse(file!.SegmentId, file.SegmentName, file.Platform, file.Rows, file.Skipped, file.CreatedAt, audiences.DownloadLink(file));
        await audit.RecordAsync(http, "audience.created", "segment", file.SegmentId, null, response with { DownloadUrl = null });
        return TypedResults.Created(response.DownloadUrl, response);
    }

    public static async Task<Ok<AdAudienceJobResponse>> GetJobAsync(string id, AdAudienceJobs jobs, CancellationToken cancellationToken)
    {
        var job = await jobs.GetAsync(id, cancellationToken);
        return TypedResults.Ok(AdAudienceJobResponse.From(job, jobs.DownloadLink(job)));
    }
}

public sealed record AdAudienceRequest(string? SegmentId, AdPlatform? Platform);

/// <summary>A written audience file: its rows, the members left out (no marketing consent, nothing to match on), and its link.</summary>
public sealed record AdAudienceResponse(string SegmentId, string SegmentName, AdPlatform Platform, int Rows, int Skipped, DateTimeOffset CreatedAt, Uri? DownloadUrl);

/// <summary>An audience file made by a queued job; <c>downloadUrl</c> once it is done.</summary>
public sealed record AdAudienceJobResponse(
    string Id, string SegmentId, string SegmentName, AdPlatform Platform, AdAudienceJobStatus Status, int? Rows, int? Skipped, string? Error,
    DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt, Uri? DownloadUrl)
{
    public static AdAudienceJobResponse From(AdAudienceJob job, Uri? link) =>
        new(job.Id, job.SegmentId, job.SegmentName, job.Platform, job.Status, job.Rows, job.Skipped, job.Error, job.CreatedAt, job.FinishedAt, link);
}
