using PecosCrm.Core.Customers;

namespace PecosCrm.Core.Privacy;

/// <summary>
/// What every holder is told about an erasure: the customer, the pseudonym their orders are kept
/// under, and the profile as it was read before anything was erased (null when there is no profile).
/// </summary>
public sealed record ErasureContext(string CustomerId, string Pseudonym, Customer? Profile)
{
    /// <summary>The profile's email, the one address other features may have kept the customer under.</summary>
    public string? Email => Profile?.Email is { Length: > 0 } email ? email : null;

    /// <summary>Counts the report shows apart from the rows deleted.</summary>
    public ErasureTally Tally { get; } = new();
}

/// <summary>Counts of an erasure that the report names on their own.</summary>
public sealed class ErasureTally
{
    public int IndexRows { get; set; }

    public int OrdersPseudonymised { get; set; }

    public int AuditEntries { get; set; }

    public int StoreEvents { get; set; }

    public int ExportFiles { get; set; }
}
