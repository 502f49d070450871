namespace PecosCrm.Core.Wholesale;

/// <summary>
/// A wholesale order, priced with the account's prices when it was placed: totals in cents, what has
/// been paid, and its due date from the account's terms at that time.
/// </summary>
public sealed record WholesaleOrder(
    string Id, string AccountId, string? Reference, DateTimeOffset OrderedAt, DateTimeOffset DueAt, PaymentTerms PaymentTerms,
    IReadOnlyList<WholesaleOrderLine> Lines, long SubtotalCents, long DiscountCents, long TotalCents, long PaidCents,
    DateTimeOffset CreatedAt, string CreatedBy, string ETag)
{
    public long BalanceCents => TotalCents - PaidCents;

    public PaymentStatus PaymentStatus => WholesalePricing.StatusOf(TotalCents, PaidCents);

    /// <summary>Not paid in full, and past its due date.</summary>
    public bool IsOverdue(DateTimeOffset now) => BalanceCents > 0 && now > DueAt;
}

/// <summary>One line: the product, how many, its list price and the account's price for it.</summary>
public sealed record WholesaleOrderLine(string ProductId, string ProductName, int Quantity, long ListPriceCents, long UnitPriceCents, string PriceSource)
{
    public long TotalCents => UnitPriceCents * Quantity;
}

/// <summary>A line as sent: a product and a quantity (the price is the account's).</summary>
public sealed record OrderLineInput(string? ProductId, int? Quantity);

/// <summary>A payment recorded against an order.</summary>
public sealed record WholesalePayment(string Id, string OrderId, long AmountCents, DateTimeOffset PaidAt, string? Method, string? Reference, string RecordedBy);
