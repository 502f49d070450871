using Microsoft.AspNetCore.Http.HttpResults;
using PecosCrm.Core.Access;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Customers;

namespace PecosCrm.Functions.Api;

/// <summary>Notes, tags and related contacts of one customer.</summary>
public static class CustomerRelationsEndpoints
{
    public static IEndpointRouteBuilder MapCustomerRelationsEndpoints(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/customers/{id}").WithTags("Customers").RequireAuthorization(Permissions.CustomersRead);
        var write = app.MapGroup("/api/customers/{id}").WithTags("Customers").RequireAuthorization(Permissions.CustomersWrite);

        read.MapGet("/notes", ListNotesAsync).WithName("ListNotes").WithSummary("Pinned first, then newest first.");
        write.MapPost("/notes", AddNoteAsync).WithName("AddNote");
        write.MapPatch("/notes/{noteId}", UpdateNoteAsync).WithName("UpdateNote").WithSummary("Edit the body, or pin and unpin with { \"pinned\": true|false }.");
        write.MapDelete("/notes/{noteId}", DeleteNoteAsync).WithName("DeleteNote");

        read.MapGet("/tags", ListTagsAsync).WithName("ListCustomerTags");
        write.MapPut("/tags/{tagId}", AssignTagAsync).WithName("AssignTag");
        write.MapDelete("/tags/{tagId}", RemoveTagAsync).WithName("RemoveTag");

        read.MapGet("/related", ListRelatedAsync).WithName("ListRelatedContacts");
        read.MapGet("/related/suggestions", SuggestAsync).WithName("SuggestRelatedContacts").WithSummary("Customers who share a shipping address and are not linked yet.");
        write.MapPost("/related", LinkAsync).WithName("LinkContact");
        write.MapDelete("/related/{otherId}", UnlinkAsync).WithName("UnlinkContact");
        return app;
    }

    public static async Task<Ok<ListResponse<Note>>> ListNotesAsync(string id, NoteStore notes, int? limit, string? cursor, CancellationToken cancellationToken) =>
        TypedResults.Ok(ListResponse<Note>.Slice(await notes.ListAsync(id, cancellationToken: cancellationToken), limit, cursor));

    public static async Task<Created<Note>> AddNoteAsync(string id, NoteRequest request, NoteStore notes, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var note = await notes.AddAsync(id, request.Body, request.Pinned ?? false, http.Actor().Name, cancellationToken);
        await audit.RecordAsync(http, "note.created", "note", note.Id, null, note);
        return TypedResults.Created($"/api/customers/{id}/notes/{note.Id}", note);
    }

    public static async Task<Ok<Note>> UpdateNoteAsync(string id, string noteId, NoteRequest request, NoteStore notes, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var (before, after) = await notes.UpdateAsync(id, noteId, request.Body, request.Pinned, cancellationToken);
        await audit.RecordAsync(http, "note.updated", "note", noteId, before, after);
        return TypedResults.Ok(after);
    }

    public static async Task<NoContent> DeleteNoteAsync(string id, string noteId, NoteStore notes, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var deleted = await notes.DeleteAsync(id, noteId, cancellationToken);
        await audit.RecordAsync(http, "note.deleted", "note", noteId, deleted, null);
        return TypedResults.NoContent();
    }

    public static async Task<Ok<ListResponse<CustomerTag>>> ListTagsAsync(
        string id, CustomerStore customers, TagStore tags, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        await customers.GetAsync(id, cancellationToken);
        return TypedResults.Ok(ListResponse<CustomerTag>.Slice(await tags.ForCustomerAsync(id, cancellationToken), limit, cursor));
    }

    public static async Task<Ok<CustomerTag>> AssignTagAsync(string id, string tagId, TagStore tags, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var assigned = await tags.AssignAsync(id, tagId, http.Actor().Name, cancellationToken);
        await audit.RecordAsync(http, "customer.tagged", "customer", id, null, new { tagId, assigned.Name });
        return TypedResults.Ok(assigned);
    }

    public static async Task<Results<NoContent, NotFound>> RemoveTagAsync(string id, string tagId, TagStore tags, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        if (!await tags.RemoveAsync(id, tagId, http.Actor().Name, cancellationToken))
        {
            return TypedResults.NotFound();
        }
        await audit.RecordAsync(http, "customer.untagged", "customer", id, new { tagId }, null);
        return TypedResults.NoContent();
    }

    public static async Task<Ok<ListResponse<RelatedContact>>> ListRelatedAsync(string id, RelatedContactStore related, int? limit, string? cursor, CancellationToken cancellationToken) =>
        TypedResults.Ok(ListResponse<RelatedContact>.Slice(await related.ListAsync(id, cancellationToken), limit, cursor));

    public static async Task<Ok<ListResponse<CustomerSummary>>> SuggestAsync(string id, RelatedContactStore related, int? limit, string? cursor, CancellationToken cancellationToken) =>
        TypedResults.Ok(ListResponse<CustomerSummary>.Slice(await related.SuggestAsync(id, cancellationToken), limit, cursor));

    public static async Task<Created<RelatedContact>> LinkAsync(string id, LinkRequest request, RelatedContactStore related, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var link = await related.LinkAsync(id, request.CustomerId, request.Relationship, request.Note, http.Actor().Name, cancellationToken);
        await audit.RecordAsync(http, "customer.linked", "customer", id, null, link);
        return TypedResults.Created($"/api/customers/{id}/related", link);
    }

    public static async Task<Results<NoContent, NotFound>> UnlinkAsync(string id, string otherId, RelatedContactStore related, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        if (!await related.UnlinkAsync(id, otherId, cancellationToken))
        {
            return TypedResults.NotFound();
        }
        await audit.RecordAsync(http, "customer.unlinked", "customer", id, new { customerId = otherId }, null);
        return TypedResults.NoContent();
    }
}

public sealed record NoteRequest(string? Body, bool? Pinned);

public sealed record LinkRequest(string? CustomerId, Relationship? Relationship, string? Note);
