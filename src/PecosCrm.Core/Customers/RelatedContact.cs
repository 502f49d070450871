namespace PecosCrm.Core.Customers;

/// <summary>
/// How two customers are related. Links are visible from both sides; a gift recipient's side shows
/// the other customer as <see cref="GiftGiver"/>.
/// </summary>
public enum Relationship
{
    Family,
    BusinessAssociate,
    GiftRecipient,
    GiftGiver,
    Other,
}

public sealed record RelatedContact(string CustomerId, string Name, string? Email, Relationship Relationship, string? Note, string LinkedBy, DateTimeOffset LinkedAt);
