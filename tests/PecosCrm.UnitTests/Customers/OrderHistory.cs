using PecosCrm.Core.Events;
using PecosCrm.Core.Orders;
using PecosCrm.Core.Storage;

namespace PecosCrm.UnitTests.Customers;

/// <summary>An order event as the event processor hands it to <see cref="OrderMerge"/>.</summary>
internal sealed record OrderEvent(string Id, string Type, DateTimeOffset At, Order Snapshot, long? RefundCents = null);

/// <summary>Order snapshots built the way the processor builds them, and folding events like the processor does.</summary>
internal static class OrderHistory
{
    public static DateTimeOffset At(int month, int day, int hour = 10, int minute = 0) =>
        new(2025, month, day, hour, minute, 0, TimeSpan.Zero);

    public static OrderLineInput Line(string category, string name, decimal unitPrice, int quantity = 1) =>
        new("prod-" + name.ToLowerInvariant().Replace(' ', '-'), null, name, category, quantity, unitPrice);

    /// <summary>The order as an event's data carries it, converted to cents by <see cref="OrderInput.ToOrder"/>.</summary>
    public static Order Snapshot(string id, DateTimeOffset placedAt, decimal total, decimal tax, params OrderLineInput[] lines)
    {
        var check = new Validation();
        var order = new OrderInput(id, "#" + id[^4..], "cus-1", placedAt, null, "USD", lines, null, null, null, null, tax, total, "web")
            .ToOrder(check);
        check.ThrowIfInvalid();
        return order;
    }

    /// <summary>Applies the events in the order given, keeping one order per id, as the customer's partition would.</summary>
    public static IReadOnlyList<Order> Fold(IEnumerable<OrderEvent> arrivals)
    {
        var kept = new Dictionary<string, (Order Order, (DateTimeOffset At, string EventId) Version)>(StringComparer.Ordinal);
        foreach (var e in arrivals)
        {
            var known = kept.TryGetValue(e.Snapshot.Id, out var current);
            kept[e.Snapshot.Id] = OrderMerge.Apply(
                known ? current.Order : null, known ? current.Version : null,
                e.Snapshot, OrderMerge.StatusOf(e.Type), e.At, e.Id, e.RefundCents);
        }
        return [.. kept.Values.Select(k => k.Order).OrderBy(o => o.Id, StringComparer.Ordinal)];
    }

    /// <summary>
    /// Four orders of one customer, in the order they happened:
    /// 1001 boots, re-priced from $120 to $118 when paid, delivered;
    /// 1002 a hat ($45) and a belt ($35), delivered, then refunded $35 and $5;
    /// 1003 jeans ($60), cancelled;
    /// 1004 a jacket ($150), delivered, then refunded in full.
    /// </summary>
    public static IReadOnlyList<OrderEvent> CustomerYear()
    {
        var bootsPlacedAt = At(1, 5);
        var bootsAsPlaced = Snapshot("ord-1001", bootsPlacedAt, 120.00m, 20.00m, Line("Boots", "Roper boots", 100.00m));
        var bootsRepriced = Snapshot("ord-1001", bootsPlacedAt, 118.00m, 18.00m, Line("Boots", "Roper boots", 100.00m));

        var hatAndBelt = Snapshot("ord-1002", At(2, 14), 80.00m, 0m, Line("Hats", "Felt hat", 45.00m), Line("Accessories", "Leather belt", 35.00m));
        var jeans = Snapshot("ord-1003", At(3, 20, 9), 60.00m, 0m, Line("Denim", "Slim jeans", 60.00m));
        var jacket = Snapshot("ord-1004", At(4, 2, 18), 150.00m, 0m, Line("Workwear", "Chore jacket", 150.00m));

        return
        [
            new("evt-01", EventTypes.OrderPlaced, bootsPlacedAt, bootsAsPlaced),
            new("evt-02", EventTypes.OrderPaid, At(1, 5, 10, 2), bootsRepriced),
            new("evt-03", EventTypes.OrderShipped, At(1, 6, 15), bootsRepriced),
            new("evt-04", EventTypes.OrderDelivered, At(1, 9, 12), bootsRepriced),

            new("evt-05", EventTypes.OrderPlaced, At(2, 14), hatAndBelt),
            new("evt-06", EventTypes.OrderPaid, At(2, 14), hatAndBelt),
            new("evt-07", EventTypes.OrderShipped, At(2, 15, 9), hatAndBelt),
            new("evt-08", EventTypes.OrderDelivered, At(2, 18, 16), hatAndBelt),
            new("evt-09", EventTypes.OrderRefunded, At(2, 25, 11), hatAndBelt, 3_500),
            new("evt-10", EventTypes.OrderRefunded, At(3, 1, 11), hatAndBelt, 500),

            new("evt-11", EventTypes.OrderPlaced, At(3, 20, 9), jeans),
            new("evt-12", EventTypes.OrderPaid, At(3, 20, 9, 1), jeans),
            new("evt-13", EventTypes.OrderCancelled, At(3, 21, 8), jeans),

            new("evt-14", EventTypes.OrderPlaced, At(4, 2, 18), jacket),
            new("evt-15", EventTypes.OrderPaid, At(4, 2, 18, 1), jacket),
            new("evt-16", EventTypes.OrderShipped, At(4, 3, 14), jacket),
            new("evt-17", EventTypes.OrderDelivered, At(4, 8, 13), jacket),
            new("evt-18", EventTypes.OrderRefunded, At(4, 20, 10), jacket),
        ];
    }

    /// <summary>Seeded Fisher-Yates shuffle, so a failing arrival order can be reproduced.</summary>
    public static List<T> Shuffled<T>(IReadOnlyList<T> items, Random random)
    {
        var list = items.ToList();
        for (var i = list.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
        return list;
    }

    public static IEnumerable<List<T>> Permutations<T>(IReadOnlyList<T> items)
    {
        if (items.Count <= 1)
        {
            yield return items.ToList();
            yield break;
        }
        for (var i = 0; i < items.Count; i++)
        {
            var rest = items.Where((_, k) => k != i).ToList();
            foreach (var tail in Permutations(rest))
            {
                tail.Insert(0, items[i]);
                yield return tail;
            }
        }
    }
}
