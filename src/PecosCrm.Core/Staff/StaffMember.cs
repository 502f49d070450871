namespace PecosCrm.Core.Staff;

/// <summary>A person who works in the CRM: owner of tasks, leads and tickets, holder of API keys.</summary>
public sealed record StaffMember(
    string Id,
    string Name,
    string Email,
    StaffRole Role,
    bool Active,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string ETag);

/// <summary>The fields of a new staff member.</summary>
public sealed record NewStaffMember(string? Name, string? Email, StaffRole? Role, bool? Active = true);

/// <summary>A partial update: null fields stay as they are.</summary>
public sealed record StaffMemberPatch(string? Name, string? Email, StaffRole? Role, bool? Active);
