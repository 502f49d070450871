using PecosCrm.Core.Customers;
using PecosCrm.Core.Orders;
using static PecosCrm.UnitTests.Customers.OrderHistory;

namespace PecosCrm.UnitTests.Customers;

public sealed class CustomerMetricsTests
{
    [Fact]
    public void FromOrders_CustomerYear_NetsOutRefundsAndCancellations()
    {
        var orders = Fold(CustomerYear());

        var metrics = CustomerMetrics.FromOrders(orders);

        Assert.Equal(15_800, metrics.LifetimeValueCents);
        Assert.Equal(34_800, metrics.GrossCents);
        Assert.Equal(19_000, metrics.RefundedCents);
        Assert.Equal(2, metrics.OrderCount);
        Assert.Equal(1, metrics.CancelledCount);
        Assert.Equal(7_900, metrics.AverageOrderValueCents);
        Assert.Equal(At(1, 5), metrics.FirstOrderAt);
        Assert.Equal(At(2, 14), metrics.LastOrderAt);
        Assert.Equal(40.0, metrics.AverageDaysBetweenOrders);
        Assert.Equal(1.52, metrics.PurchaseFrequencyPerMonth);
        Assert.Equal(new CategorySpend(10_000, 1, 1), metrics.Categories["boots"]);
        Assert.Equal(new CategorySpend(2_250, 1, 1), metrics.Categories["hats"]);
        Assert.Equal(new CategorySpend(1_750, 1, 1), metrics.Categories["accessories"]);
        Assert.False(metrics.Categories.ContainsKey("denim"));
        Assert.False(metrics.Categories.ContainsKey("workwear"));
    }

    [Fact]
    public void FromOrders_OrderEventsArriveInAnyOrder_IdenticalMetrics()
    {
        var events = CustomerYear();
        var expected = CustomerMetrics.FromOrders(Fold(events));
        var random = new Random(20250105);
        var arrivals = Enumerable.Range(0, 2_000).Select(_ => Shuffled(events, random)).Append([.. events.Reverse()]).ToList();

        var results = arrivals.Select(arrival => CustomerMetrics.FromOrders(Fold(arrival))).ToList();

        Assert.Equal(15_800, expected.LifetimeValueCents);
        Assert.All(results, metrics => Assert.Equivalent(expected, metrics, strict: true));
    }

    [Fact]
    public void Replace_EventsInAnyOrder_RunningTotalsEqualTheFullRecount()
    {
        var events = CustomerYear();
        var random = new Random(20261204);
        var arrivals = Enumerable.Range(0, 500).Select(_ => Shuffled(events, random)).Append([.. events]).Append([.. events.Reverse()]).ToList();
        var recounts = 0;

        foreach (var arrival in arrivals)
        {
            var (metrics, orders, recounted) = RunningTotals(arrival);
            recounts += recounted;

            Assert.Equivalent(CustomerMetrics.FromOrders(orders.Values), metrics, strict: true);
        }
        Assert.InRange(recounts, 1, arrivals.Count * events.Count / 2);
    }

    [Fact]
    public void Replace_CancellingTheFirstOrder_AsksForARecount()
    {
        var first = OrderOf("ord-1", At(1, 10), 3_000);
        var metrics = CustomerMetrics.Empty.Replace(null, first)!.Replace(null, OrderOf("ord-2", At(2, 10), 4_000))!;

        Assert.Null(metrics.Replace(first, first with { Status = OrderStatus.Cancelled }));
        Assert.NotNull(metrics.Replace(first, first with { RefundedCents = 1_000 }));
    }

    [Fact]
    public void Replace_CancellingAMiddleOrder_KeepsFirstAndLastWithoutARecount()
    {
        var orders = new[] { OrderOf("ord-1", At(1, 10), 3_000), OrderOf("ord-2", At(2, 10), 4_000), OrderOf("ord-3", At(3, 10), 5_000) };
        var metrics = orders.Aggregate(CustomerMetrics.Empty, (m, o) => m.Replace(null, o)!);

        var after = metrics.Replace(orders[1], orders[1] with { Status = OrderStatus.Cancelled });

        Assert.NotNull(after);
        Assert.Equivalent(CustomerMetrics.FromOrders([orders[0], orders[1] with { Status = OrderStatus.Cancelled }, orders[2]]), after, strict: true);
    }

    /// <summary>Folds the events as the event writer does: each order's change applied to the running totals, a recount from every order when they cannot tell.</summary>
    private static (CustomerMetrics Metrics, Dictionary<string, Order> Orders, int Recounts) RunningTotals(IEnumerable<OrderEvent> arrival)
    {
        var kept = new Dictionary<string, (Order Order, (DateTimeOffset At, string EventId) Version)>(StringComparer.Ordinal);
        var metrics = CustomerMetrics.Empty;
        var recounts = 0;
        foreach (var e in arrival)
        {
            var known = kept.TryGetValue(e.Snapshot.Id, out var current);
            var merged = OrderMerge.Apply(known ? current.Order : null, known ? current.Version : null, e.Snapshot, OrderMerge.StatusOf(e.Type), e.At, e.Id, e.RefundCents);
            kept[e.Snapshot.Id] = merged;
            var next = metrics.Replace(known ? current.Order : null, merged.Order);
            if (next is null)
            {
                recounts++;
                next = CustomerMetrics.FromOrders(kept.Values.Select(k => k.Order));
            }
            metrics = next;
        }
        return (metrics, kept.ToDictionary(k => k.Key, k => k.Value.Order), recounts);
    }

