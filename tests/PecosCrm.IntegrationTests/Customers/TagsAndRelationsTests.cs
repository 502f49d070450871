using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;

namespace PecosCrm.IntegrationTests.Customers;

[Collection(AzuriteCollection.Name)]
public sealed class TagsAndRelationsTests(AzuriteFixture fixture)
{
    private readonly HttpClient _admin = fixture.App.Admin();

    [Fact]
    public async Task Tags_CreateRenameRecolourAssignListRemoveDelete()
    {
        var name = "Wholesale " + Guid.NewGuid().ToString("N")[..6];
        var tag = await (await _admin.PostJsonAsync("/api/tags", new { name, color = "#20639b" })).AssertJsonAsync(HttpStatusCode.Created);
        var tagId = tag["id"]!.GetValue<string>();
        var customer = NewId("c");
        await (await _admin.PostJsonAsync("/api/customers", Customer(customer))).AssertJsonAsync(HttpStatusCode.Created);

        await (await _admin.PutAsync($"/api/customers/{customer}/tags/{tagId}", null)).AssertJsonAsync();
        await (await _admin.PatchAsync($"/api/tags/{tagId}", JsonContent.Create(new { name = name + " Buyer", color = "#ff8800" }))).AssertJsonAsync();
        var onCustomer = (await (await _admin.GetAsync($"/api/customers/{customer}/tags")).AssertJsonAsync())["items"]!;
        var members = await (await _admin.GetAsync($"/api/tags/{tagId}/customers")).AssertJsonAsync();
        var byTag = await (await _admin.GetAsync($"/api/customers?tag={tagId}")).AssertJsonAsync();

        var assigned = Assert.Single(onCustomer.AsArray())!;
        Assert.Equal(name + " Buyer", assigned["name"]!.GetValue<string>());
        Assert.Equal("#ff8800", assigned["color"]!.GetValue<string>());
        Assert.Equal(customer, Assert.Single(members["items"]!.AsArray())!["id"]!.GetValue<string>());
        Assert.Equal(customer, Assert.Single(byTag["items"]!.AsArray())!["id"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync($"/api/customers/{customer}/tags/{tagId}")).StatusCode);
        Assert.Empty((await (await _admin.GetAsync($"/api/customers/{customer}/tags")).AssertJsonAsync())["items"]!.AsArray());
        var timeline = await (await _admin.GetAsync($"/api/customers/{customer}/timeline?type=tag")).AssertJsonAsync();
        Assert.Equal([$"Tag {name} Buyer removed", $"Tagged {name}"], timeline["items"]!.AsArray().Select(e => e!["title"]!.GetValue<string>()));

        await (await _admin.PutAsync($"/api/customers/{customer}/tags/{tagId}", null)).AssertJsonAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync($"/api/tags/{tagId}")).StatusCode);
        Assert.Empty((await (await _admin.GetAsync($"/api/customers/{customer}/tags")).AssertJsonAsync())["items"]!.AsArray());
        await (await _admin.GetAsync($"/api/tags/{tagId}")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Tags_DuplicateNameOrBadColour_AreRefused()
    {
        var name = "VIP " + Guid.NewGuid().ToString("N")[..6];
        await (await _admin.PostJsonAsync("/api/tags", new { name })).AssertJsonAsync(HttpStatusCode.Created);

        var duplicate = await _admin.PostJsonAsync("/api/tags", new { name = name.ToUpperInvariant() });
        var badColour = await _admin.PostJsonAsync("/api/tags", new { name = name + "x", color = "red" });
        var autoName = await _admin.PostJsonAsync("/api/tags", new { name = "High Spender" });

        await duplicate.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.NotNull((await badColour.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!["color"]);
        Assert.NotNull((await autoName.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!["name"]);
    }

    [Fact]
    public async Task AutoTags_FollowPurchases_AndCannotBeChangedByHand()
    {
        var id = NewId("c");
        var t0 = DateTimeOffset.UtcNow.AddDays(-20);
        var events = new List<JsonObject>
        {
            Event(NewId("e"), "customer.created", t0, id, (JsonObject)System.Text.Json.JsonSerializer.SerializeToNode(Customer(id), HttpAssertions.Json)!),
        };
        for (var i = 0; i < 5; i++)
        {
            events.Add(Event(NewId("e"), "order.placed", t0.AddDays(i * 3), id, Order(NewId("o"), id, t0.AddDays(i * 3), 250m, "Boots", number: $"20{i}")));
        }
        await _admin.PostEventsAsync([.. events]);
        await _admin.WaitForMetricsAsync(id, m => m["metrics"]!["orderCount"]!.GetValue<int>() == 5, "orders applied");

        var tags = (await (await _admin.GetAsync($"/api/customers/{id}/tags")).AssertJsonAsync())["items"]!.AsArray().Select(t => t!["tagId"]!.GetValue<string>()).ToList();
        var removeAuto = await _admin.DeleteAsync($"/api/customers/{id}/tags/auto-high-spender");
        var assignAuto = await _admin.PutAsync($"/api/customers/{id}/tags/auto-at-risk", null);
        var members = await (await _admin.GetAsync("/api/tags/auto-boots-enthusiast/customers?limit=500")).AssertJsonAsync();

        Assert.Contains("auto-new-customer", tags);
        Assert.Contains("auto-high-spender", tags);
        Assert.Contains("auto-frequent-buyer", tags);
        Assert.Contains("auto-boots-enthusiast", tags);
        Assert.DoesNotContain("auto-at-risk", tags);
        await removeAuto.AssertProblemAsync(HttpStatusCode.Conflict);
        await assignAuto.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains(members["items"]!.AsArray(), c => c!["id"]!.GetValue<string>() == id);
        var timeline = await (await _admin.GetAsync($"/api/customers/{id}/timeline?type=tag")).AssertJsonAsync();
        Assert.Contains(timeline["items"]!.AsArray(), e => e!["title"]!.GetValue<string>() == "Tagged High Spender" && e["actor"]!.GetValue<string>() == "system");
    }

    [Fact]
    public async Task RelatedContacts_VisibleFromBothSides_UnlinkRemovesBoth()
    {
        var giver = NewId("c");
        var recipient = NewId("c");
        await (await _admin.PostJsonAsync("/api/customers", Customer(giver))).AssertJsonAsync(HttpStatusCode.Created);
        await (await _admin.PostJsonAsync("/api/customers", Customer(recipient, "June"))).AssertJsonAsync(HttpStatusCode.Created);

        await (await _admin.PostJsonAsync($"/api/customers/{giver}/related", new { customerId = recipient, relationship = "gift_recipient", note = "Birthday boots" })).AssertJsonAsync(HttpStatusCode.Created);
        var fromGiver = (await (await _admin.GetAsync($"/api/customers/{giver}/related")).AssertJsonAsync())["items"]!;
        var fromRecipient = (await (await _admin.GetAsync($"/api/customers/{recipient}/related")).AssertJsonAsync())["items"]!;
        var self = await _admin.PostJsonAsync($"/api/customers/{giver}/related", new { customerId = giver, relationship = "family" });
        var unknown = await _admin.PostJsonAsync($"/api/customers/{giver}/related", new { customerId = "nobody-" + Guid.NewGuid(), relationship = "family" });

        Assert.Equal("gift_recipient", Assert.Single(fromGiver.AsArray())!["relationship"]!.GetValue<string>());
        var back = Assert.Single(fromRecipient.AsArray())!;
        Assert.Equal(giver, back["customerId"]!.GetValue<string>());
        Assert.Equal("gift_giver", back["relationship"]!.GetValue<string>());
        await self.AssertProblemAsync(HttpStatusCode.BadRequest);
        await unknown.AssertProblemAsync(HttpStatusCode.BadRequest);

        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync($"/api/customers/{recipient}/related/{giver}")).StatusCode);
        Assert.Empty((await (await _admin.GetAsync($"/api/customers/{giver}/related")).AssertJsonAsync())["items"]!.AsArray());
        Assert.Empty((await (await _admin.GetAsync($"/api/customers/{recipient}/related")).AssertJsonAsync())["items"]!.AsArray());
    }

    [Fact]
    public async Task RelatedContacts_CustomersSharingAShippingAddress_AreSuggested()
    {
        var street = $"{Random.Shared.Next(100, 9999)} Chisholm Trail {Guid.NewGuid().ToString("N")[..4]}";
        var address = new[] { new { kind = "shipping", line1 = street, city = "Pecos", region = "TX", postalCode = "79772", country = "US" } };
        var a = NewId("c");
        var b = NewId("c");
        var stranger = NewId("c");
        await (await _admin.PostJsonAsync("/api/customers", Customer(a, extra: new { addresses = address }))).AssertJsonAsync(HttpStatusCode.Created);
        var sameButShouted = new[] { new { kind = "shipping", line1 = street.ToUpperInvariant() + ".", city = "PECOS", region = "TX", postalCode = "79772", country = "us" } };
        await (await _admin.PostJsonAsync("/api/customers", Customer(b, "Ada", extra: new { addresses = sameButShouted }))).AssertJsonAsync(HttpStatusCode.Created);
        await (await _admin.PostJsonAsync("/api/customers", Customer(stranger))).AssertJsonAsync(HttpStatusCode.Created);

        var suggestions = (await (await _admin.GetAsync($"/api/customers/{a}/related/suggestions")).AssertJsonAsync())["items"]!;
        await (await _admin.PostJsonAsync($"/api/customers/{a}/related", new { customerId = b, relationship = "family" })).AssertJsonAsync(HttpStatusCode.Created);
        var afterLinking = (await (await _admin.GetAsync($"/api/customers/{a}/related/suggestions")).AssertJsonAsync())["items"]!;

        Assert.Equal(b, Assert.Single(suggestions.AsArray())!["id"]!.GetValue<string>());
        Assert.Empty(afterLinking.AsArray());
    }

    [Fact]
    public async Task Customer360_HoldsEverySection()
    {
        var id = NewId("c");
        var friend = NewId("c");
        var t0 = DateTimeOffset.UtcNow.AddDays(-400);
        await (await _admin.PostJsonAsync("/api/customers", Customer(friend, "Colt"))).AssertJsonAsync(HttpStatusCode.Created);
        var events = new List<JsonObject>
        {
            Event(NewId("e"), "customer.created", t0, id, (JsonObject)System.Text.Json.JsonSerializer.SerializeToNode(Customer(id, "John", "Smith", extra: new { tier = "gold", customerSince = t0 }), HttpAssertions.Json)!),
        };
        for (var i = 0; i < 8; i++)
        {
            var at = t0.AddDays(i * 30);
            events.Add(Event(NewId("e"), "order.placed", at, id, Order(NewId("o"), id, at, 100m + i, number: $"9{i}")));
        }
        events.Add(Event(NewId("e"), "account.login", DateTimeOffset.UtcNow.AddDays(-2), id, new JsonObject()));
        await _admin.PostEventsAsync([.. events]);
        await _admin.WaitForMetricsAsync(id, m => m["metrics"]!["orderCount"]!.GetValue<int>() == 8 && m["metrics"]!["engagement"]!["logins"]!.GetValue<int>() == 1, "events applied");
        await (await _admin.PostJsonAsync($"/api/customers/{id}/notes", new { body = "Pinned: wide calf", pinned = true })).AssertJsonAsync(HttpStatusCode.Created);
        await (await _admin.PostJsonAsync($"/api/customers/{id}/notes", new { body = "Not pinned" })).AssertJsonAsync(HttpStatusCode.Created);
        await (await _admin.PostJsonAsync($"/api/customers/{id}/related", new { customerId = friend, relationship = "business_associate" })).AssertJsonAsync(HttpStatusCode.Created);

        var view = await (await _admin.GetAsync($"/api/customers/{id}/360")).AssertJsonAsync();

        Assert.Equal("John Smith", view["card"]!["name"]!.GetValue<string>());
        Assert.Equal("gold", view["card"]!["tier"]!.GetValue<string>());
        Assert.Equal(t0.Year, view["card"]!["customerSinceYear"]!.GetValue<int>());
        Assert.Equal(8, view["metrics"]!["orderCount"]!.GetValue<int>());
        Assert.Equal(828m, view["metrics"]!["lifetimeValue"]!.GetValue<decimal>());
        Assert.InRange(view["health"]!["score"]!.GetValue<int>(), 1, 100);
        Assert.Equal("high", view["health"]!["churnRisk"]!.GetValue<string>());
        var recency = view["health"]!["components"]!.AsArray().Single(c => c!["name"]!.GetValue<string>() == "recency")!;
        Assert.Matches(@"^recency \d+/40: \d+ days since last order, usually 30$", recency["summary"]!.GetValue<string>());
        Assert.Contains(view["tags"]!.AsArray(), t => t!["tagId"]!.GetValue<string>() == "auto-frequent-buyer");
        Assert.Contains(view["tags"]!.AsArray(), t => t!["tagId"]!.GetValue<string>() == "auto-at-risk");
        Assert.Equal("Pinned: wide calf", Assert.Single(view["pinnedNotes"]!.AsArray())!["body"]!.GetValue<string>());
        var recent = view["recentOrders"]!.AsArray();
        Assert.Equal(5, recent.Count);
        Assert.Equal("97", recent[0]!["number"]!.GetValue<string>());
        Assert.Equal(10, view["recentActivity"]!.AsArray().Count);
        Assert.Equal("note", view["recentActivity"]![0]!["type"]!.GetValue<string>());
        Assert.Equal(friend, Assert.Single(view["relatedContacts"]!.AsArray())!["customerId"]!.GetValue<string>());
    }

    [Fact]
    public async Task Customer360_IsTheCardAlone_EveryChangeKeepsItCurrent()
    {
        var id = NewId("c");
        var friend = NewId("c");
        var t0 = DateTimeOffset.UtcNow.AddDays(-100);
        await (await _admin.PostJsonAsync("/api/customers", Customer(friend, "Colt"))).AssertJsonAsync(HttpStatusCode.Created);
        var tag = (await (await _admin.PostJsonAsync("/api/tags", new { name = "Card " + Guid.NewGuid().ToString("N")[..6] })).AssertJsonAsync(HttpStatusCode.Created))["id"]!.GetValue<string>();
        var events = new List<JsonObject> { Event(NewId("e"), "customer.created", t0, id, (JsonObject)System.Text.Json.JsonSerializer.SerializeToNode(Customer(id, "Jo", "Card"), HttpAssertions.Json)!) };
        for (var i = 0; i < 7; i++)
        {
            var at = t0.AddDays(i * 10);
            events.Add(Event(NewId("e"), "order.placed", at, id, Order(NewId("o"), id, at, 50m + i, number: $"7{i}")));
        }
        await _admin.PostEventsAsync([.. events]);
        await _admin.WaitForMetricsAsync(id, m => m["metrics"]!["orderCount"]!.GetValue<int>() == 7, "orders applied");
        var pinned = await (await _admin.PostJsonAsync($"/api/customers/{id}/notes", new { body = "Pin me", pinned = true })).AssertJsonAsync(HttpStatusCode.Created);
        var unpinned = await (await _admin.PostJsonAsync($"/api/customers/{id}/notes", new { body = "Pin me later" })).AssertJsonAsync(HttpStatusCode.Created);
        await (await _admin.PatchAsync($"/api/customers/{id}/notes/{pinned["id"]}", JsonContent.Create(new { pinned = false }))).AssertJsonAsync();
        await (await _admin.PatchAsync($"/api/customers/{id}/notes/{unpinned["id"]}", JsonContent.Create(new { pinned = true }))).AssertJsonAsync();
        await (await _admin.PutAsync($"/api/customers/{id}/tags/{tag}", null)).AssertJsonAsync();
        await (await _admin.PostJsonAsync($"/api/customers/{id}/related", new { customerId = friend, relationship = "family" })).AssertJsonAsync(HttpStatusCode.Created);
        var before = await (await _admin.GetAsync($"/api/customers/{id}/360")).AssertJsonAsync();

        // Every row of the customer but the card goes: the view does not change, so it reads nothing else.
        var table = fixture.App.Storage.Table(PecosCrm.Core.Storage.StorageNames.Tables.Customers);
        var others = table.QueryAsync<Azure.Data.Tables.TableEntity>(Azure.Data.Tables.TableClient.CreateQueryFilter($"PartitionKey eq {id}"), select: ["PartitionKey", "RowKey"]);
        var deleted = 0;
        await foreach (var row in others)
        {
            if (!row.RowKey.StartsWith("card|", StringComparison.Ordinal))
            {
                await table.DeleteEntityAsync(row.PartitionKey, row.RowKey);
                deleted++;
            }
        }
        var after = await (await _admin.GetAsync($"/api/customers/{id}/360")).AssertJsonAsync();

        Assert.True(deleted > 20, $"{deleted} rows deleted");
        Assert.Equal(before.ToJsonString(), after.ToJsonString());
        Assert.Equal("Pin me later", Assert.Single(after["pinnedNotes"]!.AsArray())!["body"]!.GetValue<string>());
        Assert.Equal(["76", "75", "74", "73", "72"], after["recentOrders"]!.AsArray().Select(o => o!["number"]!.GetValue<string>()));
        Assert.Contains(after["tags"]!.AsArray(), t => t!["tagId"]!.GetValue<string>() == tag);
        Assert.Contains(after["tags"]!.AsArray(), t => t!["tagId"]!.GetValue<string>() == "auto-frequent-buyer");
        Assert.Equal(friend, Assert.Single(after["relatedContacts"]!.AsArray())!["customerId"]!.GetValue<string>());
        Assert.StartsWith("Tagged Card ", after["recentActivity"]![0]!["title"]!.GetValue<string>());
        Assert.Equal(10, after["recentActivity"]!.AsArray().Count);
    }
}
