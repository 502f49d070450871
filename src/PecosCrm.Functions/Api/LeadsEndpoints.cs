using Microsoft.AspNetCore.Http.HttpResults;
using PecosCrm.Core;
using PecosCrm.Core.Access;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Pipeline;
using PecosCrm.Core.Storage;

namespace PecosCrm.Functions.Api;

public static class LeadsEndpoints
{
    public static IEndpointRouteBuilder MapLeadsEndpoints(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/leads").WithTags("Leads").RequireAuthorization(Permissions.PipelineRead)
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        var write = app.MapGroup("/api/leads").WithTags("Leads").RequireAuthorization(Permissions.PipelineWrite)
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);

        read.MapGet("/", ListAsync).WithName("ListLeads")
            .WithSummary("Filter by status, source, assignedTo, nextActionFrom/nextActionTo (dates); company searches by the start of the company name.");
        read.MapGet("/sources", SourcesAsync).WithName("ListLeadSources");
        read.MapGet("/{id}", GetAsync).WithName("GetLead").WithSummary("The lead with its score and the score's parts.");
        read.MapGet("/{id}/activities", ActivitiesAsync).WithName("ListLeadActivities").WithSummary("The lead's timeline, newest first.");
        write.MapPost("/", CreateAsync).WithName("CreateLead");
        write.MapPatch("/{id}", UpdateAsync).WithName("UpdateLead")
            .WithSummary("Change some fields (an empty string clears a text field); a status change goes on the timeline. If-Match honoured.");
        write.MapPost("/{id}/activities", AddActivityAsync).WithName("AddLeadActivity").WithSummary("Log a call, email, meeting or note.");
        write.MapPost("/{id}/email-engagement", EmailEngagementAsync).WithName("RecordLeadEmailEngagement")
            .WithSummary("An email to the lead was opened or clicked; counts towards its score.");
        write.MapPost("/{id}/convert", ConvertAsync).WithName("ConvertLead")
            .WithSummary("Make the deal of a qualified lead. Repeating it answers the same deal (200) instead of making another (201).");
        write.MapPut("/sources", PutSourcesAsync).WithName("ReplaceLeadSources");
        return app;
    }

    public static async Task<Created<LeadResponse>> CreateAsync(LeadRequest request, LeadStore leads, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var lead = await leads.CreateAsync(request.ToFields(), http.Actor(), cancellationToken);
        await audit.RecordAsync(http, "lead.created", "lead", lead.Id, null, LeadResponse.From(lead));
        http.SetETag(lead.ETag);
        return TypedResults.Created($"/api/leads/{lead.Id}", LeadResponse.From(lead));
    }

    public static async Task<Ok<ListResponse<LeadResponse>>> ListAsync(
        LeadStore leads, string? status, string? source, string? assignedTo, DateOnly? nextActionFrom, DateOnly? nextActionTo, string? company,
        int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var query = new LeadQuery(QueryEnum.Parse<LeadStatus>(status, "status"), source, assignedTo, nextActionFrom, nextActionTo, company);
        var page = await leads.ListAsync(query, Page<Lead>.CheckLimit(limit), cursor, cancellationToken);
        return TypedResults.Ok(ListResponse<LeadResponse>.From(page, LeadResponse.From));
    }

    public static async Task<Ok<LeadResponse>> GetAsync(string id, LeadStore leads, HttpContext http, CancellationToken cancellationToken)
    {
        var lead = await leads.GetAsync(id, cancellationToken);
        http.SetETag(lead.ETag);
        return TypedResults.Ok(LeadResponse.From(lead));
    }

    public static async Task<Ok<LeadResponse>> UpdateAsync(string id, LeadRequest request, LeadStore leads, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var (before, after) = await leads.UpdateAsync(id, request.ToFields(), http.IfMatch(), http.Actor(), cancellationToken);
        await audit.RecordAsync(http, "lead.updated", "lead", id, LeadResponse.From(before), LeadResponse.From(after));
        http.SetETag(after.ETag);
        return TypedResults.Ok(LeadResponse.From(after));
    }

    public static async Task<Ok<ListResponse<PipelineActivity>>> ActivitiesAsync(
        string id, LeadStore leads, int? limit, string? cursor, CancellationToken cancellationToken) =>
        TypedResults.Ok(ListResponse<PipelineActivity>.From(await leads.ActivitiesAsync(id, Page<PipelineActivity>.CheckLimit(limit), cursor, cancellationToken), a => a));

    public static async Task<Created<PipelineActivity>> AddActivityAsync(
        string id, ActivityRequest request, LeadStore leads, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var activity = await leads.AddActivityAsync(id, request.ToActivity(), http.Actor(), cancellationToken);
        await audit.RecordAsync(http, "lead.activity_added", "lead", id, null, activity);
        return TypedResults.Created($"/api/leads/{id}/activities", activity);
    }

    public static async Task<Ok<LeadResponse>> EmailEngagementAsync(
        string id, EmailEngagementRequest request, LeadStore leads, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        if (request.Event is null)
        {
            throw new ValidationFailedException("event", "is required: open or click.");
        }
        var (before, after) = await leads.RecordEmailEngagementAsync(id, request.Event == EmailEngagementEvent.Click, cancellationToken);
        await audit.RecordAsync(http, "lead.email_engagement", "lead", id, before.Engagement, after.Engagement);
        http.SetETag(after.ETag);
        return TypedResults.Ok(LeadResponse.From(after));
    }

    public static async Task<Results<Created<ConversionResponse>, Ok<ConversionResponse>>> ConvertAsync(
        string id, ConvertLeadRequest? request, LeadConversion conversion, PipelineSettings settings, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var r = request ?? new ConvertLeadRequest(null, null, null, null, null);
        var result = await conversion.ConvertAsync(id, new ConversionRequest(r.PipelineId, r.Name, r.Value, r.Probability, r.ExpectedCloseDate), http.Actor(), cancellationToken);
        var pipeline = await settings.GetPipelineAsync(result.Deal.PipelineId, cancellationToken);
        var response = new ConversionResponse(result.LeadId, result.Deal.Id, result.CustomerId, result.WholesaleAccountId, DealResponse.From(result.Deal, pipeline));
        if (!result.Created)
        {
            return TypedResults.Ok(response);
        }
        await audit.RecordAsync(http, "lead.converted", "lead", id, null, new { dealId = result.Deal.Id });
        await audit.RecordAsync(http, "deal.created", "deal", result.Deal.Id, null, response.Deal);
        return TypedResults.Created($"/api/deals/{result.Deal.Id}", response);
    }

    public static async Task<Ok<ListResponse<string>>> SourcesAsync(PipelineSettings settings, int? limit, string? cursor, CancellationToken cancellationToken) =>
        TypedResults.Ok(ListResponse<string>.Slice(await settings.SourcesAsync(cancellationToken), limit, cursor));

    public static async Task<Ok<ListResponse<string>>> PutSourcesAsync(
        SourcesRequest request, PipelineSettings settings, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var (before, after) = await settings.PutSourcesAsync(request.Sources, cancellationToken);
        await audit.RecordAsync(http, "lead_sources.updated", "lead_sources", "lead", before, after);
        return TypedResults.Ok(ListResponse<string>.Slice(after, Page<string>.MaxLimit, null));
    }
}

