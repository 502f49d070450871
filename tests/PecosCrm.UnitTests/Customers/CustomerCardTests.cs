using PecosCrm.Core.Customers;
using PecosCrm.Core.Orders;
using static PecosCrm.UnitTests.Customers.OrderHistory;

namespace PecosCrm.UnitTests.Customers;

public sealed class CustomerCardTests
{
    [Fact]
    public void PutOrder_KeepsTheFiveNewestByPlacementTime_WhateverTheOrderTheyCome()
    {
        var card = CardEntity.New("cus-1");
        var orders = Enumerable.Range(1, 8).Select(i => OrderOf($"ord-{i}", At(1, i))).ToList();

        foreach (var order in orders.OrderBy(o => o.Id.GetHashCode(StringComparison.Ordinal)))
        {
            CustomerCard.PutOrder(card, new CardOrder(order, order.PlacedAt, "e-" + order.Id));
        }
        CustomerCard.PutOrder(card, new CardOrder(orders[6] with { Status = OrderStatus.Shipped }, At(2, 1), "e-shipped"));

        var recent = card.RecentOrderList();
        Assert.Equal(["ord-8", "ord-7", "ord-6", "ord-5", "ord-4"], recent.Select(o => o.Order.Id));
        Assert.Equal(OrderStatus.Shipped, recent[1].Order.Status);
        Assert.Equal("e-shipped", recent[1].DataEventId);
    }

    [Fact]
    public void PutOrder_AnOrderTooLongForItsShare_IsKeptWithoutItsLines()
    {
        var card = CardEntity.New("cus-1");
        var lines = Enumerable.Range(0, 200).Select(i => new OrderLine($"p-{i}", $"SKU-{i}", new string('x', 40), "boots", 1, 1_000)).ToList();
        var big = OrderOf("ord-big", At(3, 1)) with { Lines = lines };

        CustomerCard.PutOrder(card, new CardOrder(big, big.PlacedAt, "e-1"));

        var kept = Assert.Single(card.RecentOrderList());
        Assert.True(kept.LinesLeftOut);
        Assert.Empty(kept.Order.Lines);
        Assert.True(card.RecentOrders.Length <= CustomerCard.ListBudget);
    }

    [Fact]
    public void AddActivity_KeepsTheTenNewest_AndReplacesAnEntryWrittenAgain()
    {
        var card = CardEntity.New("cus-1");
        var entries = Enumerable.Range(1, 12).Select(i => Entry($"t-{i}", At(1, i))).ToList();

        CustomerCard.AddActivity(card, entries.Take(6));
        CustomerCard.AddActivity(card, entries.Skip(6));
        CustomerCard.AddActivity(card, [entries[11] with { Title = "again" }]);

        var activity = card.RecentActivityList();
        Assert.Equal(Enumerable.Range(3, 10).Reverse().Select(i => $"t-{i}"), activity.Select(e => e.Id));
        Assert.Equal("again", activity[0].Title);
    }

    [Fact]
    public void PutNote_PinnedNotesOnly_UnpinningOrDeletingTakesItOff()
    {
        var card = CardEntity.New("cus-1");
        var pinned = new Note("n-1", "cus-1", "Wide calf", true, "amy", At(1, 1), At(1, 1));
        var other = new Note("n-2", "cus-1", "Call back", false, "amy", At(1, 2), At(1, 2));

        CustomerCard.PutNote(card, pinned);
        CustomerCard.PutNote(card, other);
        Assert.Equal(["n-1"], card.PinnedNoteList().Select(n => n.Id));

        CustomerCard.PutNote(card, other with { Pinned = true });
        CustomerCard.PutNote(card, pinned with { Pinned = false });
        Assert.Equal(["n-2"], card.PinnedNoteList().Select(n => n.Id));

        CustomerCard.PutNote(card, other with { Pinned = true }, deleted: true);
        Assert.Empty(card.PinnedNoteList());
    }

    [Fact]
    public void PutNote_MorePinnedTextThanACardHolds_KeepsTheNewestThatFit()
    {
        var card = CardEntity.New("cus-1");
        for (var i = 1; i <= 5; i++)
        {
            CustomerCard.PutNote(card, new Note($"n-{i}", "cus-1", new string('y', 9_000), true, "amy", At(1, i), At(1, i)));
        }

        Assert.Equal(["n-5", "n-4", "n-3"], card.PinnedNoteList().Select(n => n.Id));
        Assert.True(card.PinnedNotes.Length <= CustomerCard.ListBudget);
    }

    [Fact]
    public void Refresh_AddsAndRemovesAutoTags_LeavesCustomTagsAlone()
    {
        var card = CardEntity.New("cus-1");
        card.HasProfile = true;
        card.CustomerSince = At(1, 1);
        CustomerCard.SetTag(card, new CardTag("vip", false, "amy", At(1, 2)));

        var (added, removed) = CustomerCard.Refresh(card, At(1, 10));
        Assert.Equal([AutoTags.NewCustomer.Id], added);
        Assert.Empty(removed);

        (added, removed) = CustomerCard.Refresh(card, At(6, 1));
        Assert.Empty(added);
        Assert.Equal([AutoTags.NewCustomer.Id], removed);
        Assert.Equal(["vip"], card.TagList().Select(t => t.TagId));
        Assert.NotNull(card.HealthScore);
    }

    [Fact]
    public void PutAutomation_AFinishedInstanceLeavesTheCard()
    {
        var card = CardEntity.New("cus-1");
        var running = new CustomerAutomation("i-1", "wf-1", "waiting", "wait-1", At(1, 1), At(1, 2));

        CustomerCard.PutAutomation(card, running, finished: false);
        CustomerCard.PutAutomation(card, running with { Node = "send-2", Status = "active" }, finished: false);
        Assert.Equal("send-2", Assert.Single(card.AutomationList()).Node);

        CustomerCard.PutAutomation(card, running, finished: true);
        Assert.Empty(card.AutomationList());
    }

    private static Order OrderOf(string id, DateTimeOffset placedAt) =>
        new(id, "#" + id, "cus-1", placedAt, OrderStatus.Placed, new Dictionary<OrderStatus, DateTimeOffset> { [OrderStatus.Placed] = placedAt },
            "USD", [new OrderLine("p-" + id, null, "Item", "boots", 1, 5_000)], 5_000, 0, null, 0, 0, 5_000, 0, "web");

    private static TimelineEntry Entry(string id, DateTimeOffset at) => new(id, "cus-1", TimelineType.Login, "Signed in " + id, at, "customer", null, null);
}
