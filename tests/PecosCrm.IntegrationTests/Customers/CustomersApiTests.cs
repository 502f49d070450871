using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;

namespace PecosCrm.IntegrationTests.Customers;

[Collection(AzuriteCollection.Name)]
public sealed class CustomersApiTests(AzuriteFixture fixture)
{
    private readonly HttpClient _admin = fixture.App.Admin();

    [Fact]
    public async Task Create_ThenRead_ReturnsTheWholeProfileWithETag()
    {
        var id = NewId("c");
        var body = new
        {
            id,
            firstName = "Rosa",
            lastName = "Vega",
            email = $"{id}@ranch.example",
            phone = "(505) 555-0134",
            addresses = new[] { new { kind = "shipping", line1 = "12 Mesquite Dr", city = "Santa Fe", region = "NM", postalCode = "87501", country = "US" } },
            birthday = "1984-04-12",
            timeZone = "America/Denver",
            consent = new { email = true, sms = false },
            tier = "gold",
            customerSince = "2023-05-01T00:00:00Z",
            source = "rodeo booth",
        };

        var created = await _admin.PostJsonAsync("/api/customers", body);
        var read = await _admin.GetAsync($"/api/customers/{id}");

        await created.AssertJsonAsync(HttpStatusCode.Created);
        var customer = await read.AssertJsonAsync();
        Assert.NotNull(read.Headers.ETag);
        Assert.Equal("Rosa", customer["firstName"]!.GetValue<string>());
        Assert.Equal("gold", customer["tier"]!.GetValue<string>());
        Assert.Equal("America/Denver", customer["timeZone"]!.GetValue<string>());
        Assert.Equal("1984-04-12", customer["birthday"]!.GetValue<string>());
        Assert.True(customer["consent"]!["email"]!.GetValue<bool>());
        Assert.NotNull(customer["consent"]!["emailAt"]);
        Assert.Equal("Santa Fe", customer["addresses"]![0]!["city"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_InvalidFields_Answers400NamingEach_AndWritesNothing()
    {
        var id = NewId("c");

        var response = await _admin.PostJsonAsync("/api/customers", new { id, firstName = "", email = "nope", timeZone = "Mars/Olympus", phone = "12" });

        var errors = (await response.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("firstName"));
        Assert.True(errors.ContainsKey("email"));
        Assert.True(errors.ContainsKey("timeZone"));
        Assert.True(errors.ContainsKey("phone"));
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.GetAsync($"/api/customers/{id}")).StatusCode);
    }

    [Fact]
    public async Task UnknownCustomer_Answers404Everywhere()
    {
        foreach (var path in new[] { "", "/360", "/metrics", "/timeline", "/orders", "/notes", "/tags", "/related" })
        {
            var response = await _admin.GetAsync($"/api/customers/nobody-{Guid.NewGuid():N}{path}");

            await response.AssertProblemAsync(HttpStatusCode.NotFound);
        }
    }

    [Fact]
    public async Task DuplicateEmail_OnAnotherCustomer_Answers409_InAnyCase()
    {
        var email = $"{NewId("dup")}@ranch.example";
        await (await _admin.PostJsonAsync("/api/customers", Customer(NewId("c"), email: email))).AssertJsonAsync(HttpStatusCode.Created);
        var other = NewId("c");
        await (await _admin.PostJsonAsync("/api/customers", Customer(other))).AssertJsonAsync(HttpStatusCode.Created);

        var create = await _admin.PostJsonAsync("/api/customers", Customer(NewId("c"), email: email.ToUpperInvariant()));
        var update = await _admin.PatchAsync($"/api/customers/{other}", JsonContent.Create(new { email }));

        await create.AssertProblemAsync(HttpStatusCode.Conflict);
        await update.AssertProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Update_IsPartial_HonoursIfMatch_AndFreesTheOldEmail()
    {
        var id = NewId("c");
        var oldEmail = $"{id}-old@ranch.example";
        var created = await _admin.PostJsonAsync("/api/customers", Customer(id, email: oldEmail, phone: "555-010-7777"));
        var etag = created.Headers.ETag!.ToString();
        var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/customers/{id}") { Content = JsonContent.Create(new { email = $"{id}-new@ranch.example" }) };
        request.Headers.TryAddWithoutValidation("If-Match", etag);

        var updated = await (await _admin.SendAsync(request)).AssertJsonAsync();
        var stale = new HttpRequestMessage(HttpMethod.Patch, $"/api/customers/{id}") { Content = JsonContent.Create(new { firstName = "Late" }) };
        stale.Headers.TryAddWithoutValidation("If-Match", etag);
        var staleResponse = await _admin.SendAsync(stale);

        Assert.Equal("555-010-7777", updated["phone"]!.GetValue<string>());
        Assert.Equal("Dusty", updated["firstName"]!.GetValue<string>());
        await staleResponse.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        await (await _admin.PostJsonAsync("/api/customers", Customer(NewId("c"), email: oldEmail))).AssertJsonAsync(HttpStatusCode.Created);
        var audit = await (await _admin.GetAsync($"/api/audit?entityType=customer&entityId={id}")).AssertJsonAsync();
        Assert.Contains(audit["items"]!.AsArray(), e => e!["action"]!.GetValue<string>() == "customer.updated");
    }

    [Fact]
    public async Task Lookup_ByEmailIgnoringCase_ByPhoneIgnoringFormat_ByNamePrefix()
    {
        var id = NewId("c");
        var surname = "Quill" + Guid.NewGuid().ToString("N")[..6];
        var phone = $"(555) {Random.Shared.Next(100, 999)}-{Random.Shared.Next(1000, 9999)}";
        await (await _admin.PostJsonAsync("/api/customers", Customer(id, "Josefina", surname, email: $"{id}@Ranch.Example", phone: phone))).AssertJsonAsync(HttpStatusCode.Created);

        var byEmail = await (await _admin.GetAsync($"/api/customers?email={Uri.EscapeDataString($"{id.ToUpperInvariant()}@ranch.example")}")).AssertJsonAsync();
        var digits = new string(phone.Where(char.IsDigit).ToArray());
        var byPhone = await (await _admin.GetAsync($"/api/customers?phone={Uri.EscapeDataString("+1 " + digits[..3] + "." + digits[3..6] + "." + digits[6..])}")).AssertJsonAsync();
        var byLastName = await (await _admin.GetAsync($"/api/customers?name={surname[..7].ToLowerInvariant()}")).AssertJsonAsync();
        var byFullName = await (await _admin.GetAsync($"/api/customers?name={Uri.EscapeDataString("josefina " + surname[..3])}")).AssertJsonAsync();

        Assert.Equal(id, Assert.Single(byEmail["items"]!.AsArray())!["id"]!.GetValue<string>());
        Assert.Contains(byPhone["items"]!.AsArray(), c => c!["id"]!.GetValue<string>() == id);
        Assert.Equal(id, Assert.Single(byLastName["items"]!.AsArray())!["id"]!.GetValue<string>());
        Assert.Contains(byFullName["items"]!.AsArray(), c => c!["id"]!.GetValue<string>() == id);
    }

    [Fact]
    public async Task List_ByTier_ShowsOnlyThatTier_AndFollowsTierChanges()
    {
        await using var app = fixture.NewApp();
        var admin = app.Admin();
        var gold = NewId("c");
        await (await admin.PostJsonAsync("/api/customers", Customer(gold, extra: new { tier = "gold" }))).AssertJsonAsync(HttpStatusCode.Created);
        await (await admin.PostJsonAsync("/api/customers", Customer(NewId("c")))).AssertJsonAsync(HttpStatusCode.Created);

        var golds = await (await admin.GetAsync("/api/customers?tier=gold")).AssertJsonAsync();
        await (await admin.PatchAsync($"/api/customers/{gold}", JsonContent.Create(new { tier = "platinum" }))).AssertJsonAsync();
        var goldsAfter = await (await admin.GetAsync("/api/customers?tier=gold")).AssertJsonAsync();
        var all = await (await admin.GetAsync("/api/customers")).AssertJsonAsync();

        Assert.Equal(gold, Assert.Single(golds["items"]!.AsArray())!["id"]!.GetValue<string>());
        Assert.Empty(goldsAfter["items"]!.AsArray());
        Assert.Equal(2, all["items"]!.AsArray().Count);
    }

    [Fact]
    public async Task List_TwoFiltersAtOnce_Answers400()
    {
        var response = await _admin.GetAsync("/api/customers?email=a@b.example&tier=gold");

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Notes_AddEditPinDelete_PinnedFirst()
    {
        var id = NewId("c");
        await (await _admin.PostJsonAsync("/api/customers", Customer(id))).AssertJsonAsync(HttpStatusCode.Created);
        var first = await (await _admin.PostJsonAsync($"/api/customers/{id}/notes", new { body = "Prefers wide calf boots." })).AssertJsonAsync(HttpStatusCode.Created);
        var second = await (await _admin.PostJsonAsync($"/api/customers/{id}/notes", new { body = "Asked about hat sizing." })).AssertJsonAsync(HttpStatusCode.Created);
        var firstId = first["id"]!.GetValue<string>();
        var secondId = second["id"]!.GetValue<string>();

        await (await _admin.PatchAsync($"/api/customers/{id}/notes/{firstId}", JsonContent.Create(new { pinned = true, body = "Prefers wide calf boots (size 10)." }))).AssertJsonAsync();
        var pinnedFirst = (await (await _admin.GetAsync($"/api/customers/{id}/notes")).AssertJsonAsync())["items"]!;
        await (await _admin.PatchAsync($"/api/customers/{id}/notes/{firstId}", JsonContent.Create(new { pinned = false }))).AssertJsonAsync();
        var unpinned = (await (await _admin.GetAsync($"/api/customers/{id}/notes")).AssertJsonAsync())["items"]!;
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync($"/api/customers/{id}/notes/{secondId}")).StatusCode);
        var afterDelete = (await (await _admin.GetAsync($"/api/customers/{id}/notes")).AssertJsonAsync())["items"]!;

        Assert.Equal([firstId, secondId], pinnedFirst.AsArray().Select(n => n!["id"]!.GetValue<string>()));
        Assert.Equal("Prefers wide calf boots (size 10).", pinnedFirst[0]!["body"]!.GetValue<string>());
        Assert.Equal([secondId, firstId], unpinned.AsArray().Select(n => n!["id"]!.GetValue<string>()));
        Assert.Equal([firstId], afterDelete.AsArray().Select(n => n!["id"]!.GetValue<string>()));
        var notesOnTimeline = await (await _admin.GetAsync($"/api/customers/{id}/timeline?type=note")).AssertJsonAsync();
        Assert.Equal(2, notesOnTimeline["items"]!.AsArray().Count);
        await (await _admin.PostJsonAsync($"/api/customers/{id}/notes", new { body = "" })).AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Timeline_IsNewestFirst_PagedAndFilterableByType()
    {
        var id = NewId("c");
        var t0 = DateTimeOffset.UtcNow.AddDays(-30);
        await _admin.PostEventsAsync(
            Event(NewId("e"), "customer.created", t0, id, (JsonObject)System.Text.Json.JsonSerializer.SerializeToNode(Customer(id), HttpAssertions.Json)!),
            Event(NewId("e"), "account.login", t0.AddDays(1), id, new JsonObject { ["channel"] = "mobile" }),
            Event(NewId("e"), "order.placed", t0.AddDays(2), id, Order(NewId("o"), id, t0.AddDays(2), 156m, number: "1234")),
            Event(NewId("e"), "review.submitted", t0.AddDays(3), id, new JsonObject { ["productId"] = "p-boots", ["rating"] = 5, ["title"] = "Great" }),
            Event(NewId("e"), "page.viewed", t0.AddDays(4), id, new JsonObject { ["url"] = "/hats", ["title"] = "Hats" }));
        await _admin.WaitForMetricsAsync(id, m => m["metrics"]!["engagement"]!["pageViews"]!.GetValue<int>() == 1 && m["metrics"]!["orderCount"]!.GetValue<int>() == 1, "events applied");

        var firstPage = await (await _admin.GetAsync($"/api/customers/{id}/timeline?limit=2")).AssertJsonAsync();
        var secondPage = await (await _admin.GetAsync($"/api/customers/{id}/timeline?limit=10&cursor={Uri.EscapeDataString(firstPage["nextCursor"]!.GetValue<string>())}")).AssertJsonAsync();
        var orders = await (await _admin.GetAsync($"/api/customers/{id}/timeline?type=order")).AssertJsonAsync();
        var badType = await _admin.GetAsync($"/api/customers/{id}/timeline?type=telegram");

        var entries = firstPage["items"]!.AsArray().Concat(secondPage["items"]!.AsArray()).ToList();
        var times = entries.Select(e => e!["at"]!.GetValue<DateTimeOffset>()).ToList();
        Assert.Equal(times.OrderByDescending(t => t), times);
        // Points earned on the order and the review (and a badge) sit beside them as loyalty entries.
        Assert.Equal(["page_view", "review", "order", "login", "account"], entries.Select(e => e!["type"]!.GetValue<string>()).Where(t => t != "loyalty"));
        var order = Assert.Single(orders["items"]!.AsArray())!;
        Assert.Equal("Order #1234 placed ($156.00)", order["title"]!.GetValue<string>());
        Assert.StartsWith("/api/orders/", order["link"]!.GetValue<string>());
        Assert.Equal("store", order["actor"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, badType.StatusCode);
    }

    [Fact]
    public async Task Orders_RecordedThroughTheApi_ShowOnTheCustomerAndInTheStoreList()
    {
        await using var app = fixture.NewApp();
        var admin = app.Admin();
        var id = NewId("c");
        await (await admin.PostJsonAsync("/api/customers", Customer(id))).AssertJsonAsync(HttpStatusCode.Created);
        var placedAt = DateTimeOffset.UtcNow.AddDays(-3);
        var orderId = NewId("o");
        var order = Order(orderId, id, placedAt, 249.99m, coupon: "RODEO10");

        var recorded = await (await admin.PostJsonAsync("/api/orders", order)).AssertJsonAsync();
        order["status"] = "shipped";
        var shipped = await (await admin.PostJsonAsync("/api/orders", order)).AssertJsonAsync();
        var ofCustomer = await (await admin.GetAsync($"/api/customers/{id}/orders")).AssertJsonAsync();
        var storeWide = await (await admin.GetAsync("/api/orders")).AssertJsonAsync();
        var metrics = await (await admin.GetAsync($"/api/customers/{id}/metrics")).AssertJsonAsync();

        Assert.Equal("placed", recorded["status"]!.GetValue<string>());
        Assert.Equal("shipped", shipped["status"]!.GetValue<string>());
        Assert.Equal(249.99m, shipped["total"]!.GetValue<decimal>());
        Assert.Equal("RODEO10", shipped["couponCode"]!.GetValue<string>());
        Assert.Equal(orderId, Assert.Single(ofCustomer["items"]!.AsArray())!["id"]!.GetValue<string>());
        Assert.Equal(orderId, Assert.Single(storeWide["items"]!.AsArray())!["id"]!.GetValue<string>());
        Assert.Equal(249.99m, metrics["metrics"]!["lifetimeValue"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task Orders_BadPayloadOrUnknownCustomer_Answer400_AndWriteNothing()
    {
        var orderId = NewId("o");
        var bad = Order(orderId, "nobody-" + Guid.NewGuid().ToString("N"), DateTimeOffset.UtcNow, 10m);
        bad["total"] = 10.005m;
        bad["currency"] = "dollars";

        var response = await _admin.PostJsonAsync("/api/orders", bad);
        bad["currency"] = "USD";
        bad["total"] = 10m;
        var unknown = await _admin.PostJsonAsync("/api/orders", bad);

        var errors = (await response.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("currency"));
        Assert.True(errors.ContainsKey("total"));
        Assert.NotNull((await unknown.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!["customerId"]);
        await (await _admin.GetAsync($"/api/orders/{orderId}")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Products_SaveListByCategoryAndRead_WithDecimalPrices()
    {
        await using var app = fixture.NewApp();
        var admin = app.Admin();
        await (await admin.PostJsonAsync("/api/products", new { id = "012345678905", sku = "BT-1", name = "Cattleman Roper", category = "Boots", price = 189.95m })).AssertJsonAsync();
        await (await admin.PostJsonAsync("/api/products", new { id = "012345678912", sku = "HT-1", name = "Palm Leaf Straw", category = "Hats", price = 49.95m })).AssertJsonAsync();
        var bad = await admin.PostJsonAsync("/api/products", new { id = "x", name = "No price" });

        var boots = await (await admin.GetAsync("/api/products?category=boots")).AssertJsonAsync();
        var one = await (await admin.GetAsync("/api/products/012345678912")).AssertJsonAsync();

        Assert.Equal("012345678905", Assert.Single(boots["items"]!.AsArray())!["id"]!.GetValue<string>());
        Assert.Equal(49.95m, one["price"]!.GetValue<decimal>());
        Assert.Equal("USD", one["currency"]!.GetValue<string>());
        var errors = (await bad.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("price") && errors.ContainsKey("sku") && errors.ContainsKey("category"));
    }
}
