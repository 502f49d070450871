namespace PecosCrm.Core.Orders;

/// <summary>Order statuses in lifecycle order; a later status wins whatever order events arrive in.</summary>
public enum OrderStatus
{
    Placed,
    Paid,
    Shipped,
    Delivered,
    Cancelled,
    Refunded,
}

public sealed record OrderLine(string ProductId, string? Sku, string Name, string? Category, int Quantity, long UnitPriceCents)
{
    public long TotalCents => UnitPriceCents * Quantity;
}

/// <summary>An order as the CRM keeps it: amounts in cents, the time of each status reached.</summary>
public sealed record Order(
    string Id,
    string Number,
    string CustomerId,
    DateTimeOffset PlacedAt,
    OrderStatus Status,
    IReadOnlyDictionary<OrderStatus, DateTimeOffset> StatusTimes,
    string Currency,
    IReadOnlyList<OrderLine> Lines,
    long SubtotalCents,
    long DiscountCents,
    string? CouponCode,
    long ShippingCents,
    long TaxCents,
    long TotalCents,
    long RefundedCents,
    string? Channel)
{
    /// <summary>Cancelled at some point: a refund after the cancellation does not bring it back.</summary>
    public bool IsCancelled => Status == OrderStatus.Cancelled || StatusTimes.ContainsKey(OrderStatus.Cancelled);

    /// <summary>Revenue the order brings: nothing when cancelled, the total less refunds otherwise.</summary>
    public long NetCents => IsCancelled ? 0 : Math.Max(0, TotalCents - RefundedCents);

    /// <summary>Counted as a purchase unless cancelled or refunded in full.</summary>
    public bool Counts => !IsCancelled && NetCents > 0;
}
