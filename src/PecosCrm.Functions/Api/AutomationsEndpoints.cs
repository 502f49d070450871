using Microsoft.AspNetCore.Http.HttpResults;
using PecosCrm.Core;
using PecosCrm.Core.Access;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Automation;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Segments;
using PecosCrm.Core.Storage;

namespace PecosCrm.Functions.Api;

public static class AutomationsEndpoints
{
    public static IEndpointRouteBuilder MapAutomationsEndpoints(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/automations").WithTags("Automations").RequireAuthorization(Permissions.AutomationsRead);
        var write = app.MapGroup("/api/automations").WithTags("Automations").RequireAuthorization(Permissions.AutomationsWrite);
        read.MapGet("/", ListAsync).WithName("ListAutomations");
        read.MapGet("/{id}", GetAsync).WithName("GetAutomation");
        read.MapGet("/{id}/versions", VersionsAsync).WithName("ListAutomationVersions");
        read.MapGet("/{id}/versions/{version:int}", VersionAsync).WithName("GetAutomationVersion");
        read.MapGet("/{id}/instances", InstancesAsync).WithName("ListAutomationInstances").WithSummary("Instances of the workflow, filtered by status (active, waiting, suspended, completed, goal, exited, terminated, failed).");
        read.MapGet("/{id}/analytics", AnalyticsAsync).WithName("GetAutomationAnalytics")
            .WithSummary("Enrolled, active, completed, exited by goal, emails sent/delivered/opened/clicked, conversion rate, revenue attributed, per step, and A/B split results with the winner.");
        read.MapGet("/instances/{instanceId}", InstanceAsync).WithName("GetAutomationInstance").WithSummary("An instance with its step history.");
        write.MapPost("/", CreateAsync).WithName("CreateAutomation").WithSummary("A workflow graph, checked with errors naming each node; created inactive.");
        write.MapPut("/{id}", SaveAsync).WithName("SaveAutomation").WithSummary("Saves a new version (If-Match honoured); running instances finish on the version they started.");
        write.MapPost("/{id}/activate", (string id, WorkflowStore store, AuditLog audit, HttpContext http, CancellationToken ct) => ActivateAsync(id, true, store, audit, http, ct)).WithName("ActivateAutomation");
        write.MapPost("/{id}/deactivate", (string id, WorkflowStore store, AuditLog audit, HttpContext http, CancellationToken ct) => ActivateAsync(id, false, store, audit, http, ct)).WithName("DeactivateAutomation");
        write.MapPost("/{id}/enrol", EnrolAsync).WithName("EnrolInAutomation").WithSummary("{ customerId } or { segmentId }: manual enrolment; the workflow must be active.");
        write.MapPost("/{id}/purge", PurgeAsync).WithName("PurgeAutomationInstances").WithSummary("Deletes the workflow's finished instances and their history.");
        write.MapPost("/instances/{instanceId}/suspend", (string instanceId, AutomationInstances runtime, AuditLog audit, HttpContext http, CancellationToken ct) =>
            ControlAsync(instanceId, "suspend", runtime.SuspendAsync(instanceId, ct), audit, http)).WithName("SuspendAutomationInstance");
        write.MapPost("/instances/{instanceId}/resume", (string instanceId, AutomationInstances runtime, AuditLog audit, HttpContext http, CancellationToken ct) =>
            ControlAsync(instanceId, "resume", runtime.ResumeAsync(instanceId, ct), audit, http)).WithName("ResumeAutomationInstance");
        write.MapPost("/instances/{instanceId}/terminate", (string instanceId, AutomationInstances runtime, AuditLog audit, HttpContext http, CancellationToken ct) =>
            ControlAsync(instanceId, "terminate", runtime.TerminateAsync(instanceId, "terminated by " + http.Actor().Name, ct), audit, http)).WithName("TerminateAutomationInstance");
        app.MapGet("/api/customers/{id}/automations", CustomerAutomationsAsync).WithTags("Automations").WithName("GetCustomerAutomations").RequireAuthorization(Permissions.AutomationsRead);
        return app;
    }

    public static async Task<Ok<ListResponse<Workflow>>> ListAsync(WorkflowStore store, int? limit, string? cursor, CancellationToken cancellationToken) =>
        TypedResults.Ok(ListResponse<Workflow>.Slice(await store.ListAsync(cancellationToken), limit, cursor));

    public static async Task<Ok<Workflow>> GetAsync(string id, WorkflowStore store, HttpContext http, CancellationToken cancellationToken)
    {
        var workflow = await store.GetAsync(id, cancellationToken);
        http.SetETag(workflow.ETag);
        return TypedResults.Ok(workflow);
    }

    public static async Task<Ok<ListResponse<int>>> VersionsAsync(string id, WorkflowStore store, int? limit, string? cursor, CancellationToken cancellationToken) =>
        TypedResults.Ok(ListResponse<int>.Slice(await store.VersionsAsync(id, cancellationToken), limit, cursor));

    public static async Task<Ok<WorkflowDefinition>> VersionAsync(string id, int version, WorkflowStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.VersionAsync(id, version, cancellationToken));

