using System.Net;
using System.Text.Json.Nodes;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;

namespace PecosCrm.IntegrationTests.Products;

[Collection(AzuriteCollection.Name)]
public sealed class ProductAnalyticsTests(AzuriteFixture fixture)
{
    [Fact]
    public async Task Analytics_ViewsPurchasesConversionCoPurchasesAndReplenishment_FollowTheirDefinitions()
    {
        await using var app = fixture.NewApp(new Dictionary<string, string?> { ["Hosting:RunTimers"] = "false" });
        var admin = app.Admin();
        var start = DateTimeOffset.UtcNow.Date.AddDays(-120);
        await (await admin.PostJsonAsync("/api/products", new { id = "p-wax", sku = "BW-1", name = "Boot wax", category = "Boot care", price = 12m })).AssertJsonAsync();
        // Three customers buy wax with a brush, then wax again 20, 30 and 40 days later (median 30); a fourth buys a hat.
        var events = new List<JsonObject>();
        var gaps = new[] { 20, 30, 40 };
        for (var c = 0; c < 3; c++)
        {
            var customer = $"rc{c}-{app.Prefix}";
            events.Add(Basket(customer, $"o{c}a", start, ("p-wax", "Boot wax"), ("p-brush", "Horsehair brush")));
            events.Add(Basket(customer, $"o{c}b", start.AddDays(gaps[c]), ("p-wax", "Boot wax")));
            for (var v = 0; v < 4; v++)
            {
                events.Add(Event(NewId("e"), "product.viewed", start.AddDays(v), customer, new JsonObject { ["productId"] = "p-wax", ["name"] = "Boot wax" }));
            }
        }
        events.Add(Basket($"rc3-{app.Prefix}", "o3a", start, ("p-hat", "Felt hat")));
        await admin.PostEventsAsync([.. events]);
        // The same views again (a redelivered batch) count once.
        await admin.PostEventsAsync([.. events.Where(e => e["type"]!.GetValue<string>() == "product.viewed")]);
        await HttpAssertions.EventuallyAsync(async () =>
        {
            await admin.PostAsync("/api/analytics/refresh", null);
            return (await (await admin.GetAsync("/api/analytics/freshness")).AssertJsonAsync())["ordersInCopy"]!.GetValue<long>() == 7;
        }, "orders in the copy");

        var numbers = await (await admin.GetAsync("/api/products/p-wax/analytics")).AssertJsonAsync();
        var intervals = (await (await admin.GetAsync("/api/products/analytics/replenishment?limit=10")).AssertJsonAsync())["items"]!.AsArray();
        var strict = (await (await admin.GetAsync("/api/products/analytics/replenishment?minCustomers=4")).AssertJsonAsync())["items"]!.AsArray();
        var unknown = await admin.GetAsync("/api/products/p-nothing/analytics");

        Assert.Equal(12, numbers["views"]!.GetValue<long>());
        Assert.Equal(6, numbers["orders"]!.GetValue<long>());
        Assert.Equal(3, numbers["customers"]!.GetValue<long>());
        Assert.Equal(0.5, numbers["conversion"]!.GetValue<double>());
        var brush = Assert.Single(numbers["coPurchases"]!.AsArray())!;
        Assert.Equal("p-brush", brush["productId"]!.GetValue<string>());
        Assert.Equal("Horsehair brush", brush["name"]!.GetValue<string>());
        Assert.Equal(3, brush["orders"]!.GetValue<long>());
        Assert.Equal(0.5, brush["confidence"]!.GetValue<double>());
        Assert.Equal(1.1667, brush["lift"]!.GetValue<double>());
        Assert.Equal(30, numbers["replenishment"]!["medianDays"]!.GetValue<double>());
        var wax = Assert.Single(intervals)!;
        Assert.Equal(("p-wax", "Boot wax", 30d, 3L), (wax["productId"]!.GetValue<string>(), wax["name"]!.GetValue<string>(), wax["medianDays"]!.GetValue<double>(), wax["customers"]!.GetValue<long>()));
        Assert.Empty(strict);
        await unknown.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    private static JsonObject Basket(string customer, string orderId, DateTimeOffset at, params (string Id, string Name)[] products)
    {
        var order = Order(orderId, customer, at, 10m * products.Length, "Boot care");
        order["lines"] = new JsonArray(products.Select(p => (JsonNode)new JsonObject
        {
            ["productId"] = p.Id, ["name"] = p.Name, ["category"] = "Boot care", ["quantity"] = 1, ["unitPrice"] = 10m,
        }).ToArray());
        return Event(NewId("e"), "order.placed", at, customer, order);
    }
}
