namespace PecosCrm.Core.Orders;

/// <summary>
/// Folds order events into one order so that any arrival order gives the same result: the order's
/// data comes from the newest event (by occurrence time, then event id), each status keeps the
/// earliest time it was reported, the status is the furthest one reached, and refunds add up
/// (each refund event is applied once; net revenue never goes below zero).
/// </summary>
public static class OrderMerge
{
    public static OrderStatus StatusOf(string eventType) => eventType switch
    {
        "order.placed" => OrderStatus.Placed,
        "order.paid" => OrderStatus.Paid,
        "order.shipped" => OrderStatus.Shipped,
        "order.delivered" => OrderStatus.Delivered,
        "order.cancelled" => OrderStatus.Cancelled,
        "order.refunded" => OrderStatus.Refunded,
        _ => throw new ArgumentOutOfRangeException(nameof(eventType), eventType, "Not an order event."),
    };

    /// <param name="current">The order as kept so far, or null for the first event about it.</param>
    /// <param name="currentDataVersion">The (time, event id) that <paramref name="current"/>'s data came from.</param>
    /// <param name="incoming">The order as this event reports it.</param>
    /// <param name="status">The status this event reports.</param>
    /// <param name="at">When the event happened.</param>
    /// <param name="eventId">The event's id, to order events of the same instant.</param>
    /// <param name="refundCents">For a refund event, the amount refunded (null: the whole order).</param>
    public static (Order Order, (DateTimeOffset At, string EventId) DataVersion) Apply(
        Order? current, (DateTimeOffset At, string EventId)? currentDataVersion,
        Order incoming, OrderStatus status, DateTimeOffset at, string eventId, long? refundCents)
    {
        var newer = current is null || currentDataVersion is null
            || at > currentDataVersion.Value.At
            || (at == currentDataVersion.Value.At && string.CompareOrdinal(eventId, currentDataVersion.Value.EventId) > 0);
        var data = newer ? incoming : current!;
        var version = newer ? (at, eventId) : currentDataVersion!.Value;

        var times = new Dictionary<OrderStatus, DateTimeOffset>(current?.StatusTimes ?? new Dictionary<OrderStatus, DateTimeOffset>());
        foreach (var (s, t) in incoming.StatusTimes)
        {
            Stamp(times, s, t);
        }
        Stamp(times, status, at);
        Stamp(times, OrderStatus.Placed, data.PlacedAt);

        var refunded = current?.RefundedCents ?? 0;
        if (status == OrderStatus.Refunded)
        {
            // A refund without an amount refunds the total of the order as that event saw it, so the
            // result does not depend on which snapshot of the order happens to be newest.
            refunded += refundCents ?? incoming.TotalCents;
        }

        var merged = data with
        {
            StatusTimes = times,
            Status = times.Keys.Max(),
            RefundedCents = refunded,
        };
        return (merged, version);
    }

    private static void Stamp(Dictionary<OrderStatus, DateTimeOffset> times, OrderStatus status, DateTimeOffset at)
    {
        if (!times.TryGetValue(status, out var existing) || at < existing)
        {
            times[status] = at;
        }
    }
}
