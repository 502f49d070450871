using System.IO.Compression;
using System.Net;
using System.Text.Json.Nodes;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;

namespace PecosCrm.IntegrationTests.Customers;

[Collection(AzuriteCollection.Name)]
public sealed class PrivacyTests(AzuriteFixture fixture)
{
    [Fact]
    public async Task GdprExport_ThenErase_RemovesThePersonButKeepsTheFigures()
    {
        await using var app = fixture.NewApp(new Dictionary<string, string?> { ["Hosting:RunTimers"] = "false" });
        var admin = app.Admin();
        var id = "gdpr-" + app.Prefix;
        var friend = "friend-" + app.Prefix;
        var email = $"{id}@ranch.example";
        var at = DateTimeOffset.UtcNow.AddDays(-10);
        await (await admin.PostJsonAsync("/api/customers", Customer(friend, "Colt"))).AssertJsonAsync(HttpStatusCode.Created);
        await admin.PostEventsAsync(
            Event(NewId("e"), "customer.created", at, id, (JsonObject)System.Text.Json.JsonSerializer.SerializeToNode(Customer(id, "Opal", "Secretname", email: email, phone: "(555) 777-1234"), HttpAssertions.Json)!),
            Event(NewId("e"), "order.placed", at.AddDays(1), id, Order("ord-" + app.Prefix, id, at.AddDays(1), 321m)));
        await admin.WaitForMetricsAsync(id, m => m["metrics"]!["orderCount"]!.GetValue<int>() == 1, "order applied");
        await (await admin.PostJsonAsync($"/api/customers/{id}/notes", new { body = "Lives on Secretname Ranch", pinned = true })).AssertJsonAsync(HttpStatusCode.Created);
        await (await admin.PatchAsync($"/api/customers/{id}", System.Net.Http.Json.JsonContent.Create(new { lastName = "Secretname-Hart" }))).AssertJsonAsync();
        await (await admin.PostJsonAsync($"/api/customers/{id}/related", new { customerId = friend, relationship = "family" })).AssertJsonAsync(HttpStatusCode.Created);
        await admin.PostAsync("/api/analytics/refresh", null);
        var revenueBefore = await RevenueAsync(admin);

        var export = await admin.GetAsync($"/api/customers/{id}/gdpr-export");
        var erase = await admin.PostAsync($"/api/customers/{id}/erase", null);

        Assert.Equal("application/zip", export.Content.Headers.ContentType?.MediaType);
        using (var zip = new ZipArchive(await export.Content.ReadAsStreamAsync()))
        {
            var names = zip.Entries.Select(e => e.Name).ToList();
            Assert.Contains("profile.json", names);
            Assert.Contains("orders.json", names);
            Assert.Contains("notes.json", names);
            Assert.Contains("store-events.json", names);
            using var reader = new StreamReader(zip.GetEntry("profile.json")!.Open());
            Assert.Contains("Secretname-Hart", await reader.ReadToEndAsync());
            using var events = new StreamReader(zip.GetEntry("store-events.json")!.Open());
            Assert.Contains("order.placed", await events.ReadToEndAsync());
        }
        var report = await erase.AssertJsonAsync();
        Assert.StartsWith("sha256:", report["reference"]!.GetValue<string>());

        await (await admin.GetAsync($"/api/customers/{id}")).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Empty((await (await admin.GetAsync($"/api/customers?email={Uri.EscapeDataString(email)}")).AssertJsonAsync())["items"]!.AsArray());
        Assert.Empty((await (await admin.GetAsync("/api/customers?name=secretname")).AssertJsonAsync())["items"]!.AsArray());
        Assert.Empty((await (await admin.GetAsync($"/api/customers/{friend}/related")).AssertJsonAsync())["items"]!.AsArray());
        var order = await (await admin.GetAsync($"/api/orders/ord-{app.Prefix}")).Content.ReadAsStringAsync();
        Assert.DoesNotContain(id, order);
        var auditLog = await (await admin.GetAsync("/api/audit?limit=500")).Content.ReadAsStringAsync();
        Assert.DoesNotContain("Secretname", auditLog);
        Assert.DoesNotContain(email, auditLog);
        Assert.Contains("customer.erased", auditLog);
        await admin.PostAsync("/api/analytics/refresh", null);
        Assert.Equal(revenueBefore, await RevenueAsync(admin));
        // The raw store events are gone too: a second export finds nothing to export.
        await (await admin.GetAsync($"/api/customers/{id}/gdpr-export")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Erase_IsForManagersAndAdmins()
    {
        var admin = fixture.App.Admin();
        var member = await (await admin.PostJsonAsync("/api/staff", new { name = "Ag", email = $"ag{Guid.NewGuid():N}@p.example", role = "agent" })).AssertJsonAsync(HttpStatusCode.Created);
        var key = (await (await admin.PostJsonAsync("/api/keys", new { name = "agent", owner = "staff", staffId = member["id"]!.GetValue<string>() })).AssertJsonAsync(HttpStatusCode.Created))["secret"]!.GetValue<string>();

        var response = await fixture.App.ClientWithKey(key).PostAsync("/api/customers/anyone/erase", null);

        await response.AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    private static async Task<decimal> RevenueAsync(HttpClient admin)
    {
        var grid = await (await admin.GetAsync("/api/analytics/rfm")).AssertJsonAsync();
        return grid["segments"]!.AsArray().Sum(s => s!["revenue"]!.GetValue<decimal>());
    }
}
