using System.Net;
using System.Text.Json.Nodes;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;

namespace PecosCrm.IntegrationTests.Segments;

/// <summary>Lists show the names a person reads beside the ids: customers in segments, products in pairs.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class NamesBesideIdsTests(AzuriteFixture fixture)
{
    [Fact]
    public async Task SegmentMembers_CarryTheCustomersNameAndEmail()
    {
        var admin = fixture.App.Admin();
        var a = NewId("named");
        var b = NewId("named");
        await (await admin.PostJsonAsync("/api/customers", Customer(a, "Annie", "Oakley"))).AssertJsonAsync(HttpStatusCode.Created);
        await (await admin.PostJsonAsync("/api/customers", Customer(b, "Bill", "Pickett"))).AssertJsonAsync(HttpStatusCode.Created);
        var segment = await (await admin.PostJsonAsync("/api/segments", new { name = "Named " + a, kind = "static", customerIds = new[] { a, b } })).AssertJsonAsync(HttpStatusCode.Created);

        var members = (await (await admin.GetAsync($"/api/segments/{segment["id"]}/members")).AssertJsonAsync())["items"]!.AsArray();
        var history = (await (await admin.GetAsync($"/api/segments/{segment["id"]}/history")).AssertJsonAsync())["items"]!.AsArray();

        var annie = Assert.Single(members, m => m!["customerId"]!.GetValue<string>() == a)!;
        Assert.Equal("Annie Oakley", annie["name"]!.GetValue<string>());
        Assert.Equal($"{a}@riders.example", annie["email"]!.GetValue<string>());
        Assert.Equal("Bill Pickett", members.Single(m => m!["customerId"]!.GetValue<string>() == b)!["name"]!.GetValue<string>());
        Assert.Equal("Annie Oakley", history.First(h => h!["customerId"]!.GetValue<string>() == a)!["customerName"]!.GetValue<string>());
    }

    [Fact]
    public async Task Review_OnTheTimeline_NamesTheProductBesideItsId()
    {
        var admin = fixture.App.Admin();
        var id = NewId("reviewer");
        await (await admin.PostJsonAsync("/api/customers", Customer(id))).AssertJsonAsync(HttpStatusCode.Created);

        await admin.PostEventsAsync(Event(NewId("e"), "review.submitted", DateTimeOffset.UtcNow, id,
            new JsonObject { ["productId"] = "upc-100", ["name"] = "Cattleman Boot", ["rating"] = 5, ["title"] = "Fits true" }));
        JsonNode? entry = null;
        await HttpAssertions.EventuallyAsync(async () =>
        {
            entry = (await (await admin.GetAsync($"/api/customers/{id}/timeline?type=review")).AssertJsonAsync())["items"]!.AsArray().FirstOrDefault();
            return entry is not null;
        }, "the review on the timeline");

        Assert.Equal("Left a 5-star review on Cattleman Boot (upc-100)", entry!["title"]!.GetValue<string>());
    }

    [Fact]
    public async Task ProductPairs_CarryTheProductNames_AndPage()
    {
        await using var app = fixture.NewApp(new Dictionary<string, string?> { ["Hosting:RunTimers"] = "false" });
        var admin = app.Admin();
        var customer = "pairnames-" + app.Prefix;
        var products = new[] { ("upc-100", "Cattleman Boot"), ("upc-200", "Silverbelly Hat"), ("upc-300", "Rigid Denim") };
        foreach (var (id, name) in products)
        {
            await (await admin.PostJsonAsync("/api/products", new { id, sku = "SKU-" + id, name, category = "Western", price = 10m })).AssertJsonAsync();
        }
        var at = new DateTimeOffset(2025, 6, 2, 16, 0, 0, TimeSpan.Zero);
        JsonObject Basket(string id, params string[] productIds)
        {
            var order = Order(id, customer, at, 10m * productIds.Length);
            order["lines"] = new JsonArray(productIds.Select(p => (JsonNode)new JsonObject
            {
                ["productId"] = p, ["name"] = "line " + p, ["category"] = "Western", ["quantity"] = 1, ["unitPrice"] = 10m,
            }).ToArray());
            return Event(NewId("e"), "order.placed", at, customer, order);
        }
        await admin.PostEventsAsync(Basket("pn1", "upc-100", "upc-200"), Basket("pn2", "upc-100", "upc-200"), Basket("pn3", "upc-100", "upc-300"));
        await HttpAssertions.EventuallyAsync(async () =>
        {
            await admin.PostAsync("/api/analytics/refresh", null);
            return (await (await admin.GetAsync("/api/analytics/freshness")).AssertJsonAsync())["ordersInCopy"]!.GetValue<long>() == 3;
        }, "orders in the copy");
        var range = "by=product&from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z";

        var first = await (await admin.GetAsync($"/api/analytics/pairs?{range}&limit=1")).AssertJsonAsync();
        var second = await (await admin.GetAsync($"/api/analytics/pairs?{range}&limit=1&cursor={first["nextCursor"]}")).AssertJsonAsync();

        var top = Assert.Single(first["items"]!.AsArray())!;
        Assert.Equal("upc-100", top["a"]!.GetValue<string>());
        Assert.Equal("Cattleman Boot", top["aName"]!.GetValue<string>());
        Assert.Equal("upc-200", top["b"]!.GetValue<string>());
        Assert.Equal("Silverbelly Hat", top["bName"]!.GetValue<string>());
        var next = Assert.Single(second["items"]!.AsArray())!;
        Assert.Equal("Rigid Denim", next["bName"]!.GetValue<string>());
        Assert.Null(second["nextCursor"]?.GetValue<string>());
    }
}
