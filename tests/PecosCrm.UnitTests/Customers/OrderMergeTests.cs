using PecosCrm.Core.Events;
using PecosCrm.Core.Orders;
using static PecosCrm.UnitTests.Customers.OrderHistory;

namespace PecosCrm.UnitTests.Customers;

public sealed class OrderMergeTests
{
    private static readonly Order Hat = Snapshot("ord-2001", At(5, 1), 45.00m, 0m, Line("Hats", "Felt hat", 45.00m));

    [Fact]
    public void Apply_OrderEventsInEveryArrivalOrder_SameOrder()
    {
        var hatAndBelt = CustomerYear().Where(e => e.Snapshot.Id == "ord-1002").ToList();
        var expected = Fold(hatAndBelt).Single();

        var results = Permutations(hatAndBelt).Select(p => Fold(p).Single()).ToList();

        Assert.Equal(720, results.Count);
        Assert.All(results, order => Assert.Equivalent(expected, order, strict: true));
        Assert.Equal(OrderStatus.Refunded, expected.Status);
        Assert.Equal(4_000, expected.RefundedCents);
        Assert.Equal(4_000, expected.NetCents);
    }

    [Fact]
    public void Apply_OlderEventArrivesLast_NewestDataKept()
    {
        var boots = CustomerYear().Where(e => e.Snapshot.Id == "ord-1001").ToList();
        var placed = boots.Single(e => e.Type == EventTypes.OrderPlaced);
        var paid = boots.Single(e => e.Type == EventTypes.OrderPaid);

        var order = Fold([paid, placed]).Single();

        Assert.Equal(11_800, order.TotalCents);
        Assert.Equal(1_800, order.TaxCents);
        Assert.Equal(OrderStatus.Paid, order.Status);
    }

    [Fact]
    public void Apply_TwoEventsAtTheSameInstant_HigherEventIdDecides()
    {
        var at = At(5, 1, 12);
        var fromWeb = Hat with { Channel = "web" };
        var fromPhone = Hat with { Channel = "phone" };
        OrderEvent first = new("evt-a", EventTypes.OrderPaid, at, fromWeb);
        OrderEvent second = new("evt-b", EventTypes.OrderShipped, at, fromPhone);

        var inOrder = Fold([first, second]).Single();
        var reversed = Fold([second, first]).Single();

        Assert.Equal("phone", inOrder.Channel);
        Assert.Equal("phone", reversed.Channel);
    }

    [Fact]
    public void Apply_DeliveryArrivesBeforePayment_StatusIsFurthestReachedWithEveryTime()
    {
        OrderEvent delivered = new("evt-3", EventTypes.OrderDelivered, At(5, 4), Hat);
        OrderEvent paid = new("evt-1", EventTypes.OrderPaid, At(5, 1, 11), Hat);

        var order = Fold([delivered, paid]).Single();

        Assert.Equal(OrderStatus.Delivered, order.Status);
        Assert.Equal(At(5, 1), order.StatusTimes[OrderStatus.Placed]);
        Assert.Equal(At(5, 1, 11), order.StatusTimes[OrderStatus.Paid]);
        Assert.Equal(At(5, 4), order.StatusTimes[OrderStatus.Delivered]);
        Assert.False(order.StatusTimes.ContainsKey(OrderStatus.Shipped));
    }

    [Fact]
    public void Apply_StatusReportedTwice_KeepsEarliestTimeWhicheverArrivesFirst()
    {
        OrderEvent shipped = new("evt-2", EventTypes.OrderShipped, At(5, 2), Hat);
        OrderEvent shippedAgain = new("evt-5", EventTypes.OrderShipped, At(5, 6), Hat);

        var inOrder = Fold([shipped, shippedAgain]).Single();
        var reversed = Fold([shippedAgain, shipped]).Single();

        Assert.Equal(At(5, 2), inOrder.StatusTimes[OrderStatus.Shipped]);
        Assert.Equal(At(5, 2), reversed.StatusTimes[OrderStatus.Shipped]);
    }

    [Fact]
    public void Apply_TwoPartialRefunds_AddUpAndLeaveTheRest()
    {
        OrderEvent delivered = new("evt-1", EventTypes.OrderDelivered, At(5, 4), Hat);
        OrderEvent firstRefund = new("evt-2", EventTypes.OrderRefunded, At(5, 10), Hat, 1_000);
        OrderEvent secondRefund = new("evt-3", EventTypes.OrderRefunded, At(5, 12), Hat, 500);

        var order = Fold([secondRefund, delivered, firstRefund]).Single();

        Assert.Equal(OrderStatus.Refunded, order.Status);
        Assert.Equal(1_500, order.RefundedCents);
        Assert.Equal(3_000, order.NetCents);
        Assert.True(order.Counts);
    }

    [Fact]
    public void Apply_RefundWithoutAmount_RefundsTheWholeOrder()
    {
        OrderEvent delivered = new("evt-1", EventTypes.OrderDelivered, At(5, 4), Hat);
        OrderEvent refund = new("evt-2", EventTypes.OrderRefunded, At(5, 10), Hat);

        var order = Fold([refund, delivered]).Single();

        Assert.Equal(4_500, order.RefundedCents);
        Assert.Equal(0, order.NetCents);
        Assert.False(order.Counts);
    }

    [Fact]
    public void Apply_FullRefundThenOrderEditedUpwards_SameResultInEveryArrivalOrder()
    {
        // An exchange: the $45 hat is refunded in full (no amount: "the whole total"), then the
        // storefront edits the order to a $52 hat and reports it paid.
        var edited = Snapshot("ord-2001", At(5, 1), 52.00m, 0m, Line("Hats", "Wool hat", 52.00m));
        OrderEvent[] events =
        [
            new("evt-1", EventTypes.OrderPlaced, At(5, 1), Hat),
            new("evt-2", EventTypes.OrderRefunded, At(5, 10), Hat),
            new("evt-3", EventTypes.OrderPaid, At(5, 12), edited),
        ];
        var asItHappened = Fold(events).Single();

        var results = Permutations(events).Select(p => Fold(p).Single()).ToList();

        Assert.Equal(4_500, asItHappened.RefundedCents);
        Assert.Equal(700, asItHappened.NetCents);
        Assert.All(results, order => Assert.Equivalent(asItHappened, order, strict: true));
    }

    [Fact]
    public void Apply_RefundsBeyondTheTotal_NetRevenueNeverNegative()
    {
        OrderEvent partial = new("evt-1", EventTypes.OrderRefunded, At(5, 8), Hat, 2_000);
        OrderEvent whole = new("evt-2", EventTypes.OrderRefunded, At(5, 10), Hat);

        var order = Fold([partial, whole]).Single();

        Assert.Equal(0, order.NetCents);
        Assert.False(order.Counts);
    }

    [Fact]
    public void Apply_CancelledAfterPayment_BringsNoRevenue()
    {
        OrderEvent cancelled = new("evt-2", EventTypes.OrderCancelled, At(5, 2), Hat);
        OrderEvent paid = new("evt-1", EventTypes.OrderPaid, At(5, 1, 11), Hat);

        var order = Fold([cancelled, paid]).Single();

        Assert.Equal(OrderStatus.Cancelled, order.Status);
        Assert.Equal(0, order.NetCents);
        Assert.False(order.Counts);
    }
}
