namespace PecosCrm.Core.Wholesale;

/// <summary>
/// A wholesale buyer: the customer it belongs to, its tier, terms, minimum order, account manager,
/// tax-exemption certificate and what it owes. <see cref="EarliestOpenDueAt"/> is the due date of its
/// oldest order not paid in full.
/// </summary>
public sealed record WholesaleAccount(
    string Id, string CustomerId, string CompanyName, WholesaleTier Tier, PaymentTerms PaymentTerms, long MinimumOrderCents,
    string? AccountManagerId, string? DealId, TaxCertificate? Certificate, long OpenBalanceCents, DateTimeOffset? EarliestOpenDueAt,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string ETag)
{
    /// <summary>An order of this account is unpaid past its due date.</summary>
    public bool IsOverdue(DateTimeOffset now) => EarliestOpenDueAt is { } due && due < now;
}

/// <summary>The account's current tax-exemption certificate (the file is a blob; <see cref="ExpiresOn"/> is a store-local date).</summary>
public sealed record TaxCertificate(
    string Id, string FileName, string ContentType, long Bytes, DateOnly ExpiresOn, DateTimeOffset UploadedAt, DateTimeOffset? ReminderSentAt)
{
    /// <summary>Lapsed: the store's date is past the expiry date (a certificate is good through its last day).</summary>
    public bool IsExpired(DateOnly today) => today > ExpiresOn;
}

/// <summary>Changes to an account; null leaves a field as it is (an empty <see cref="AccountManagerId"/> removes the manager).</summary>
public sealed record WholesaleAccountPatch(
    string? CompanyName, WholesaleTier? Tier, PaymentTerms? PaymentTerms, decimal? MinimumOrderValue, string? AccountManagerId);

/// <summary>What the account pays for one product, and why.</summary>
public sealed record PriceQuote(string ProductId, string ProductName, long ListPriceCents, long PriceCents, string Source, decimal? DiscountPercent);

/// <summary>A product's custom price for one account.</summary>
public sealed record CustomPrice(string ProductId, long PriceCents, DateTimeOffset UpdatedAt);
