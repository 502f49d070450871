using Microsoft.AspNetCore.Http.HttpResults;
using PecosCrm.Core.Access;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Shared;
using PecosCrm.Core.Support;

namespace PecosCrm.Functions.Api;

/// <summary>SLA policies, escalation rules, canned responses, and the SLA sweep on demand.</summary>
public static class SupportSettingsEndpoints
{
    public static IEndpointRouteBuilder MapSupportSettingsEndpoints(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/support").WithTags("Support").RequireAuthorization(Permissions.SupportRead);
        var write = app.MapGroup("/api/support").WithTags("Support").RequireAuthorization(Permissions.SupportWrite);

        read.MapGet("/sla-policies", PoliciesAsync).WithName("GetSlaPolicies").WithSummary("The ordered SLA policies; the first that matches a ticket applies.");
        write.MapPut("/sla-policies", SavePoliciesAsync).WithName("SaveSlaPolicies").WithSummary("Replace the ordered list. If-Match honoured.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status412PreconditionFailed);
        read.MapGet("/escalation-rules", RulesAsync).WithName("GetEscalationRules");
        write.MapPut("/escalation-rules", SaveRulesAsync).WithName("SaveEscalationRules").WithSummary("Replace the list. If-Match honoured.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status412PreconditionFailed);

        read.MapGet("/canned-responses", ListCannedAsync).WithName("ListCannedResponses").WithSummary("By category, with usage counts.").ProducesValidationProblem();
        read.MapGet("/canned-responses/{id}", GetCannedAsync).WithName("GetCannedResponse").ProducesProblem(StatusCodes.Status404NotFound);
        write.MapPost("/canned-responses", CreateCannedAsync).WithName("CreateCannedResponse").ProducesValidationProblem();
        write.MapPatch("/canned-responses/{id}", UpdateCannedAsync).WithName("UpdateCannedResponse")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        write.MapDelete("/canned-responses/{id}", DeleteCannedAsync).WithName("DeleteCannedResponse").ProducesProblem(StatusCodes.Status404NotFound);

        app.MapPost("/api/support/sweep", SweepAsync).WithTags("Support").RequireAuthorization(Permissions.JobsRun).WithName("RunSlaSweep")
            .WithSummary("Run the SLA sweep now (the SupportSla timer runs it every minute): states and escalations.");
        return app;
    }

    public static async Task<Ok<PoliciesResponse>> PoliciesAsync(SupportSettings settings, HttpContext http, CancellationToken cancellationToken)
    {
        var policies = await settings.PoliciesAsync(cancellationToken);
        http.SetETag(policies.ETag);
        return TypedResults.Ok(new PoliciesResponse(policies.Items));
    }

    public static async Task<Ok<PoliciesResponse>> SavePoliciesAsync(
        PoliciesResponse request, SupportSettings settings, StoreTime storeTime, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        SlaPolicies.Validate(request.Policies, id => id is not null && TimeZoneInfo.TryFindSystemTimeZoneById(id, out _));
        var before = await settings.PoliciesAsync(cancellationToken);
        var saved = await settings.SavePoliciesAsync(request.Policies!, http.IfMatch(), cancellationToken);
        await audit.RecordAsync(http, "support.sla_policies_saved", "support_settings", "sla-policies", before.Items, saved.Items);
        http.SetETag(saved.ETag);
        return TypedResults.Ok(new PoliciesResponse(saved.Items));
    }

    public static async Task<Ok<RulesResponse>> RulesAsync(SupportSettings settings, HttpContext http, CancellationToken cancellationToken)
    {
        var rules = await settings.EscalationsAsync(cancellationToken);
        http.SetETag(rules.ETag);
        return TypedResults.Ok(new RulesResponse(rules.Items));
    }

    public static async Task<Ok<RulesResponse>> SaveRulesAsync(
        RulesResponse request, SupportSettings settings, TicketService tickets, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        await tickets.CheckEscalationRulesAsync(request.Rules, cancellationToken);
        var before = await settings.EscalationsAsync(cancellationToken);
        var saved = await settings.SaveEscalationsAsync(request.Rules!, http.IfMatch(), cancellationToken);
        await audit.RecordAsync(http, "support.escalation_rules_saved", "support_settings", "escalation-rules", before.Items, saved.Items);
        http.SetETag(saved.ETag);
        return TypedResults.Ok(new RulesResponse(saved.Items));
    }

    public static async Task<Ok<ListResponse<CannedResponse>>> ListCannedAsync(CannedResponses canned, string? category, int? limit, string? cursor, CancellationToken cancellationToken) =>
        TypedResults.Ok(ListResponse<CannedResponse>.Slice(await canned.ListAsync(QueryEnum.Parse<TicketCategory>(category, "category"), cancellationToken), limit, cursor));

    public static async Task<Ok<CannedResponse>> GetCannedAsync(string id, CannedResponses canned, HttpContext http, CancellationToken cancellationToken)
    {
        var response = await canned.GetAsync(id, cancellationToken);
        http.SetETag(response.ETag);
        return TypedResults.Ok(response);
    }

    public static async Task<Created<CannedResponse>> CreateCannedAsync(CannedResponseRequest request, CannedResponses canned, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var created = await canned.CreateAsync(request, cancellationToken);
        await audit.RecordAsync(http, "support.canned_response_created", "canned_response", created.Id, null, created);
        http.SetETag(created.ETag);
        return TypedResults.Created($"/api/support/canned-responses/{created.Id}", created);
    }

    public static async Task<Ok<CannedResponse>> UpdateCannedAsync(string id, CannedResponseRequest request, CannedResponses canned, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var (before, after) = await canned.UpdateAsync(id, request, http.IfMatch(), cancellationToken);
        await audit.RecordAsync(http, "support.canned_response_updated", "canned_response", id, before, after);
        http.SetETag(after.ETag);
        return TypedResults.Ok(after);
    }

    public static async Task<NoContent> DeleteCannedAsync(string id, CannedResponses canned, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var deleted = await canned.DeleteAsync(id, cancellationToken);
        await audit.RecordAsync(http, "support.canned_response_deleted", "canned_response", id, deleted, null);
        return TypedResults.NoContent();
    }

    public static async Task<Ok<SweepResult>> SweepAsync(TicketSweep sweep, CancellationToken cancellationToken) =>
        TypedResults.Ok(await sweep.RunAsync(cancellationToken));
}

public sealed record PoliciesResponse(IReadOnlyList<SlaPolicy>? Policies);

public sealed record RulesResponse(IReadOnlyList<EscalationRule>? Rules);
