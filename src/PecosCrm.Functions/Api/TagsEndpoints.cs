using Microsoft.AspNetCore.Http.HttpResults;
using PecosCrm.Core.Access;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Storage;

namespace PecosCrm.Functions.Api;

public static class TagsEndpoints
{
    public static IEndpointRouteBuilder MapTagsEndpoints(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/tags").WithTags("Tags").RequireAuthorization(Permissions.CustomersRead);
        var write = app.MapGroup("/api/tags").WithTags("Tags").RequireAuthorization(Permissions.CustomersWrite);
        read.MapGet("/", ListAsync).WithName("ListTags").WithSummary("Automatic tags (isAuto) and custom tags.");
        read.MapGet("/{id}", GetAsync).WithName("GetTag");
        read.MapGet("/{id}/customers", MembersAsync).WithName("ListTagCustomers");
        write.MapPost("/", CreateAsync).WithName("CreateTag");
        write.MapPatch("/{id}", UpdateAsync).WithName("UpdateTag").WithSummary("Rename, recolour or describe a custom tag.");
        write.MapDelete("/{id}", DeleteAsync).WithName("DeleteTag").WithSummary("Deletes a custom tag and removes it from every customer.");
        return app;
    }

    public static async Task<Ok<ListResponse<Tag>>> ListAsync(TagStore tags, int? limit, string? cursor, CancellationToken cancellationToken) =>
        TypedResults.Ok(ListResponse<Tag>.Slice(await tags.ListAsync(cancellationToken), limit, cursor));

    public static async Task<Ok<Tag>> GetAsync(string id, TagStore tags, CancellationToken cancellationToken) =>
        TypedResults.Ok(await tags.GetAsync(id, cancellationToken));

    public static async Task<Ok<ListResponse<CustomerSummary>>> MembersAsync(
        string id, TagStore tags, CustomerStore customers, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var ids = await tags.MemberIdsAsync(id, Page<string>.CheckLimit(limit), cursor, cancellationToken);
        var found = await Task.WhenAll(ids.Items.Select(c => customers.FindAsync(c, cancellationToken)));
        return TypedResults.Ok(new ListResponse<CustomerSummary>(found.OfType<Customer>().Select(CustomerSummary.From).ToList(), ids.NextCursor));
    }

    public static async Task<Created<Tag>> CreateAsync(TagRequest request, TagStore tags, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var tag = await tags.CreateAsync(request.Name, request.Color, request.Description, cancellationToken);
        await audit.RecordAsync(http, "tag.created", "tag", tag.Id, null, tag);
        return TypedResults.Created($"/api/tags/{tag.Id}", tag);
    }

    public static async Task<Ok<Tag>> UpdateAsync(string id, TagRequest request, TagStore tags, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var (before, after) = await tags.UpdateAsync(id, request.Name, request.Color, request.Description, cancellationToken);
        await audit.RecordAsync(http, "tag.updated", "tag", id, before, after);
        return TypedResults.Ok(after);
    }

    public static async Task<NoContent> DeleteAsync(string id, TagStore tags, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var deleted = await tags.DeleteAsync(id, http.Actor().Name, cancellationToken);
        await audit.RecordAsync(http, "tag.deleted", "tag", id, deleted, null);
        return TypedResults.NoContent();
    }
}

public sealed record TagRequest(string? Name, string? Color, string? Description);
