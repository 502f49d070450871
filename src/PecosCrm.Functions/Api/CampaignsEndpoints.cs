using Microsoft.AspNetCore.Http.HttpResults;
using PecosCrm.Core.Access;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Campaigns;
using PecosCrm.Core.Storage;

namespace PecosCrm.Functions.Api;

public static class CampaignsEndpoints
{
    public static IEndpointRouteBuilder MapCampaignsEndpoints(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/campaigns").WithTags("Campaigns").RequireAuthorization(Permissions.CampaignsRead);
        var write = app.MapGroup("/api/campaigns").WithTags("Campaigns").RequireAuthorization(Permissions.CampaignsWrite);
        read.MapGet("/", ListAsync).WithName("ListCampaigns").WithSummary("Campaigns newest first; filter by state.");
        read.MapGet("/{id}", GetAsync).WithName("GetCampaign").WithSummary("A campaign with its progress (recipients pending, sending, sent, retrying, skipped, failed, cancelled).");
        read.MapGet("/{id}/results", ResultsAsync).WithName("GetCampaignResults")
            .WithSummary("Recipients, sent, delivered, opened, clicked, bounced, unsubscribed, skipped by reason, failed, and attributed revenue, in total and per A/B variant.");
        read.MapGet("/{id}/recipients", RecipientsAsync).WithName("ListCampaignRecipients")
            .WithSummary("Recipients in customer id order with their state, variant, message, status and skip reason; filter by state and variant.");
        write.MapPost("/", CreateAsync).WithName("CreateCampaign")
            .WithSummary("A draft: name, audience (segmentId, or customerIds up to 50,000), content (subject with html/text and merge fields, or templateId), purpose, abTest, throttlePerMinute, attributionDays.");
        write.MapPatch("/{id}", UpdateAsync).WithName("UpdateCampaign").WithSummary("Change a draft (or a paused campaign's name and content); If-Match honoured.");
        write.MapDelete("/{id}", DeleteAsync).WithName("DeleteCampaign").WithSummary("Delete a draft; If-Match honoured.");
        write.MapPost("/{id}/start", StartAsync).WithName("StartCampaign").WithSummary("Send a draft now, or at sendAt (scheduled).");
        write.MapPost("/{id}/pause", PauseAsync).WithName("PauseCampaign").WithSummary("Stop sending; batches stop within about a second.");
        write.MapPost("/{id}/resume", ResumeAsync).WithName("ResumeCampaign").WithSummary("Send to the recipients a paused campaign has not reached yet.");
        write.MapPost("/{id}/cancel", CancelAsync).WithName("CancelCampaign").WithSummary("Stop for good; recipients not reached are marked cancelled.");
        return app;
    }

    public static async Task<Ok<ListResponse<Campaign>>> ListAsync(CampaignStore store, string? state, int? limit, string? cursor, CancellationToken cancellationToken) =>
        TypedResults.Ok(ListResponse<Campaign>.From(
            await store.ListAsync(QueryEnum.Parse<CampaignState>(state, "state"), Page<Campaign>.CheckLimit(limit), cursor, cancellationToken), c => c));

    public static async Task<Ok<Campaign>> GetAsync(string id, CampaignService campaigns, HttpContext http, CancellationToken cancellationToken)
    {
        var campaign = await campaigns.GetAsync(id, cancellationToken);
        http.SetETag(campaign.ETag);
        return TypedResults.Ok(campaign);
    }

    public static async Task<Ok<CampaignResults>> ResultsAsync(string id, CampaignReports reports, CancellationToken cancellationToken) =>
        TypedResults.Ok(await reports.GetResultsAsync(id, cancellationToken));

    public static async Task<Ok<ListResponse<CampaignRecipient>>> RecipientsAsync(
        string id, string? state, string? variant, CampaignStore store, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var page = await store.RecipientsAsync(id, QueryEnum.Parse<RecipientState>(state, "state"), variant?.ToUpperInvariant(), Page<CampaignRecipient>.CheckLimit(limit), cursor, cancellationToken);
        return TypedResults.Ok(ListResponse<CampaignRecipient>.From(page, r => r));
    }

    public static async Task<Created<Campaign>> CreateAsync(CampaignDraft request, CampaignService campaigns, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var campaign = await campaigns.CreateAsync(request, http.Actor().Name, cancellationToken);
        await audit.RecordAsync(http, "campaign.created", "campaign", campaign.Id, null, campaign);
        http.SetETag(campaign.ETag);
        return TypedResults.Created($"/api/campaigns/{campaign.Id}", campaign);
    }

    public static async Task<Ok<Campaign>> UpdateAsync(string id, CampaignChange request, CampaignService campaigns, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var (before, after) = await campaigns.UpdateAsync(id, request, http.IfMatch(), cancellationToken);
        await audit.RecordAsync(http, "campaign.updated", "campaign", id, before, after);
        http.SetETag(after.ETag);
        return TypedResults.Ok(after);
    }

    public static async Task<NoContent> DeleteAsync(string id, CampaignService campaigns, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var deleted = await campaigns.DeleteAsync(id, http.IfMatch(), cancellationToken);
        await audit.RecordAsync(http, "campaign.deleted", "campaign", id, deleted, null);
        return TypedResults.NoContent();
    }

    public static async Task<Accepted<Campaign>> StartAsync(string id, StartCampaignRequest? request, CampaignService campaigns, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var (before, after) = await campaigns.StartAsync(id, request?.SendAt, http.IfMatch(), cancellationToken);
        await audit.RecordAsync(http, after.State == CampaignState.Scheduled ? "campaign.scheduled" : "campaign.started", "campaign", id,
            new { before.State }, new { after.State, after.SendAt });
        http.SetETag(after.ETag);
        return TypedResults.Accepted($"/api/campaigns/{id}", after);
    }

    public static Task<Ok<Campaign>> PauseAsync(string id, CampaignService campaigns, AuditLog audit, HttpContext http, CancellationToken cancellationToken) =>
        ChangeStateAsync(http, audit, id, "campaign.paused", campaigns.PauseAsync(id, http.IfMatch(), cancellationToken));

    public static Task<Ok<Campaign>> ResumeAsync(string id, CampaignService campaigns, AuditLog audit, HttpContext http, CancellationToken cancellationToken) =>
        ChangeStateAsync(http, audit, id, "campaign.resumed", campaigns.ResumeAsync(id, http.IfMatch(), cancellationToken));

    public static Task<Ok<Campaign>> CancelAsync(string id, CampaignService campaigns, AuditLog audit, HttpContext http, CancellationToken cancellationToken) =>
        ChangeStateAsync(http, audit, id, "campaign.cancelled", campaigns.CancelAsync(id, http.IfMatch(), cancellationToken));

    private static async Task<Ok<Campaign>> ChangeStateAsync(HttpContext http, AuditLog audit, string id, string action, Task<(Campaign Before, Campaign After)> change)
    {
        var (before, after) = await change;
        await audit.RecordAsync(http, action, "campaign", id, new { before.State }, new { after.State });
        http.SetETag(after.ETag);
        return TypedResults.Ok(after);
    }
}

/// <summary>When to send: now when empty or in the past.</summary>
public sealed record StartCampaignRequest(DateTimeOffset? SendAt);
