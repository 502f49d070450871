using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Customers;

namespace PecosCrm.Core.Orders;

/// <summary>An <c>order|{inverted placedAt}|{orderId}</c> row in the customer's partition: the whole order, as merged from its events.</summary>
internal sealed class OrderEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string OrderId { get; set; } = "";
    public string Number { get; set; } = "";
    public DateTimeOffset PlacedAt { get; set; }
    public string Status { get; set; } = "";
    public string StatusTimes { get; set; } = "{}";
    public string Currency { get; set; } = "USD";
    public string Lines { get; set; } = "[]";
    public long SubtotalCents { get; set; }
    public long DiscountCents { get; set; }
    public string? CouponCode { get; set; }
    public long ShippingCents { get; set; }
    public long TaxCents { get; set; }
    public long TotalCents { get; set; }
    public long RefundedCents { get; set; }
    public string? Channel { get; set; }
    public DateTimeOffset DataAt { get; set; }
    public string DataEventId { get; set; } = "";

    public Order ToOrder() => new(
        OrderId, Number, PartitionKey, PlacedAt, Enum.Parse<OrderStatus>(Status),
        JsonSerializer.Deserialize<Dictionary<OrderStatus, DateTimeOffset>>(StatusTimes, CrmJson.Options) ?? [],
        Currency, JsonSerializer.Deserialize<List<OrderLine>>(Lines, CrmJson.Options) ?? [],
        SubtotalCents, DiscountCents, CouponCode, ShippingCents, TaxCents, TotalCents, RefundedCents, Channel);

    public static OrderEntity From(Order o, (DateTimeOffset At, string EventId) version) => new()
    {
        PartitionKey = o.CustomerId,
        RowKey = CustomerKeys.Order(o.PlacedAt, o.Id),
        OrderId = o.Id,
        Number = o.Number,
        PlacedAt = o.PlacedAt,
        Status = o.Status.ToString(),
        StatusTimes = JsonSerializer.Serialize(o.StatusTimes, CrmJson.Options),
        Currency = o.Currency,
        Lines = JsonSerializer.Serialize(o.Lines, CrmJson.Options),
        SubtotalCents = o.SubtotalCents,
        DiscountCents = o.DiscountCents,
        CouponCode = o.CouponCode,
        ShippingCents = o.ShippingCents,
        TaxCents = o.TaxCents,
        TotalCents = o.TotalCents,
        RefundedCents = o.RefundedCents,
        Channel = o.Channel,
        DataAt = version.At,
        DataEventId = version.EventId,
    };
}
