using Microsoft.AspNetCore.Http.HttpResults;
using PecosCrm.Core.Access;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Messaging.Templates;
using PecosCrm.Core.Storage;

namespace PecosCrm.Functions.Api;

public static class TemplatesEndpoints
{
    public static IEndpointRouteBuilder MapTemplatesEndpoints(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/templates").WithTags("Templates").RequireAuthorization(Permissions.MessagesRead);
        var write = app.MapGroup("/api/templates").WithTags("Templates").RequireAuthorization(Permissions.MessagesWrite);
        read.MapGet("/variables", Variables).WithName("ListTemplateVariables")
            .WithSummary("The variable catalogue: every {{name}} a template may use, what it holds and an example; order.items lists the fields of each item.");
        read.MapGet("/", ListAsync).WithName("ListTemplates").WithSummary("Templates without their bodies, in id order; filter by category and active.");
        read.MapGet("/{id}", GetAsync).WithName("GetTemplate");
        read.MapGet("/{id}/versions", VersionsAsync).WithName("ListTemplateVersions").WithSummary("Every saved version, oldest first, without the bodies.");
        read.MapGet("/{id}/versions/{version:int}", VersionAsync).WithName("GetTemplateVersion").WithSummary("One version with its subject and bodies as they were saved.");
        read.MapPost("/{id}/preview", PreviewAsync).WithName("PreviewTemplate")
            .WithSummary("Render for a customer (and one of their orders), or for sample data without a customerId; links are placeholders. Nothing is sent or saved.");
        write.MapPost("/", CreateAsync).WithName("CreateTemplate")
            .WithSummary("name, category, subject, html, text (derived from the html when absent), active. Unknown variables and broken syntax are a 400 naming the field, line and column.");
        write.MapPatch("/{id}", UpdateAsync).WithName("UpdateTemplate")
            .WithSummary("A change of name, category, subject or a body makes a new version; an empty text goes back to deriving it. If-Match honoured.");
        write.MapDelete("/{id}", DeleteAsync).WithName("DeleteTemplate")
            .WithSummary("Deletes a template and its versions; a pre-built one can only be deactivated (409). If-Match honoured.");
        return app;
    }

    public static Ok<ListResponse<TemplateVariable>> Variables(int? limit, string? cursor) => TypedResults.Ok(ListResponse<TemplateVariable>.Slice(TemplateVariables.All, limit, cursor));

    public static async Task<Ok<ListResponse<TemplateSummary>>> ListAsync(
        TemplateStore store, string? category, bool? active, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var page = await store.ListAsync(QueryEnum.Parse<TemplateCategory>(category, "category"), active, Page<TemplateSummary>.CheckLimit(limit), cursor, cancellationToken);
        return TypedResults.Ok(ListResponse<TemplateSummary>.From(page, t => t));
    }

    public static async Task<Ok<EmailTemplate>> GetAsync(string id, TemplateStore store, HttpContext http, CancellationToken cancellationToken)
    {
        var template = await store.GetAsync(id, cancellationToken);
        http.SetETag(template.ETag);
        return TypedResults.Ok(template);
    }

    public static async Task<Ok<ListResponse<TemplateVersionSummary>>> VersionsAsync(
        string id, TemplateStore store, int? limit, string? cursor, CancellationToken cancellationToken) =>
        TypedResults.Ok(ListResponse<TemplateVersionSummary>.From(
            await store.VersionsAsync(id, Page<TemplateVersionSummary>.CheckLimit(limit), cursor, cancellationToken), v => v));

    public static async Task<Ok<TemplateVersion>> VersionAsync(string id, int version, TemplateStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.GetVersionAsync(id, version, cancellationToken));

    public static async Task<Ok<RenderedEmail>> PreviewAsync(
        string id, TemplatePreviewRequest? request, TemplateService templates, CancellationToken cancellationToken) =>
        TypedResults.Ok(await templates.PreviewAsync(id, request?.CustomerId, request?.OrderId, cancellationToken));

    public static async Task<Created<EmailTemplate>> CreateAsync(TemplateDraft request, TemplateService templates, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var template = await templates.CreateAsync(request, http.Actor().Name, cancellationToken);
        await audit.RecordAsync(http, "template.created", "template", template.Id, null, template);
        http.SetETag(template.ETag);
        return TypedResults.Created($"/api/templates/{template.Id}", template);
    }

    public static async Task<Ok<EmailTemplate>> UpdateAsync(
        string id, TemplateChange request, TemplateService templates, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var (before, after) = await templates.UpdateAsync(id, request, http.IfMatch(), http.Actor().Name, cancellationToken);
        if (!ReferenceEquals(before, after))
        {
            await audit.RecordAsync(http, "template.updated", "template", id, before, after);
        }
        http.SetETag(after.ETag);
        return TypedResults.Ok(after);
    }

    public static async Task<NoContent> DeleteAsync(string id, TemplateService templates, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var deleted = await templates.DeleteAsync(id, http.IfMatch(), cancellationToken);
        await audit.RecordAsync(http, "template.deleted", "template", id, deleted, null);
        return TypedResults.NoContent();
    }
}

/// <summary>Whom to preview a template for: a customer and optionally one of their orders; neither for sample data.</summary>
public sealed record TemplatePreviewRequest(string? CustomerId, string? OrderId);
