using Microsoft.AspNetCore.Http.HttpResults;
using PecosCrm.Core;
using PecosCrm.Core.Access;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Exports;
using PecosCrm.Core.Segments;
using PecosCrm.Core.Storage;

namespace PecosCrm.Functions.Api;

public static class SegmentsEndpoints
{
    public static IEndpointRouteBuilder MapSegmentsEndpoints(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/segments").WithTags("Segments").RequireAuthorization(Permissions.SegmentsRead);
        var write = app.MapGroup("/api/segments").WithTags("Segments").RequireAuthorization(Permissions.SegmentsWrite);
        read.MapGet("/fields", FieldsAsync).WithName("ListSegmentFields")
            .WithSummary("The fields rules can test, each with its kind, operators, choices, unit and whether it takes a withinDays window.");
        read.MapPost("/preview", PreviewAsync).WithName("PreviewSegment")
            .WithSummary("Count and sample (by lifetime value) of the customers that rules match now, without saving. Rules are checked with errors naming each node.");
        read.MapGet("/", ListAsync).WithName("ListSegments");
        read.MapGet("/{id}", GetAsync).WithName("GetSegment");
        read.MapGet("/{id}/members", MembersAsync).WithName("ListSegmentMembers").WithSummary("Members as of the last refresh, in customer id order, paged.");
        read.MapGet("/{id}/history", HistoryAsync).WithName("ListSegmentHistory").WithSummary("Who joined and left the segment, and when, newest first.");
        read.MapGet("/{id}/explain/{customerId}", ExplainAsync).WithName("ExplainSegment")
            .WithSummary("Which conditions the customer meets or fails, with the customer's values, and whether the customer is a member.");
        read.MapGet("/{id}/actions", ActionsAsync).WithName("ListSegmentActions");
        read.MapGet("/actions/{actionId}", ActionAsync).WithName("GetSegmentAction").WithSummary("Progress of a segment action and, for codes and audiences, a download link valid for 15 minutes.");
        write.MapPost("/", CreateAsync).WithName("CreateSegment")
            .WithSummary("A dynamic segment (rules; members refreshed nightly and on demand) or a static one (customerIds, or rules evaluated once and frozen).");
        write.MapPatch("/{id}", UpdateAsync).WithName("UpdateSegment").WithSummary("Name, description, or the rules of a dynamic segment; If-Match honoured.");
        write.MapDelete("/{id}", DeleteAsync).WithName("DeleteSegment");
        write.MapPost("/{id}/refresh", RefreshAsync).WithName("RefreshSegment").WithSummary("Re-evaluate a dynamic segment now and record who joined and left.");
        write.MapPost("/{id}/members", AddMembersAsync).WithName("AddSegmentMembers").WithSummary("Add customers to a static segment.");
        write.MapDelete("/{id}/members/{customerId}", RemoveMemberAsync).WithName("RemoveSegmentMember").WithSummary("Take a customer out of a static segment.");
        write.MapPost("/{id}/export", ExportAsync).WithName("ExportSegment")
            .WithSummary("Refresh a dynamic segment, then export its members (format, fields) like POST /api/exports with kind segment.");
        write.MapPost("/{id}/actions", StartActionAsync).WithName("StartSegmentAction")
            .WithSummary("add_tag or remove_tag (tagId), discount_codes (discountKind, value, expiresAt, codePrefix) or audience (hashed emails); a job with progress.");

        app.MapGet("/api/customers/{id}/segments", CustomerSegmentsAsync).WithTags("Segments").WithName("GetCustomerSegments")
            .WithSummary("The segments the customer is in now, and their joins and leaves, newest first.").RequireAuthorization(Permissions.SegmentsRead);
        app.MapGet("/api/customers/{id}/discount-codes", CustomerCodesAsync).WithTags("Segments").WithName("GetCustomerDiscountCodes").RequireAuthorization(Permissions.CustomersRead);
        app.MapGet("/api/discount-codes/{code}", CodeAsync).WithTags("Segments").WithName("GetDiscountCode")
            .WithSummary("Who a discount code was issued to, its value and expiry (for the store's checkout).").RequireAuthorization(Permissions.CustomersRead);
        return app;
    }

    public static Ok<ListResponse<SegmentFieldResponse>> FieldsAsync(int? limit, string? cursor) =>
        TypedResults.Ok(ListResponse<SegmentFieldResponse>.Slice(SegmentFields.All.Select(f =>
            new SegmentFieldResponse(f.Name, f.Kind, f.Description, SegmentFields.Operators[f.Kind], f.Choices, f.Windowed, f.Unit)).ToList(), limit, cursor));

    public static async Task<Ok<SegmentPreview>> PreviewAsync(PreviewRequest request, SegmentService segments, CancellationToken cancellationToken) =>
        TypedResults.Ok(await segments.PreviewAsync(request.Rules, request.SampleSize, cancellationToken));

