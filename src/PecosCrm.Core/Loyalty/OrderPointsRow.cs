using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Loyalty;

/// <summary>
/// An <c>ordpts|{orderId}|{customerId}</c> row: what one order earned and had reversed. The account
/// on the card keeps the newest <see cref="LoyaltyOptions.OrdersKept"/> orders; this row keeps every
/// order that earned, so a refund of an order the account no longer lists still reverses exactly
/// what it earned. It is written in the same transaction as the order's earn or reverse entries
/// (one more row of that transaction, not one more call), and read only for a refund or
/// cancellation of an order the account does not list.
/// </summary>
internal sealed class OrderPointsEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string OrderId { get; set; } = "";
    public long Earned { get; set; }
    public long Reversed { get; set; }
    public long NetCents { get; set; }
    public string Month { get; set; } = "";
    public DateTimeOffset PlacedAt { get; set; }

    public static OrderPointsEntity From(string customerId, string orderId, OrderPoints p) => new()
    {
        PartitionKey = customerId,
        RowKey = LoyaltyKeys.OrderPoints(customerId, orderId),
        OrderId = orderId,
        Earned = p.Earned,
        Reversed = p.Reversed,
        NetCents = p.NetCents,
        Month = p.Month,
        PlacedAt = p.PlacedAt,
    };

    public OrderPoints ToRecord() => new(Earned, Reversed, NetCents, Month, PlacedAt);

    public static async Task<OrderPoints?> FindAsync(TableClient customers, string customerId, string orderId, CancellationToken cancellationToken) =>
        (await customers.FindAsync<OrderPointsEntity>(customerId, LoyaltyKeys.OrderPoints(customerId, orderId), cancellationToken))?.ToRecord();
}
