using Microsoft.AspNetCore.Http.HttpResults;
using PecosCrm.Core.Access;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Staff;
using PecosCrm.Core.Storage;

namespace PecosCrm.Functions.Api;

public static class StaffEndpoints
{
    public static IEndpointRouteBuilder MapStaffEndpoints(this IEndpointRouteBuilder app)
    {
        var staff = app.MapGroup("/api/staff").WithTags("Staff");
        staff.MapPost("/", CreateAsync).WithName("CreateStaffMember").RequireAuthorization(Permissions.StaffWrite);
        staff.MapGet("/", ListAsync).WithName("ListStaff").RequireAuthorization(Permissions.StaffRead);
        staff.MapGet("/{id}", GetAsync).WithName("GetStaffMember").RequireAuthorization(Permissions.StaffRead);
        staff.MapPatch("/{id}", UpdateAsync).WithName("UpdateStaffMember")
            .WithSummary("Change some fields. Send If-Match with the ETag you read to avoid overwriting someone else's change.")
            .RequireAuthorization(Permissions.StaffWrite);
        return app;
    }

    public static async Task<Created<StaffMemberResponse>> CreateAsync(
        StaffMemberRequest request, StaffStore store, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var member = await store.CreateAsync(new NewStaffMember(request.Name, request.Email, request.Role, request.Active), cancellationToken);
        await audit.RecordAsync(http, "staff.created", "staff", member.Id, null, StaffMemberResponse.From(member));
        http.SetETag(member.ETag);
        return TypedResults.Created($"/api/staff/{member.Id}", StaffMemberResponse.From(member));
    }

    public static async Task<Ok<ListResponse<StaffMemberResponse>>> ListAsync(
        StaffStore store, string? role, bool? active, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var page = await store.ListAsync(QueryEnum.Parse<StaffRole>(role, "role"), active, Page<StaffMember>.CheckLimit(limit), cursor, cancellationToken);
        return TypedResults.Ok(ListResponse<StaffMemberResponse>.From(page, StaffMemberResponse.From));
    }

    public static async Task<Ok<StaffMemberResponse>> GetAsync(string id, StaffStore store, HttpContext http, CancellationToken cancellationToken)
    {
        var member = await store.GetAsync(id, cancellationToken);
        http.SetETag(member.ETag);
        return TypedResults.Ok(StaffMemberResponse.From(member));
    }

    public static async Task<Ok<StaffMemberResponse>> UpdateAsync(
        string id, StaffMemberRequest request, StaffStore store, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var (before, after) = await store.UpdateAsync(id, new StaffMemberPatch(request.Name, request.Email, request.Role, request.Active), http.IfMatch(), cancellationToken);
        await audit.RecordAsync(http, "staff.updated", "staff", id, StaffMemberResponse.From(before), StaffMemberResponse.From(after));
        http.SetETag(after.ETag);
        return TypedResults.Ok(StaffMemberResponse.From(after));
    }
}

public sealed record StaffMemberRequest(string? Name, string? Email, StaffRole? Role, bool? Active);

public sealed record StaffMemberResponse(string Id, string Name, string Email, StaffRole Role, bool Active, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static StaffMemberResponse From(StaffMember m) => new(m.Id, m.Name, m.Email, m.Role, m.Active, m.CreatedAt, m.UpdatedAt);
}
