using System.Net;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PecosCrm.Core.Storage;
using PecosCrm.Functions.Hosting;
using PecosCrm.IntegrationTests.Infrastructure;

namespace PecosCrm.IntegrationTests.Customers;

[Collection(AzuriteCollection.Name)]
public sealed class DemoDataTests(AzuriteFixture fixture)
{
    [Fact]
    public void Generate_IsDeterministic_SeasonalAndCoversTheCatalogue()
    {
        var now = new DateTimeOffset(2026, 11, 24, 0, 0, 0, TimeSpan.Zero);

        var a = new DemoData(now, 300).Generate();
        var b = new DemoData(now, 300).Generate();

        Assert.Equal(a.Events.Select(e => e.Id), b.Events.Select(e => e.Id));
        Assert.Equal(["Accessories", "Boots", "Denim", "Hats", "Workwear"], a.Products.Select(p => p.Category!).Distinct().Order());
        Assert.All(a.Events, e => Assert.InRange(e.OccurredAt, now.AddYears(-3), now));
        var orders = a.Events.Where(e => e.Type is "order.placed" or "order.delivered").ToList();
        var holiday = orders.Count(e => e.Data.GetProperty("placedAt").GetDateTimeOffset().Month is 11 or 12);
        var summer = orders.Count(e => e.Data.GetProperty("placedAt").GetDateTimeOffset().Month is 6 or 7);
        Assert.True(holiday > summer, $"holiday orders {holiday} should outnumber June-July orders {summer}");
        Assert.Contains(a.Events, e => e.Type == "order.refunded");
        Assert.Contains(a.Events, e => e.Type == "order.cancelled");
        Assert.NotEmpty(a.Links);
    }

    [Fact]
    public async Task FirstStart_SeedsTheStore_ThroughTheApiServices_AndOnlyOnce()
    {
        await using var app = fixture.NewApp(new Dictionary<string, string?> { ["Demo:Seed"] = "true", ["Demo:Customers"] = "60" });
        var admin = app.Admin();
        var jobs = app.Storage.Table(StorageNames.Tables.Jobs);

        await HttpAssertions.EventuallyAsync(async () => (await jobs.GetEntityIfExistsAsync<TableEntity>("demo", "seeded")).HasValue, "demo data seeded", TimeSpan.FromMinutes(3));

        var customers = await (await admin.GetAsync("/api/customers?limit=500")).AssertJsonAsync();
        Assert.Equal(60, customers["items"]!.AsArray().Count);
        var staff = await (await admin.GetAsync("/api/staff")).AssertJsonAsync();
        Assert.Equal(6, staff["items"]!.AsArray().Count);
        var products = await (await admin.GetAsync("/api/products?limit=500")).AssertJsonAsync();
        Assert.True(products["items"]!.AsArray().Count >= 30);
        var tags = (await (await admin.GetAsync("/api/tags")).AssertJsonAsync())["items"]!;
        Assert.Contains(tags.AsArray(), t => t!["name"]!.GetValue<string>() == "VIP");
        var orders = await (await admin.GetAsync($"/api/orders?from={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddYears(-4).ToString("o"))}&limit=500")).AssertJsonAsync();
        Assert.True(orders["items"]!.AsArray().Count > 60);

        var buyer = customers["items"]!.AsArray().Select(c => c!["id"]!.GetValue<string>()).First();
        var before = (await (await admin.GetAsync($"/api/customers/{buyer}/360")).AssertJsonAsync()).ToJsonString();

        var seeder = app.Services.GetServices<IHostedService>().OfType<DemoSeeder>().Single();
        await seeder.SeedAsync(new DemoData(DateTimeOffset.UtcNow, 60).Generate(), CancellationToken.None);

        var again = await (await admin.GetAsync("/api/customers?limit=500")).AssertJsonAsync();
        Assert.Equal(60, again["items"]!.AsArray().Count);
        var after = await (await admin.GetAsync($"/api/customers/{buyer}/360")).AssertJsonAsync();
        var beforeNode = JsonNode.Parse(before)!;
        Assert.Equal(beforeNode["metrics"]!["orderCount"]!.GetValue<int>(), after["metrics"]!["orderCount"]!.GetValue<int>());
        Assert.Equal(beforeNode["metrics"]!["lifetimeValue"]!.GetValue<decimal>(), after["metrics"]!["lifetimeValue"]!.GetValue<decimal>());
        Assert.Equal(beforeNode["pinnedNotes"]!.AsArray().Count, after["pinnedNotes"]!.AsArray().Count);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/health")).StatusCode);
    }
}
