using System.Text.Json.Nodes;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;

namespace PecosCrm.IntegrationTests.Analytics;

[Collection(AzuriteCollection.Name)]
public sealed class InsightTests(AzuriteFixture fixture)
{
    [Fact]
    public async Task PairsAndRevenue_FollowTheirDefinitions()
    {
        await using var app = fixture.NewApp(new Dictionary<string, string?> { ["Hosting:RunTimers"] = "false" });
        var admin = app.Admin();
        var customer = "pairs-" + app.Prefix;
        // Four orders: boots+hats twice (a Monday and a Tuesday), boots alone, denim alone (by phone).
        var monday = new DateTimeOffset(2025, 6, 2, 16, 0, 0, TimeSpan.Zero);
        JsonObject Basket(string id, DateTimeOffset at, string channel, params string[] categories)
        {
            var order = Order(id, customer, at, 10m * categories.Length);
            order["channel"] = channel;
            order["lines"] = new JsonArray(categories.Select(c => (JsonNode)new JsonObject
            {
                ["productId"] = "p-" + c, ["name"] = c, ["category"] = c, ["quantity"] = 1, ["unitPrice"] = 10m,
            }).ToArray());
            return Event(NewId("e"), "order.placed", at, customer, order);
        }
        await admin.PostEventsAsync(
            Basket("o1", monday, "web", "Boots", "Hats"),
            Basket("o2", monday.AddDays(1), "web", "Boots", "Hats"),
            Basket("o3", monday.AddDays(1), "web", "Boots"),
            Basket("o4", monday.AddMonths(1), "phone", "Denim"));
        await HttpAssertions.EventuallyAsync(async () =>
        {
            await admin.PostAsync("/api/analytics/refresh", null);
            return (await (await admin.GetAsync("/api/analytics/freshness")).AssertJsonAsync())["ordersInCopy"]!.GetValue<long>() == 4;
        }, "orders in the copy");
        var range = "from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z";

        var pairs = (await (await admin.GetAsync($"/api/analytics/pairs?{range}")).AssertJsonAsync())["items"]!.AsArray();
        var revenue = await (await admin.GetAsync($"/api/analytics/revenue?{range}")).AssertJsonAsync();

        var pair = Assert.Single(pairs)!;
        Assert.Equal("boots", pair["a"]!.GetValue<string>());
        Assert.Equal("hats", pair["b"]!.GetValue<string>());
        Assert.Equal(0.5, pair["support"]!.GetValue<double>());
        Assert.Equal(0.6667, pair["confidenceAToB"]!.GetValue<double>());
        Assert.Equal(1.0, pair["confidenceBToA"]!.GetValue<double>());
        Assert.Equal(1.3333, pair["lift"]!.GetValue<double>());
        Assert.Equal(["2025-06", "2025-07"], revenue["byMonth"]!.AsArray().Select(m => m!["key"]!.GetValue<string>()));
        Assert.Equal(50m, revenue["byMonth"]![0]!["revenue"]!.GetValue<decimal>());
        Assert.Equal(["Monday", "Tuesday", "Wednesday"], revenue["byWeekday"]!.AsArray().Select(d => d!["key"]!.GetValue<string>()));
        var web = revenue["channels"]!.AsArray().Single(c => c!["channel"]!.GetValue<string>() == "web")!;
        Assert.Equal(0.8333, web["share"]!.GetValue<double>());
    }
}