    [Fact]
    public void FromOrders_NoOrders_NothingToReport()
    {
        var metrics = CustomerMetrics.FromOrders([]);

        Assert.Equal(0, metrics.LifetimeValueCents);
        Assert.Equal(0, metrics.OrderCount);
        Assert.Equal(0, metrics.AverageOrderValueCents);
        Assert.Null(metrics.FirstOrderAt);
        Assert.Null(metrics.LastOrderAt);
        Assert.Null(metrics.AverageDaysBetweenOrders);
        Assert.Equal(0, metrics.PurchaseFrequencyPerMonth);
        Assert.Empty(metrics.Categories);
        Assert.Null(metrics.DaysSinceLastOrder(At(6, 1)));
    }

    [Fact]
    public void FromOrders_OneOrder_NoGapAndOneOrderPerMonth()
    {
        var metrics = CustomerMetrics.FromOrders([OrderOf("ord-1", At(3, 1), 6_000)]);

        Assert.Equal(1, metrics.OrderCount);
        Assert.Equal(6_000, metrics.AverageOrderValueCents);
        Assert.Equal(At(3, 1), metrics.FirstOrderAt);
        Assert.Equal(At(3, 1), metrics.LastOrderAt);
        Assert.Null(metrics.AverageDaysBetweenOrders);
        Assert.Equal(1.0, metrics.PurchaseFrequencyPerMonth);
    }

    [Fact]
    public void FromOrders_FiveOrdersOverFourMonths_GapAndFrequencyOverTheActiveSpan()
    {
        var first = At(1, 1);
        var orders = Enumerable.Range(0, 5).Select(i => OrderOf($"ord-{i}", first.AddDays(30 * i), 5_000));

        var metrics = CustomerMetrics.FromOrders(orders);

        Assert.Equal(30.0, metrics.AverageDaysBetweenOrders);
        Assert.Equal(1.27, metrics.PurchaseFrequencyPerMonth);
    }

    [Fact]
    public void FromOrders_ThreeOrdersInTenDays_FrequencyCountsAtLeastAMonth()
    {
        var orders = new[] { OrderOf("ord-1", At(3, 1), 2_000), OrderOf("ord-2", At(3, 6), 2_000), OrderOf("ord-3", At(3, 11), 2_000) };

        var metrics = CustomerMetrics.FromOrders(orders);

        Assert.Equal(5.0, metrics.AverageDaysBetweenOrders);
        Assert.Equal(3.0, metrics.PurchaseFrequencyPerMonth);
    }

    [Fact]
    public void FromOrders_PartialRefund_LowersLifetimeValueAndAverageOrderValue()
    {
        var orders = new[] { OrderOf("ord-1", At(3, 1), 10_000, refundedCents: 2_000), OrderOf("ord-2", At(4, 1), 5_000) };

        var metrics = CustomerMetrics.FromOrders(orders);

        Assert.Equal(13_000, metrics.LifetimeValueCents);
        Assert.Equal(15_000, metrics.GrossCents);
        Assert.Equal(2_000, metrics.RefundedCents);
        Assert.Equal(2, metrics.OrderCount);
        Assert.Equal(6_500, metrics.AverageOrderValueCents);
    }

    [Fact]
    public void FromOrders_FirstCancelledLastRefundedInFull_FirstAndLastOrderAreTheKeptOnes()
    {
        var orders = new[]
        {
            OrderOf("ord-1", At(1, 10), 3_000) with { Status = OrderStatus.Cancelled },
            OrderOf("ord-2", At(2, 10), 4_000),
            OrderOf("ord-3", At(3, 10), 5_000),
            OrderOf("ord-4", At(4, 10), 6_000, refundedCents: 6_000),
        };

        var metrics = CustomerMetrics.FromOrders(orders);

        Assert.Equal(2, metrics.OrderCount);
        Assert.Equal(1, metrics.CancelledCount);
        Assert.Equal(9_000, metrics.LifetimeValueCents);
        Assert.Equal(At(2, 10), metrics.FirstOrderAt);
        Assert.Equal(At(3, 10), metrics.LastOrderAt);
    }

    [Fact]
    public void FromOrders_CategoryWrittenDifferently_OneCategoryWithOrdersAndItems()
    {
        var orders = new[]
        {
            OrderOf("ord-1", At(3, 1), 24_000, lines: [new OrderLine("p1", null, "Roper", "Boots", 2, 12_000)]),
            OrderOf("ord-2", At(4, 1), 15_000, lines: [new OrderLine("p2", null, "Harness", " boots ", 1, 15_000)]),
        };

        var metrics = CustomerMetrics.FromOrders(orders);

        var boots = Assert.Single(metrics.Categories);
        Assert.Equal("boots", boots.Key);
        Assert.Equal(new CategorySpend(39_000, 2, 3), boots.Value);
    }

    [Fact]
    public void DaysSinceLastOrder_PartOfADay_CountsWholeDays()
    {
        var metrics = CustomerMetrics.FromOrders([OrderOf("ord-1", At(1, 1), 5_000)]);

        var days = metrics.DaysSinceLastOrder(At(1, 1).AddDays(140).AddHours(23));

        Assert.Equal(140, days);
    }

    private static Order OrderOf(string id, DateTimeOffset placedAt, long totalCents, long refundedCents = 0, IReadOnlyList<OrderLine>? lines = null) =>
        new(id, "#" + id, "cus-1", placedAt, refundedCents > 0 ? OrderStatus.Refunded : OrderStatus.Delivered,
            new Dictionary<OrderStatus, DateTimeOffset> { [OrderStatus.Placed] = placedAt, [OrderStatus.Delivered] = placedAt.AddDays(3) },
            "USD", lines ?? [new OrderLine("p-" + id, null, "Item", null, 1, totalCents)],
            totalCents, 0, null, 0, 0, totalCents, refundedCents, "web");
}
