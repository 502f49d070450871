using PecosCrm.Core.Customers;
using PecosCrm.Core.Orders;
using PecosCrm.Core.Products;

namespace PecosCrm.Functions.Api;

/// <summary>
/// The API's shapes of the customer feature. Money is stored in cents and shown here as decimal
/// amounts beside a currency code.
/// </summary>
public sealed record MetricsResponse(
    decimal LifetimeValue,
    decimal AverageOrderValue,
    string Currency,
    int OrderCount,
    int CancelledOrders,
    decimal Refunded,
    DateTimeOffset? FirstOrderAt,
    DateTimeOffset? LastOrderAt,
    int? DaysSinceLastOrder,
    double PurchaseFrequencyPerMonth,
    double? AverageDaysBetweenOrders,
    IReadOnlyDictionary<string, CategorySpendResponse> Categories,
    Engagement Engagement)
{
    public static MetricsResponse From(CustomerMetrics m, Engagement e, int? daysSince) => new(
        Money.ToDecimal(m.LifetimeValueCents), Money.ToDecimal(m.AverageOrderValueCents), "USD", m.OrderCount, m.CancelledCount,
        Money.ToDecimal(m.RefundedCents), m.FirstOrderAt, m.LastOrderAt, daysSince, m.PurchaseFrequencyPerMonth, m.AverageDaysBetweenOrders,
        m.Categories.ToDictionary(c => c.Key, c => new CategorySpendResponse(Money.ToDecimal(c.Value.Cents), c.Value.Orders, c.Value.Items)), e);
}

public sealed record CategorySpendResponse(decimal Spend, int Orders, int Items);

public sealed record HealthResponseBody(int Score, ChurnRisk ChurnRisk, string ChurnReason, IReadOnlyList<ComponentResponse> Components)
{
    public static HealthResponseBody From(CustomerHealth h) =>
        new(h.Score, h.ChurnRisk, h.ChurnReason, h.Components.Select(c => new ComponentResponse(c.Name, c.Points, c.Max, c.Reason, c.ToString())).ToList());
}

public sealed record ComponentResponse(string Name, int Points, int Max, string Reason, string Summary);

public sealed record InsightsResponse(MetricsResponse Metrics, HealthResponseBody Health);

public sealed record OrderLineResponse(string ProductId, string? Sku, string Name, string? Category, int Quantity, decimal UnitPrice, decimal Total);

public sealed record OrderResponse(
    string Id,
    string Number,
    string CustomerId,
    DateTimeOffset PlacedAt,
    OrderStatus Status,
    IReadOnlyDictionary<OrderStatus, DateTimeOffset> StatusTimes,
    string Currency,
    IReadOnlyList<OrderLineResponse> Lines,
    decimal Subtotal,
    decimal Discount,
    string? CouponCode,
    decimal Shipping,
    decimal Tax,
    decimal Total,
    decimal Refunded,
    decimal Net,
    string? Channel)
{
    public static OrderResponse From(Order o) => new(
        o.Id, o.Number, o.CustomerId, o.PlacedAt, o.Status, o.StatusTimes, o.Currency,
        o.Lines.Select(l => new OrderLineResponse(l.ProductId, l.Sku, l.Name, l.Category, l.Quantity, Money.ToDecimal(l.UnitPriceCents), Money.ToDecimal(l.TotalCents))).ToList(),
        Money.ToDecimal(o.SubtotalCents), Money.ToDecimal(o.DiscountCents), o.CouponCode, Money.ToDecimal(o.ShippingCents), Money.ToDecimal(o.TaxCents),
        Money.ToDecimal(o.TotalCents), Money.ToDecimal(Math.Min(o.RefundedCents, o.TotalCents)), Money.ToDecimal(o.NetCents), o.Channel);
}

public sealed record OrderSummaryResponse(string Id, string Number, string CustomerId, DateTimeOffset PlacedAt, OrderStatus Status, string Currency, decimal Total, decimal Net, string? CouponCode, string? Channel)
{
    public static OrderSummaryResponse From(OrderSummary o) =>
        new(o.Id, o.Number, o.CustomerId, o.PlacedAt, o.Status, o.Currency, Money.ToDecimal(o.TotalCents), Money.ToDecimal(o.NetCents), o.CouponCode, o.Channel);
}

public sealed record CustomerResponse(
    string Id,
    string FirstName,
    string LastName,
    string? Email,
    string? Phone,
    IReadOnlyList<Address> Addresses,
    DateOnly? Birthday,
    string? TimeZone,
    MarketingConsent Consent,
    LoyaltyTier Tier,
    DateTimeOffset CustomerSince,
    string? Source,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static CustomerResponse From(Customer c) => new(
        c.Id, c.FirstName, c.LastName, c.Email, c.Phone, c.Addresses, c.Birthday, c.TimeZone, c.Consent, c.Tier, c.CustomerSince, c.Source, c.CreatedAt, c.UpdatedAt);
}

/// <summary>The profile card at the top of the 360 view.</summary>
public sealed record ProfileCard(string Id, string Name, string? Email, string? Phone, LoyaltyTier Tier, DateTimeOffset CustomerSince, int CustomerSinceYear);

public sealed record Customer360Response(
    ProfileCard Card,
    CustomerResponse Profile,
    MetricsResponse Metrics,
    HealthResponseBody Health,
    IReadOnlyList<CustomerTag> Tags,
    IReadOnlyList<Note> PinnedNotes,
    IReadOnlyList<OrderResponse> RecentOrders,
    IReadOnlyList<TimelineEntry> RecentActivity,
    IReadOnlyList<RelatedContact> RelatedContacts,
    CustomerRfm? Rfm,
    IReadOnlyList<CustomerAutomation> Automations,
    LoyaltyStatusResponse Loyalty,
    PecosCrm.Core.Predictive.CustomerPrediction? Predictions)
{
    public static Customer360Response From(Customer360 v) => new(
        new ProfileCard(v.Profile.Id, v.Profile.FullName, v.Profile.Email, v.Profile.Phone, v.Profile.Tier, v.Profile.CustomerSince, v.Profile.CustomerSince.Year),
        CustomerResponse.From(v.Profile),
        MetricsResponse.From(v.Metrics, v.Engagement, v.DaysSinceLastOrder),
        HealthResponseBody.From(v.Health),
        v.Tags, v.PinnedNotes, v.RecentOrders.Select(OrderResponse.From).ToList(), v.RecentActivity, v.RelatedContacts, v.Rfm, v.Automations,
        LoyaltyStatusResponse.From(v.Loyalty), v.Predictions);
}