    public static async Task<Created<Workflow>> CreateAsync(WorkflowDefinition request, WorkflowStore store, WorkflowChecks checks, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        await WorkflowValidator.CheckAsync(request, checks.Context(cancellationToken));
        var workflow = await store.CreateAsync(request, http.Actor().Name, cancellationToken: cancellationToken);
        await audit.RecordAsync(http, "automation.created", "automation", workflow.Id, null, workflow.Definition);
        http.SetETag(workflow.ETag);
        return TypedResults.Created($"/api/automations/{workflow.Id}", workflow);
    }

    public static async Task<Ok<Workflow>> SaveAsync(string id, WorkflowDefinition request, WorkflowStore store, WorkflowChecks checks, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        await WorkflowValidator.CheckAsync(request, checks.Context(cancellationToken));
        var (before, after) = await store.SaveVersionAsync(id, request, http.IfMatch(), http.Actor().Name, cancellationToken);
        await audit.RecordAsync(http, "automation.saved", "automation", id, before.Definition, after.Definition);
        http.SetETag(after.ETag);
        return TypedResults.Ok(after);
    }

    public static async Task<Ok<Workflow>> ActivateAsync(string id, bool active, WorkflowStore store, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var workflow = await store.SetActiveAsync(id, active, cancellationToken);
        await audit.RecordAsync(http, active ? "automation.activated" : "automation.deactivated", "automation", id, null, null);
        return TypedResults.Ok(workflow);
    }

    public static async Task<Ok<EnrolResponse>> EnrolAsync(string id, EnrolRequest request, AutomationTriggers triggers, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        if ((request.CustomerId is null) == (request.SegmentId is null))
        {
            throw new ValidationFailedException("customerId", "give either customerId or segmentId.");
        }
        EnrolResponse response;
        if (request.CustomerId is { } customerId)
        {
            var (instance, refused) = await triggers.EnrolAsync(id, customerId, http.Actor().Name, cancellationToken);
            response = new EnrolResponse(instance is null ? 0 : 1, instance is null ? 1 : 0, refused is null ? new Dictionary<string, int>() : new() { [refused] = 1 }, instance?.Id);
        }
        else
        {
            var result = await triggers.EnrolSegmentAsync(id, request.SegmentId!, "segment " + request.SegmentId + " by " + http.Actor().Name, cancellationToken);
            response = new EnrolResponse(result.Enrolled, result.Skipped, result.SkippedBecause, null);
        }
        await audit.RecordAsync(http, "automation.enrolled", "automation", id, null, new { request, response.Enrolled, response.Skipped });
        return TypedResults.Ok(response);
    }

    public static async Task<Ok<ListResponse<WorkflowInstance>>> InstancesAsync(string id, string? status, WorkflowStore store, AutomationInstances runtime, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        await store.GetAsync(id, cancellationToken);
        var page = await runtime.ListAsync(id, QueryEnum.Parse<InstanceStatus>(status, "status"), Page<WorkflowInstance>.CheckLimit(limit), cursor, cancellationToken);
        return TypedResults.Ok(ListResponse<WorkflowInstance>.From(page, i => i));
    }

    public static async Task<Ok<WorkflowInstance>> InstanceAsync(string instanceId, AutomationInstances runtime, CancellationToken cancellationToken) =>
        TypedResults.Ok(await runtime.GetAsync(instanceId, cancellationToken));

    public static async Task<Ok<WorkflowAnalytics>> AnalyticsAsync(string id, AutomationAnalytics analytics, CancellationToken cancellationToken) =>
        TypedResults.Ok(await analytics.GetAsync(id, cancellationToken));

    public static async Task<Ok<PurgeResponse>> PurgeAsync(string id, WorkflowStore store, AutomationInstances runtime, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        await store.GetAsync(id, cancellationToken);
        var purged = await runtime.PurgeAsync(id, cancellationToken);
        await audit.RecordAsync(http, "automation.purged", "automation", id, null, new { purged });
        return TypedResults.Ok(new PurgeResponse(purged));
    }

    public static async Task<Ok<WorkflowInstance>> ControlAsync(string instanceId, string action, Task<WorkflowInstance> work, AuditLog audit, HttpContext http)
    {
        var instance = await work;
        await audit.RecordAsync(http, "automation_instance." + action, "automation_instance", instanceId, null, new { instance.Status });
        return TypedResults.Ok(instance);
    }

    public static async Task<Ok<ListResponse<WorkflowInstance>>> CustomerAutomationsAsync(
        string id, CustomerStore customers, AutomationInstances runtime, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        await customers.GetAsync(id, cancellationToken);
        return TypedResults.Ok(ListResponse<WorkflowInstance>.Slice(await runtime.ForCustomerAsync(id, cancellationToken), limit, cursor));
    }
}

public sealed record EnrolRequest(string? CustomerId, string? SegmentId);

public sealed record EnrolResponse(int Enrolled, int Skipped, IReadOnlyDictionary<string, int> SkippedBecause, string? InstanceId);

public sealed record PurgeResponse(int Purged);