    public static async Task<Ok<ListResponse<Segment>>> ListAsync(SegmentStore store, int? limit, string? cursor, CancellationToken cancellationToken) =>
        TypedResults.Ok(ListResponse<Segment>.From(await store.ListAsync(Page<Segment>.CheckLimit(limit), cursor, cancellationToken), s => s));

    public static async Task<Ok<Segment>> GetAsync(string id, SegmentStore store, HttpContext http, CancellationToken cancellationToken)
    {
        var segment = await store.GetAsync(id, cancellationToken);
        http.SetETag(segment.ETag);
        return TypedResults.Ok(segment);
    }

    /// <summary>Members with the name and email a person reads beside each id (a point read per member, in parallel).</summary>
    public static async Task<Ok<ListResponse<SegmentMemberResponse>>> MembersAsync(
        string id, SegmentStore store, CustomerStore customers, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var page = await store.MembersAsync(id, Page<SegmentMember>.CheckLimit(limit), cursor, cancellationToken);
        var found = await Task.WhenAll(page.Items.Select(m => customers.FindAsync(m.CustomerId, cancellationToken)));
        return TypedResults.Ok(new ListResponse<SegmentMemberResponse>(
            page.Items.Select((m, i) => new SegmentMemberResponse(m.CustomerId, found[i]?.FullName, found[i]?.Email, m.JoinedAt)).ToList(),
            page.NextCursor));
    }

    /// <summary>Joins and leaves with the customer's name beside each id (null for a customer erased since).</summary>
    public static async Task<Ok<ListResponse<MembershipChangeResponse>>> HistoryAsync(
        string id, SegmentStore store, CustomerStore customers, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var page = await store.HistoryAsync(id, Page<MembershipChange>.CheckLimit(limit), cursor, cancellationToken);
        var ids = page.Items.Select(c => c.CustomerId).Distinct(StringComparer.Ordinal).ToList();
        var found = await Task.WhenAll(ids.Select(c => customers.FindAsync(c, cancellationToken)));
        var names = ids.Zip(found).ToDictionary(p => p.First, p => p.Second?.FullName, StringComparer.Ordinal);
        return TypedResults.Ok(new ListResponse<MembershipChangeResponse>(
            page.Items.Select(c => new MembershipChangeResponse(c.SegmentId, c.SegmentName, c.CustomerId, names[c.CustomerId], c.Change, c.At)).ToList(),
            page.NextCursor));
    }

    public static async Task<Ok<SegmentExplanation>> ExplainAsync(string id, string customerId, SegmentService segments, CancellationToken cancellationToken) =>
        TypedResults.Ok(await segments.ExplainAsync(id, customerId, cancellationToken));

    public static async Task<Created<Segment>> CreateAsync(SegmentDraft request, SegmentService segments, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var segment = await segments.CreateAsync(request, http.Actor().Name, cancellationToken);
        await audit.RecordAsync(http, "segment.created", "segment", segment.Id, null, segment);
        http.SetETag(segment.ETag);
        return TypedResults.Created($"/api/segments/{segment.Id}", segment);
    }

    public static async Task<Ok<Segment>> UpdateAsync(string id, SegmentChange request, SegmentService segments, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var (before, after) = await segments.UpdateAsync(id, request, http.IfMatch(), cancellationToken);
        await audit.RecordAsync(http, "segment.updated", "segment", id, before, after);
        http.SetETag(after.ETag);
        return TypedResults.Ok(after);
    }

    public static async Task<NoContent> DeleteAsync(string id, SegmentService segments, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var deleted = await segments.DeleteAsync(id, http.IfMatch(), cancellationToken);
        await audit.RecordAsync(http, "segment.deleted", "segment", id, deleted, null);
        return TypedResults.NoContent();
    }

    public static async Task<Ok<SegmentRefresh>> RefreshAsync(string id, SegmentService segments, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var refresh = await segments.RefreshAsync(id, cancellationToken);
        await audit.RecordAsync(http, "segment.refreshed", "segment", id, null, refresh);
        return TypedResults.Ok(refresh);
    }

    public static async Task<Ok<MembersAdded>> AddMembersAsync(string id, MembersRequest request, SegmentService segments, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var added = await segments.AddMembersAsync(id, request.CustomerIds, cancellationToken);
        await audit.RecordAsync(http, "segment.members_added", "segment", id, null, request);
        return TypedResults.Ok(new MembersAdded(added));
    }

    public static async Task<Results<NoContent, NotFound>> RemoveMemberAsync(string id, string customerId, SegmentService segments, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        if (!await segments.RemoveMemberAsync(id, customerId, cancellationToken))
        {
            return TypedResults.NotFound();
        }
        await audit.RecordAsync(http, "segment.member_removed", "segment", id, new { customerId }, null);
        return TypedResults.NoContent();
    }

