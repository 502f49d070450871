using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;

namespace PecosCrm.IntegrationTests.Analytics;

/// <summary>Every amount is a decimal rounded half away from zero to the cent, with its currency.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class MoneyTests(AzuriteFixture fixture)
{
    [Fact]
    public async Task KpisAndCac_AreRoundedToTheCent_WithCurrency_AndCacWithoutSpendIsNull()
    {
        await using var app = fixture.NewApp(new Dictionary<string, string?> { ["Hosting:RunTimers"] = "false" });
        var admin = app.Admin();
        var at = new DateTimeOffset(2025, 3, 5, 12, 0, 0, TimeSpan.Zero);
        JsonObject Placed(string customer, string channel, decimal total, DateTimeOffset when)
        {
            var order = Order(NewId("o"), customer + "-" + app.Prefix, when, total);
            order["channel"] = channel;
            return Event(NewId("e"), "order.placed", when, customer + "-" + app.Prefix, order);
        }
        // Revenue $200.01 over two orders: an average of $100.005. Two customers by email, one by phone.
        await admin.PostEventsAsync(Placed("a", "email", 100.00m, at), Placed("b", "email", 100.01m, at.AddDays(1)), Placed("c", "phone", 0.02m, at.AddDays(2)));
        (await admin.PutAsync("/api/analytics/marketing-spend/2025-03/email", JsonContent.Create(new { amount = 100.01m }))).EnsureSuccessStatusCode();
        await HttpAssertions.EventuallyAsync(async () =>
        {
            await admin.PostAsync("/api/analytics/refresh", null);
            return (await (await admin.GetAsync("/api/analytics/freshness")).AssertJsonAsync())["ordersInCopy"]!.GetValue<long>() == 3;
        }, "orders in the copy");

        var kpis = await (await admin.GetAsync("/api/analytics/kpis?from=2025-03-01T00:00:00Z&to=2025-03-07T00:00:00Z")).AssertJsonAsync();
        var cac = (await (await admin.GetAsync("/api/analytics/cac?from=2025-03&to=2025-03")).AssertJsonAsync())["items"]!.AsArray();

        JsonNode Kpi(string name) => kpis["metrics"]!.AsArray().Single(m => m!["name"]!.GetValue<string>() == name)!;
        Assert.Equal(200.01m, Kpi("revenue")["value"]!.GetValue<decimal>());
        Assert.Equal(100.01m, Kpi("averageOrderValue")["value"]!.GetValue<decimal>());
        Assert.Equal("USD", Kpi("averageOrderValue")["currency"]!.GetValue<string>());
        Assert.Equal(100.01m, Kpi("averageLifetimeValue")["value"]!.GetValue<decimal>());
        Assert.Null(Kpi("orders")["currency"]);
        Assert.All(kpis["metrics"]!.AsArray(), m => Assert.Equal(m!["value"]!.GetValue<decimal>(), decimal.Round(m["value"]!.GetValue<decimal>(), 4)));
        var email = cac.Single(c => c!["channel"]!.GetValue<string>() == "email")!;
        Assert.Equal(100.01m, email["spend"]!.GetValue<decimal>());
        Assert.Equal(50.01m, email["cac"]!.GetValue<decimal>());
        var phone = cac.Single(c => c!["channel"]!.GetValue<string>() == "phone")!;
        Assert.Equal(1, phone["newCustomers"]!.GetValue<long>());
        Assert.Null(phone["spend"]);
        Assert.Null(phone["cac"]);
        Assert.Equal("USD", phone["currency"]!.GetValue<string>());
    }

    [Fact]
    public async Task AverageOfHalfACentOver200_CountsAsHighAov_AndThe360ShowsItRounded()
    {
        await using var app = fixture.NewApp(new Dictionary<string, string?> { ["Hosting:RunTimers"] = "false" });
        var admin = app.Admin();
        var id = "aov-" + app.Prefix;
        var now = DateTimeOffset.UtcNow;
        await (await admin.PostJsonAsync("/api/customers", Customer(id, "Amos", "Vail"))).AssertJsonAsync(HttpStatusCode.Created);
        await admin.PostEventsAsync(
            Event(NewId("e"), "order.placed", now.AddDays(-20), id, Order(NewId("o"), id, now.AddDays(-20), 200.00m)),
            Event(NewId("e"), "order.placed", now.AddDays(-10), id, Order(NewId("o"), id, now.AddDays(-10), 200.01m)));
        var metrics = await admin.WaitForMetricsAsync(id, m => m["metrics"]!["orderCount"]!.GetValue<int>() == 2, "both orders");
        await (await admin.PostAsync("/api/analytics/refresh", null)).AssertJsonAsync();

        var preview = await (await admin.PostJsonAsync("/api/segments/preview", new JsonObject
        {
            ["rules"] = new JsonObject { ["match"] = "all", ["rules"] = new JsonArray(new JsonObject { ["field"] = "average_order_value", ["op"] = "gt", ["value"] = 200 }) },
        })).AssertJsonAsync();

        Assert.Equal(200.01m, metrics["metrics"]!["averageOrderValue"]!.GetValue<decimal>());
        Assert.Equal(1, preview["count"]!.GetValue<long>());
        var sample = Assert.Single(preview["sample"]!.AsArray())!;
        Assert.Equal(400.01m, sample["lifetimeValue"]!.GetValue<decimal>());
        Assert.Equal("USD", sample["currency"]!.GetValue<string>());
    }
}