public sealed record LeadRequest(
    string? Company, CompanyType? CompanyType, string? ContactName, string? Email, string? Phone, string? Source, LeadStatus? Status,
    decimal? EstimatedValue, int? Probability, string? AssignedTo, string? NextAction, DateOnly? NextActionDate, string? Notes, string? LostReason)
{
    public LeadFields ToFields() => new(Company, CompanyType, ContactName, Email, Phone, Source, Status, EstimatedValue, Probability, AssignedTo, NextAction, NextActionDate, Notes, LostReason);
}

public sealed record ActivityRequest(ActivityType? Type, string? Subject, string? Body, DateTimeOffset? OccurredAt)
{
    public NewActivity ToActivity() => new(Type, Subject, Body, OccurredAt);
}

public enum EmailEngagementEvent
{
    Open,
    Click,
}

public sealed record EmailEngagementRequest(EmailEngagementEvent? Event);

public sealed record ConvertLeadRequest(string? PipelineId, string? Name, decimal? Value, int? Probability, DateOnly? ExpectedCloseDate);

public sealed record SourcesRequest(IReadOnlyList<string>? Sources);

/// <summary>The lead's deal; <c>customerId</c> and <c>wholesaleAccountId</c> are set once the deal is won.</summary>
public sealed record ConversionResponse(string LeadId, string DealId, string? CustomerId, string? WholesaleAccountId, DealResponse Deal);

public sealed record LeadResponse(
    string Id, string Company, CompanyType? CompanyType, string? ContactName, string? Email, string? Phone, string Source, LeadStatus Status,
    decimal? EstimatedValue, string Currency, int? Probability, string? AssignedTo, string? AssignedToName, string? NextAction, DateOnly? NextActionDate,
    string? Notes, string? LostReason, LeadEngagement Engagement, int Score, LeadScore ScoreDetail, string? DealId, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static LeadResponse From(Lead l) => new(
        l.Id, l.Company, l.CompanyType, l.ContactName, l.Email, l.Phone, l.Source, l.Status,
        l.EstimatedValueCents is { } v ? Money.ToDecimal(v) : null, Money.DefaultCurrency, l.Probability, l.OwnerId, l.OwnerName, l.NextAction, l.NextActionDate,
        l.Notes, l.LostReason, l.Engagement, l.Score.Total, l.Score, l.DealId, l.CreatedAt, l.UpdatedAt);
}
