using System.Net;
using System.Text.Json.Nodes;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;

namespace PecosCrm.IntegrationTests.Products;

[Collection(AzuriteCollection.Name)]
public sealed class ProductHistoryTests(AzuriteFixture fixture)
{
    private readonly HttpClient _admin = fixture.App.Admin();

    [Fact]
    public async Task StaffChanges_AreRecordedWithWhoWhenOldAndNew_NewestFirst()
    {
        var id = NewId("upc");
        await (await _admin.PostJsonAsync("/api/products", Product(id, "Roper boot", 129.99m, "Boots"))).AssertJsonAsync();

        await (await _admin.PutAsync($"/api/products/{id}", JsonContent(Product(id, "Roper boot, tan", 119.5m, "Western boots", active: false)))).AssertJsonAsync();
        var history = await (await _admin.GetAsync($"/api/products/{id}/history")).AssertJsonAsync();
        var page = await (await _admin.GetAsync($"/api/products/{id}/history?limit=2")).AssertJsonAsync();
        var unknown = await _admin.GetAsync($"/api/products/{NewId("nope")}/history");

        var items = history["items"]!.AsArray();
        var latest = items.Take(4).ToDictionary(i => i!["field"]!.GetValue<string>(), i => (Old: i!["old"]?.GetValue<string>(), New: i!["new"]?.GetValue<string>()));
        Assert.Equal(("129.99", "119.50"), latest["price"]);
        Assert.Equal(("Roper boot", "Roper boot, tan"), latest["name"]);
        Assert.Equal(("Boots", "Western boots"), latest["category"]);
        Assert.Equal(("true", "false"), latest["active"]);
        Assert.Contains(items.Skip(4), i => i!["field"]!.GetValue<string>() == "price" && i["old"] is null && i["new"]!.GetValue<string>() == "129.99");
        Assert.Equal("staff", items[0]!["by"]!["type"]!.GetValue<string>());
        Assert.True(items[0]!["at"]!.GetValue<DateTimeOffset>() >= items[^1]!["at"]!.GetValue<DateTimeOffset>());
        Assert.Equal(2, page["items"]!.AsArray().Count);
        Assert.NotNull(page["nextCursor"]);
        await unknown.AssertProblemAsync(HttpStatusCode.NotFound);
        var product = await (await _admin.GetAsync($"/api/products/{id}")).AssertJsonAsync();
        Assert.Equal("Western boots", product["category"]!.GetValue<string>());
    }

    [Fact]
    public async Task StoreEvents_ProductCreatedAndUpdated_ChangeTheProductAndFeedTheHistoryOnce()
    {
        var id = NewId("upc");
        var at = DateTimeOffset.UtcNow.AddHours(-3);
        var created = Catalogue(NewId("e"), "product.created", at, new JsonObject
        {
            ["id"] = id, ["sku"] = "DJ-1", ["name"] = "Denim jacket", ["category"] = "Workwear", ["price"] = 89.00m, ["sizeChart"] = "M-XXL",
        });
        var updated = Catalogue(NewId("e"), "product.updated", at.AddHours(1), new JsonObject { ["id"] = id, ["price"] = 79.00m });
        var older = Catalogue(NewId("e"), "product.updated", at.AddMinutes(30), new JsonObject { ["id"] = id, ["name"] = "Stale name" });

        await _admin.PostEventsAsync(created, updated);
        await WaitForPriceAsync(id, 79.00m);
        await _admin.PostEventsAsync(created, updated, older);
        var marker = NewId("upc");
        await _admin.PostEventsAsync(Catalogue(NewId("e"), "product.created", at, new JsonObject
        {
            ["id"] = marker, ["sku"] = "M-1", ["name"] = "Marker", ["category"] = "Workwear", ["price"] = 1m,
        }));
        await WaitForPriceAsync(marker, 1m);

        var product = await (await _admin.GetAsync($"/api/products/{id}")).AssertJsonAsync();
        Assert.Equal("Denim jacket", product["name"]!.GetValue<string>());
        Assert.Equal(79.00m, product["price"]!.GetValue<decimal>());
        var items = (await (await _admin.GetAsync($"/api/products/{id}/history")).AssertJsonAsync())["items"]!.AsArray();
        Assert.All(items, i => Assert.Equal("store", i!["by"]!["type"]!.GetValue<string>()));
        var prices = items.Where(i => i!["field"]!.GetValue<string>() == "price").ToList();
        Assert.Equal(2, prices.Count);
        Assert.Equal(("89.00", "79.00", updated["id"]!.GetValue<string>()),
            (prices[0]!["old"]!.GetValue<string>(), prices[0]!["new"]!.GetValue<string>(), prices[0]!["eventId"]!.GetValue<string>()));
        Assert.Equal(at.AddHours(1), prices[0]!["at"]!.GetValue<DateTimeOffset>());
        Assert.Equal(6, items.Count(i => i!["eventId"]!.GetValue<string>() == created["id"]!.GetValue<string>()));
        Assert.DoesNotContain(items, i => i!["new"]?.GetValue<string>() == "Stale name");
    }

    [Fact]
    public async Task StoreEvents_ABadProductEvent_IsRefusedWithItsFieldNamed()
    {
        var response = await _admin.PostJsonAsync("/api/events", new JsonObject
        {
            ["events"] = new JsonArray(
                Catalogue(NewId("e"), "product.created", DateTimeOffset.UtcNow, new JsonObject { ["id"] = NewId("upc"), ["name"] = "No price", ["sku"] = "X", ["category"] = "Hats" }),
                Catalogue(NewId("e"), "product.updated", DateTimeOffset.UtcNow, new JsonObject { ["id"] = NewId("upc"), ["price"] = -1m })),
        });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        var errors = problem["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("events[0].data.price"));
        Assert.True(errors.ContainsKey("events[1].data.price"));
    }

    /// <summary>A catalogue event: no customerId, as the storefront sends it.</summary>
    private static JsonObject Catalogue(string id, string type, DateTimeOffset at, JsonObject data) => new()
    {
        ["id"] = id,
        ["type"] = type,
        ["occurredAt"] = at,
        ["data"] = data,
    };

    private static object Product(string id, string name, decimal price, string category, bool active = true) =>
        new { id, sku = "RB-" + id[^6..], name, category, price, active };

    private static StringContent JsonContent(object body) =>
        new(System.Text.Json.JsonSerializer.Serialize(body, HttpAssertions.Json), System.Text.Encoding.UTF8, "application/json");

    private async Task WaitForPriceAsync(string id, decimal price) =>
        await HttpAssertions.EventuallyAsync(async () =>
        {
            var response = await _admin.GetAsync($"/api/products/{id}");
            return response.StatusCode == HttpStatusCode.OK && (await response.AssertJsonAsync())["price"]!.GetValue<decimal>() == price;
        }, $"product {id} at {price}");
}
