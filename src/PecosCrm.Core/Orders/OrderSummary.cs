namespace PecosCrm.Core.Orders;

/// <summary>An order as store-wide lists show it.</summary>
public sealed record OrderSummary(
    string Id,
    string Number,
    string CustomerId,
    DateTimeOffset PlacedAt,
    OrderStatus Status,
    string Currency,
    long TotalCents,
    long NetCents,
    string? CouponCode,
    string? Channel);
