namespace PecosCrm.Core.Customers;

/// <summary>A label on customers: custom (made by staff) or automatic (kept by the system).</summary>
public sealed record Tag(string Id, string Name, string Color, string? Description, bool IsAuto, DateTimeOffset? CreatedAt);

/// <summary>A tag on one customer: who put it there and when.</summary>
public sealed record CustomerTag(string TagId, string Name, string Color, bool IsAuto, string AssignedBy, DateTimeOffset AssignedAt);
