namespace PecosCrm.Core.Customers;

/// <summary>A staff note on a customer. Pinned notes show first and on the 360 view.</summary>
public sealed record Note(string Id, string CustomerId, string Body, bool Pinned, string Author, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
