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
            .WithSummary("Write a segment's consenting members as a Facebook custom-audience or Google Customer Match upload file (normalised, SHA-256); answers a download link valid 15 minutes.");
        return app;
    }

    public static async Task<Created<AdAudienceResponse>> CreateAsync(
        AdAudienceRequest request, AdAudiences audiences, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var check = new Validation();
        check.Required("segmentId", request.SegmentId);
        if (request.Platform is null)
        {
            check.Add("platform", "is required: facebook or google.");
        }
        check.ThrowIfInvalid();
        var file = await audiences.WriteAsync(request.SegmentId!, request.Platform!.Value, cancellationToken);
        var response = new AdAudienceResponse(file.SegmentId, file.SegmentName, file.Platform, file.Rows, file.Skipped, file.CreatedAt, audiences.DownloadLink(file));
        await audit.RecordAsync(http, "audience.created", "segment", file.SegmentId, null, response with { DownloadUrl = null });
        return TypedResults.Created(response.DownloadUrl, response);
    }
}

public sealed record AdAudienceRequest(string? SegmentId, AdPlatform? Platform);

/// <summary>A written audience file: its rows, the members left out (no marketing consent, nothing to match on), and its link.</summary>
public sealed record AdAudienceResponse(string SegmentId, string SegmentName, AdPlatform Platform, int Rows, int Skipped, DateTimeOffset CreatedAt, Uri? DownloadUrl);
