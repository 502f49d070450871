using System.Net;
using System.Text.Json.Nodes;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;

namespace PecosCrm.IntegrationTests.Customers;

[Collection(AzuriteCollection.Name)]
public sealed class StoreEventsTests(AzuriteFixture fixture)
{
    private static readonly DateTimeOffset Start = DateTimeOffset.UtcNow.AddDays(-200);
    private readonly HttpClient _admin = fixture.App.Admin();

    [Fact]
    public async Task Events_CreateCustomerAndOrders_MetricsFollow()
    {
        var id = NewId("c");
        await _admin.PostEventsAsync(
            Event(NewId("e"), "customer.created", Start, id, (JsonObject)System.Text.Json.JsonSerializer.SerializeToNode(Customer(id), HttpAssertions.Json)!),
            Event(NewId("e"), "order.placed", Start.AddDays(1), id, Order(NewId("o"), id, Start.AddDays(1), 120m)),
            Event(NewId("e"), "order.placed", Start.AddDays(31), id, Order(NewId("o"), id, Start.AddDays(31), 80m, "Hats")));

        var metrics = await _admin.WaitForMetricsAsync(id, m => m["metrics"]!["orderCount"]!.GetValue<int>() == 2, "two orders counted");

        var m = metrics["metrics"]!;
        Assert.Equal(200m, m["lifetimeValue"]!.GetValue<decimal>());
        Assert.Equal(100m, m["averageOrderValue"]!.GetValue<decimal>());
        Assert.Equal(30d, m["averageDaysBetweenOrders"]!.GetValue<double>());
        Assert.Equal(Start.AddDays(1), m["firstOrderAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(Start.AddDays(31), m["lastOrderAt"]!.GetValue<DateTimeOffset>());
        Assert.InRange(m["daysSinceLastOrder"]!.GetValue<int>(), 168, 170);
        Assert.Equal(2, m["purchaseFrequencyPerMonth"]!.GetValue<double>());
        Assert.Equal(120m, m["categories"]!["boots"]!["spend"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task ReplayedBatch_ChangesNothing()
    {
        var id = NewId("c");
        var batch = new[]
        {
            Event(NewId("e"), "customer.created", Start, id, Node(Customer(id))),
            Event(NewId("e"), "order.placed", Start.AddDays(2), id, Order(NewId("o"), id, Start.AddDays(2), 99.5m)),
            Event(NewId("e"), "account.login", Start.AddDays(3), id, new JsonObject { ["channel"] = "web" }),
        };
        await _admin.PostEventsAsync(batch);
        await _admin.WaitForMetricsAsync(id, m => m["metrics"]!["engagement"]!["logins"]!.GetValue<int>() == 1 && m["metrics"]!["orderCount"]!.GetValue<int>() == 1, "first batch applied");
        var timelineBefore = await TimelineCountAsync(id);

        await _admin.PostEventsAsync(batch);
        var marker = NewId("e");
        await _admin.PostEventsAsync(Event(marker, "page.viewed", Start.AddDays(4), id, new JsonObject { ["url"] = "/boots" }));
        await _admin.WaitForTimelineEntryAsync(id, marker);

        var metrics = await (await _admin.GetAsync($"/api/customers/{id}/metrics")).AssertJsonAsync();
        Assert.Equal(1, metrics["metrics"]!["orderCount"]!.GetValue<int>());
        Assert.Equal(99.5m, metrics["metrics"]!["lifetimeValue"]!.GetValue<decimal>());
        Assert.Equal(1, metrics["metrics"]!["engagement"]!["logins"]!.GetValue<int>());
        Assert.Equal(timelineBefore + 1, await TimelineCountAsync(id));
    }

    [Fact]
    public async Task DuplicateEventIdsInOneBatch_AppliedOnce()
    {
        var id = NewId("c");
        var login = Event(NewId("e"), "account.login", Start, id, new JsonObject());
        await _admin.PostEventsAsync(Event(NewId("e"), "customer.created", Start, id, Node(Customer(id))), login, login, login);

        var metrics = await _admin.WaitForMetricsAsync(id, m => m["metrics"]!["engagement"]!["logins"]!.GetValue<int>() >= 1, "login applied");
        await Task.Delay(300);

        metrics = await (await _admin.GetAsync($"/api/customers/{id}/metrics")).AssertJsonAsync();
        Assert.Equal(1, metrics["metrics"]!["engagement"]!["logins"]!.GetValue<int>());
    }

    [Fact]
    public async Task OutOfOrderEvents_GiveTheSameMetricsAsInOrder()
    {
        async Task<JsonNode> Run(bool reversed)
        {
            var id = NewId("c");
            var order1 = NewId("o");
            var order2 = NewId("o");
            var events = new List<JsonObject>
            {
                Event(NewId("e"), "customer.created", Start, id, Node(Customer(id))),
                Event(NewId("e"), "order.placed", Start.AddDays(1), id, Order(order1, id, Start.AddDays(1), 150m)),
                Event(NewId("e"), "order.shipped", Start.AddDays(2), id, Order(order1, id, Start.AddDays(1), 150m)),
                Event(NewId("e"), "order.placed", Start.AddDays(10), id, Order(order2, id, Start.AddDays(10), 60m, "Hats")),
                Event(NewId("e"), "order.cancelled", Start.AddDays(11), id, Order(order2, id, Start.AddDays(10), 60m, "Hats")),
                Event(NewId("e"), "order.delivered", Start.AddDays(5), id, Order(order1, id, Start.AddDays(1), 150m)),
            };
            if (reversed)
            {
                events.Reverse();
            }
            // One event per batch, so the order of arrival is really the order of processing.
            foreach (var e in events)
            {
                await _admin.PostEventsAsync(e);
            }
            await _admin.WaitForTimelineEntryAsync(id, events[^1]["id"]!.GetValue<string>());
            foreach (var e in events)
            {
                await _admin.WaitForTimelineEntryAsync(id, e["id"]!.GetValue<string>());
            }
            var metrics = await (await _admin.GetAsync($"/api/customers/{id}/metrics")).AssertJsonAsync();
            var order = await (await _admin.GetAsync($"/api/orders/{order1}")).AssertJsonAsync();
            var cancelled = await (await _admin.GetAsync($"/api/orders/{order2}")).AssertJsonAsync();
            return new JsonObject
            {
                ["metrics"] = metrics["metrics"]!.DeepClone(),
                ["status"] = order["status"]!.DeepClone(),
                ["cancelledStatus"] = cancelled["status"]!.DeepClone(),
            };
        }

        var inOrder = await Run(reversed: false);
        var reversed = await Run(reversed: true);

        Assert.Equal("delivered", inOrder["status"]!.GetValue<string>());
        Assert.Equal("cancelled", inOrder["cancelledStatus"]!.GetValue<string>());
        Assert.Equal(1, inOrder["metrics"]!["orderCount"]!.GetValue<int>());
        Assert.Equal(1, inOrder["metrics"]!["cancelledOrders"]!.GetValue<int>());
        Assert.Equal(150m, inOrder["metrics"]!["lifetimeValue"]!.GetValue<decimal>());
        foreach (var field in new[] { "lifetimeValue", "orderCount", "cancelledOrders", "averageOrderValue", "firstOrderAt", "lastOrderAt", "purchaseFrequencyPerMonth", "categories" })
        {
            Assert.Equal(inOrder["metrics"]![field]!.ToJsonString(), reversed["metrics"]![field]!.ToJsonString());
        }
        Assert.Equal(inOrder["status"]!.ToJsonString(), reversed["status"]!.ToJsonString());
        Assert.Equal(inOrder["cancelledStatus"]!.ToJsonString(), reversed["cancelledStatus"]!.ToJsonString());
    }

    [Fact]
    public async Task LongSessionInOneBatch_AppliedInSeveralTransactions_SameAsOneByOne_AndReplayChangesNothing()
    {
        List<JsonObject> Session(string id)
        {
            var orders = Enumerable.Range(0, 12).Select(_ => NewId("o")).ToList();
            var events = new List<JsonObject> { Event(NewId("e"), "customer.created", Start, id, Node(Customer(id))) };
            for (var i = 0; i < 12; i++)
            {
                var at = Start.AddDays(3 * i + 1);
                events.Add(Event(NewId("e"), "product.viewed", at.AddMinutes(-5), id, new JsonObject { ["productId"] = "p-" + i, ["name"] = "Boot " + i }));
                events.Add(Event(NewId("e"), "order.placed", at, id, Order(orders[i], id, at, 100m + i, i % 2 == 0 ? "Boots" : "Hats", number: $"5{i:D2}")));
                events.Add(Event(NewId("e"), "order.shipped", at.AddDays(1), id, Order(orders[i], id, at, 100m + i, i % 2 == 0 ? "Boots" : "Hats", number: $"5{i:D2}")));
                events.Add(Event(NewId("e"), "account.login", at.AddHours(2), id, new JsonObject()));
            }
            // The first order is cancelled and the last refunded in full: both move the first and last counted order.
            events.Add(Event(NewId("e"), "order.cancelled", Start.AddDays(60), id, Order(orders[0], id, Start.AddDays(1), 100m, number: "500")));
            events.Add(Event(NewId("e"), "order.refunded", Start.AddDays(61), id, Order(orders[11], id, Start.AddDays(34), 111m, "Hats", number: "511")));
            return events;
        }

        var together = NewId("c");
        var oneByOne = NewId("c");
        var batch = Session(together);
        await _admin.PostEventsAsync([.. batch]);
        foreach (var e in Session(oneByOne))
        {
            await _admin.PostEventsAsync(e);
        }
        await _admin.WaitForTimelineEntryAsync(together, batch[^1]["id"]!.GetValue<string>());
        await _admin.WaitForMetricsAsync(oneByOne, m => m["metrics"]!["engagement"]!["logins"]!.GetValue<int>() == 12 && m["metrics"]!["cancelledOrders"]!.GetValue<int>() == 1
            && m["metrics"]!["orderCount"]!.GetValue<int>() == 10, "one by one applied");
        var timelineBefore = await TimelineCountAsync(together);
        await _admin.PostEventsAsync([.. batch]);
        var marker = NewId("e");
        await _admin.PostEventsAsync(Event(marker, "page.viewed", Start.AddDays(90), together, new JsonObject { ["url"] = "/hats" }));
        await _admin.WaitForTimelineEntryAsync(together, marker);

        var a = (await (await _admin.GetAsync($"/api/customers/{together}/metrics")).AssertJsonAsync())["metrics"]!;
        var b = (await (await _admin.GetAsync($"/api/customers/{oneByOne}/metrics")).AssertJsonAsync())["metrics"]!;
        Assert.Equal(10, a["orderCount"]!.GetValue<int>());
        Assert.Equal(Start.AddDays(4), a["firstOrderAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(Start.AddDays(31), a["lastOrderAt"]!.GetValue<DateTimeOffset>());
        foreach (var field in new[] { "lifetimeValue", "orderCount", "cancelledOrders", "refunded", "averageOrderValue", "firstOrderAt", "lastOrderAt", "averageDaysBetweenOrders", "purchaseFrequencyPerMonth", "categories" })
        {
            Assert.Equal(b[field]?.ToJsonString(), a[field]?.ToJsonString());
        }
        Assert.Equal(12, a["engagement"]!["logins"]!.GetValue<int>());
        Assert.Equal(12, a["engagement"]!["productViews"]!.GetValue<int>());
        Assert.Equal(timelineBefore + 1, await TimelineCountAsync(together));
        var view = await (await _admin.GetAsync($"/api/customers/{together}/360")).AssertJsonAsync();
        Assert.Equal(["511", "510", "509", "508", "507"], view["recentOrders"]!.AsArray().Select(o => o!["number"]!.GetValue<string>()));
        Assert.Equal("refunded", view["recentOrders"]![0]!["status"]!.GetValue<string>());
        var orderEntries = (await (await _admin.GetAsync($"/api/customers/{together}/timeline?type=order&limit=100")).AssertJsonAsync())["items"]!.AsArray();
        Assert.Equal(26, orderEntries.Count);
    }

    [Fact]
    public async Task StaffWritesWhileEventsApply_BothKept()
    {
        var id = NewId("c");
        await _admin.PostEventsAsync(Event(NewId("e"), "customer.created", Start, id, Node(Customer(id))));
        await _admin.WaitForMetricsAsync(id, _ => true, "customer created");
        var logins = Enumerable.Range(0, 30).Select(i => Event(NewId("e"), "account.login", Start.AddHours(i + 1), id, new JsonObject())).ToArray();

        var posting = Task.WhenAll(logins.Chunk(3).Select(chunk => _admin.PostEventsAsync(chunk)));
        var notes = Task.WhenAll(Enumerable.Range(0, 5).Select(i => _admin.PostJsonAsync($"/api/customers/{id}/notes", new { body = $"Note {i}", pinned = true })));
        await posting;
        foreach (var response in await notes)
        {
            await response.AssertJsonAsync(HttpStatusCode.Created);
        }

        await _admin.WaitForMetricsAsync(id, m => m["metrics"]!["engagement"]!["logins"]!.GetValue<int>() == 30, "every login applied");
        var view = await (await _admin.GetAsync($"/api/customers/{id}/360")).AssertJsonAsync();
        Assert.Equal(5, view["pinnedNotes"]!.AsArray().Count);
        Assert.Equal(30, view["metrics"]!["engagement"]!["logins"]!.GetValue<int>());
    }

    [Fact]
    public async Task RefundedOrder_IsNettedOutOfMetrics()
    {
        var id = NewId("c");
        var full = NewId("o");
        var partial = NewId("o");
        var refund = Order(partial, id, Start.AddDays(5), 100m);
        refund["refundedAmount"] = 30m;
        await _admin.PostEventsAsync(
            Event(NewId("e"), "customer.created", Start, id, Node(Customer(id))),
            Event(NewId("e"), "order.placed", Start.AddDays(1), id, Order(full, id, Start.AddDays(1), 200m)),
            Event(NewId("e"), "order.placed", Start.AddDays(5), id, Order(partial, id, Start.AddDays(5), 100m)),
            Event(NewId("e"), "order.refunded", Start.AddDays(9), id, Order(full, id, Start.AddDays(1), 200m)),
            Event(NewId("e"), "order.refunded", Start.AddDays(10), id, refund));

        var metrics = await _admin.WaitForMetricsAsync(id, m => m["metrics"]!["refunded"]!.GetValue<decimal>() == 230m, "refunds applied");

        var m = metrics["metrics"]!;
        Assert.Equal(70m, m["lifetimeValue"]!.GetValue<decimal>());
        Assert.Equal(1, m["orderCount"]!.GetValue<int>());
        var order = await (await _admin.GetAsync($"/api/orders/{partial}")).AssertJsonAsync();
        Assert.Equal("refunded", order["status"]!.GetValue<string>());
        Assert.Equal(70m, order["net"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task CustomerWithNoOrders_HasEmptyMetricsAndAHealthThatSaysWhy()
    {
        var id = NewId("c");
        await (await _admin.PostJsonAsync("/api/customers", Customer(id))).AssertJsonAsync(HttpStatusCode.Created);

        var insights = await (await _admin.GetAsync($"/api/customers/{id}/metrics")).AssertJsonAsync();

        Assert.Equal(0, insights["metrics"]!["orderCount"]!.GetValue<int>());
        Assert.Equal(0m, insights["metrics"]!["lifetimeValue"]!.GetValue<decimal>());
        Assert.Null(insights["metrics"]!["daysSinceLastOrder"]);
        var recency = insights["health"]!["components"]!.AsArray().Single(c => c!["name"]!.GetValue<string>() == "recency")!;
        Assert.Equal("no orders yet", recency["reason"]!.GetValue<string>());
        Assert.InRange(insights["health"]!["score"]!.GetValue<int>(), 1, 100);
    }

    [Fact]
    public async Task BadBatch_IsRejectedWhole_NamingEachBadEvent_AndWritesNothing()
    {
        var id = NewId("c");
        var badOrder = Order(NewId("o"), id, Start, 10m);
        badOrder["total"] = -5;
        badOrder["lines"] = new JsonArray();

        var response = await _admin.PostJsonAsync("/api/events", new JsonObject
        {
            ["events"] = new JsonArray(
                Event(NewId("e"), "customer.created", Start, id, Node(Customer(id))),
                Event(NewId("e"), "order.teleported", Start, id, new JsonObject()),
                Event("", "account.login", Start, id, new JsonObject()),
                Event(NewId("e"), "order.placed", Start, id, badOrder),
                Event(NewId("e"), "review.submitted", Start, id, new JsonObject { ["productId"] = "p1", ["rating"] = 9 })),
        });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        var errors = problem["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("events[1].type"));
        Assert.True(errors.ContainsKey("events[2].id"));
        Assert.True(errors.ContainsKey("events[3].data.total"));
        Assert.True(errors.ContainsKey("events[3].data.lines"));
        Assert.True(errors.ContainsKey("events[4].data.rating"));
        Assert.False(errors.ContainsKey("events[0].id"));
        await Task.Delay(500);
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.GetAsync($"/api/customers/{id}")).StatusCode);
    }

    [Fact]
    public async Task Batch_OverFiveHundred_IsRejected()
    {
        var id = NewId("c");
        var events = Enumerable.Range(0, 501).Select(i => (JsonNode)Event(NewId("e"), "account.login", Start, id, new JsonObject())).ToArray();

        var response = await _admin.PostJsonAsync("/api/events", new JsonObject { ["events"] = new JsonArray(events) });

        Assert.NotNull((await response.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!["events"]);
    }

    [Fact]
    public async Task EventTypes_ListEveryTypeWithItsFields()
    {
        var types = (await (await _admin.GetAsync("/api/events/types")).AssertJsonAsync())["items"]!.AsArray();

        var names = types.Select(t => t!["name"]!.GetValue<string>()).ToList();
        foreach (var expected in new[] { "customer.created", "customer.updated", "order.placed", "order.paid", "order.shipped", "order.delivered", "order.cancelled",
                     "order.refunded", "cart.updated", "cart.checked_out", "product.viewed", "review.submitted", "account.login", "page.viewed" })
        {
            Assert.Contains(expected, names);
        }
        var placed = types.Single(t => t!["name"]!.GetValue<string>() == "order.placed")!;
        Assert.Contains(placed["fields"]!.AsArray(), f => f!["name"]!.GetValue<string>() == "total" && f["required"]!.GetValue<bool>());
    }

    [Fact]
    public async Task IntegrationWithoutEventsScope_Gets403()
    {
        var key = await (await _admin.PostJsonAsync("/api/keys", new { name = "reader", owner = "integration", scopes = new[] { "customers:read" } })).AssertJsonAsync(HttpStatusCode.Created);
        var client = fixture.App.ClientWithKey(key["secret"]!.GetValue<string>());

        var response = await client.PostJsonAsync("/api/events", new { events = new[] { new { id = "x", type = "account.login", occurredAt = Start, customerId = "c" } } });

        await response.AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task CustomerUpdated_OlderEventDoesNotOverwriteNewer()
    {
        var id = NewId("c");
        var newer = NewId("e");
        await _admin.PostEventsAsync(
            Event(NewId("e"), "customer.created", Start, id, Node(Customer(id))),
            Event(newer, "customer.updated", Start.AddDays(10), id, new JsonObject { ["phone"] = "(555) 010-2000" }));
        await _admin.WaitForTimelineEntryAsync(id, newer);
        var older = NewId("e");

        await _admin.PostEventsAsync(Event(older, "customer.updated", Start.AddDays(5), id, new JsonObject { ["phone"] = "(555) 010-1000" }));
        await HttpAssertions.EventuallyAsync(async () => (await _admin.GetAsync($"/api/customers?phone=5550101000")).StatusCode == HttpStatusCode.OK, "api answers");
        await Task.Delay(1000);

        var customer = await (await _admin.GetAsync($"/api/customers/{id}")).AssertJsonAsync();
        Assert.Equal("(555) 010-2000", customer["phone"]!.GetValue<string>());
    }

    private async Task<int> TimelineCountAsync(string id)
    {
        var page = await (await _admin.GetAsync($"/api/customers/{id}/timeline?limit=500")).AssertJsonAsync();
        return page["items"]!.AsArray().Count;
    }

    private static JsonObject Node(object o) => (JsonObject)System.Text.Json.JsonSerializer.SerializeToNode(o, HttpAssertions.Json)!;
}
