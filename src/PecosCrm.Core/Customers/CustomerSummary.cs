namespace PecosCrm.Core.Customers;

/// <summary>What a customer list shows per row; carried by the index rows so a list is one query.</summary>
public sealed record CustomerSummary(
    string Id,
    string FirstName,
    string LastName,
    string? Email,
    string? Phone,
    LoyaltyTier Tier,
    DateTimeOffset CustomerSince)
{
    public static CustomerSummary From(Customer c) => new(c.Id, c.FirstName, c.LastName, c.Email, c.Phone, c.Tier, c.CustomerSince);
}