    public static async Task<Accepted<SegmentActionResponse>> StartActionAsync(
        string id, SegmentActionRequest request, SegmentActions actions, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var job = await actions.StartAsync(id, request, http.Actor().Name, cancellationToken);
        await audit.RecordAsync(http, "segment.action_started", "segment", id, null, job);
        return TypedResults.Accepted($"/api/segments/actions/{job.Id}", SegmentActionResponse.From(job, null));
    }

    public static async Task<Ok<ListResponse<SegmentActionResponse>>> ActionsAsync(string id, SegmentStore store, SegmentActions actions, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        await store.GetAsync(id, cancellationToken);
        var page = await actions.ListAsync(id, Page<SegmentAction>.CheckLimit(limit), cursor, cancellationToken);
        return TypedResults.Ok(ListResponse<SegmentActionResponse>.From(page, j => SegmentActionResponse.From(j, actions.DownloadLink(j))));
    }

    public static async Task<Ok<SegmentActionResponse>> ActionAsync(string actionId, SegmentActions actions, CancellationToken cancellationToken)
    {
        var job = await actions.GetAsync(actionId, cancellationToken);
        return TypedResults.Ok(SegmentActionResponse.From(job, actions.DownloadLink(job)));
    }

    public static async Task<Accepted<ExportResponse>> ExportAsync(
        string id, SegmentExportRequest request, SegmentService segments, SegmentStore store, ExportService exports, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var segment = await store.GetAsync(id, cancellationToken);
        if (segment.Kind == SegmentKind.Dynamic)
        {
            await segments.RefreshAsync(id, cancellationToken);
        }
        return await ExportsEndpoints.StartAsync(new ExportRequest(ExportKind.Segment, request.Format, request.Fields, null, null, id), exports, audit, http, cancellationToken);
    }

    public static async Task<Ok<CustomerSegmentsResponse>> CustomerSegmentsAsync(
        string id, CustomerStore customers, SegmentStore store, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        await customers.GetAsync(id, cancellationToken);
        var current = await store.ForCustomerAsync(id, cancellationToken);
        var history = await store.CustomerHistoryAsync(id, Page<MembershipChange>.CheckLimit(limit), cursor, cancellationToken);
        return TypedResults.Ok(new CustomerSegmentsResponse(current, ListResponse<MembershipChange>.From(history, h => h)));
    }

    public static async Task<Ok<ListResponse<DiscountCode>>> CustomerCodesAsync(
        string id, CustomerStore customers, DiscountCodes codes, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        await customers.GetAsync(id, cancellationToken);
        return TypedResults.Ok(ListResponse<DiscountCode>.Slice(await codes.ForCustomerAsync(id, cancellationToken), limit, cursor));
    }

    public static async Task<Ok<DiscountCode>> CodeAsync(string code, DiscountCodes codes, CancellationToken cancellationToken) =>
        TypedResults.Ok(await codes.FindAsync(code, cancellationToken) ?? throw new NotFoundException("Discount code", code));
}

public sealed record SegmentFieldResponse(string Name, FieldKind Kind, string Description, IReadOnlyList<string> Operators, IReadOnlyList<string>? Choices, bool Windowed, string? Unit);

/// <summary>A segment member with the name and email a person reads (null when the customer is gone).</summary>
public sealed record SegmentMemberResponse(string CustomerId, string? Name, string? Email, DateTimeOffset JoinedAt);

/// <summary>A customer joining or leaving a segment, with the customer's name (null when erased since).</summary>
public sealed record MembershipChangeResponse(string SegmentId, string SegmentName, string CustomerId, string? CustomerName, string Change, DateTimeOffset At);

public sealed record PreviewRequest(SegmentRule? Rules, int? SampleSize);

public sealed record MembersRequest(IReadOnlyList<string>? CustomerIds);

public sealed record MembersAdded(int Added);

public sealed record SegmentExportRequest(ExportFormat? Format, IReadOnlyList<string>? Fields);

public sealed record CustomerSegmentsResponse(IReadOnlyList<CustomerSegment> Segments, ListResponse<MembershipChange> History);

public sealed record SegmentActionResponse(
    string Id, string SegmentId, string SegmentName, SegmentActionKind Action, SegmentActionRequest Request, JobState State,
    int? Total, int Processed, int Skipped, string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? EndedAt, string? Error, Uri? DownloadUrl)
{
    public static SegmentActionResponse From(SegmentAction j, Uri? link) =>
        new(j.Id, j.SegmentId, j.SegmentName, j.Action, j.Request, j.State, j.Total, j.Processed, j.Skipped, j.CreatedBy, j.CreatedAt, j.StartedAt, j.EndedAt, j.Error, link);
}
