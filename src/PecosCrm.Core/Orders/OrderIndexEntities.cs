using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Orders;

/// <summary><c>orderindex</c>: PartitionKey and RowKey = order id; where the order lives (its customer and the placement time its row is keyed by).</summary>
internal sealed class OrderLocatorEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string CustomerId { get; set; } = "";
    public DateTimeOffset PlacedAt { get; set; }

    public static string Row(string orderId) => orderId;
}

/// <summary>
/// <c>ordersbymonth</c>: PartitionKey = the UTC month the order was placed (<c>yyyy-MM</c>), RowKey =
/// inverted placement time and order id, so a month lists newest first. It serves the store-wide
/// order list and is the orders-by-month index that analytics rebuilds one month from.
/// </summary>
internal sealed class MonthOrderEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string OrderId { get; set; } = "";
    public string CustomerId { get; set; } = "";
    public string Number { get; set; } = "";
    public DateTimeOffset PlacedAt { get; set; }
    public string Status { get; set; } = "";
    public string Currency { get; set; } = "";
    public long TotalCents { get; set; }
    public long NetCents { get; set; }
    public long DiscountCents { get; set; }
    public string? CouponCode { get; set; }
    public string? Channel { get; set; }
    public string Lines { get; set; } = "[]";

    public static string Month(DateTimeOffset placedAt) => placedAt.UtcDateTime.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);

    public static string Row(DateTimeOffset placedAt, string orderId) => KeyRules.InvertedTicks(placedAt) + "|" + orderId;

    public static MonthOrderEntity From(Order order) => new()
    {
        PartitionKey = Month(order.PlacedAt),
        RowKey = Row(order.PlacedAt, order.Id),
        OrderId = order.Id,
        CustomerId = order.CustomerId,
        Number = order.Number,
        PlacedAt = order.PlacedAt,
        Status = order.Status.ToString(),
        Currency = order.Currency,
        TotalCents = order.TotalCents,
        NetCents = order.NetCents,
        DiscountCents = order.DiscountCents,
        CouponCode = order.CouponCode,
        Channel = order.Channel,
        Lines = System.Text.Json.JsonSerializer.Serialize(order.Lines, CrmJson.Options),
    };
}
