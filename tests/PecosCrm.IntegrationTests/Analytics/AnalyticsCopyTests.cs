using System.Net;
using System.Text.Json.Nodes;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;

namespace PecosCrm.IntegrationTests.Analytics;

[Collection(AzuriteCollection.Name)]
public sealed class AnalyticsCopyTests(AzuriteFixture fixture)
{
    [Fact]
    public async Task Copy_TrailsUntilRefreshed_ThenRfmScoresByQuintile()
    {
        await using var app = fixture.NewApp(new Dictionary<string, string?> { ["Hosting:RunTimers"] = "false" });
        var admin = app.Admin();
        var now = DateTimeOffset.UtcNow;
        // Ten customers: customer i last ordered (10 - i) * 30 days ago, i orders, i * 100 dollars each.
        var events = new List<JsonObject>();
        for (var i = 1; i <= 10; i++)
        {
            var id = $"rfm-{i:D2}-{app.Prefix}";
            events.Add(Event(NewId("e"), "customer.created", now.AddYears(-2), id, (JsonObject)System.Text.Json.JsonSerializer.SerializeToNode(Customer(id), HttpAssertions.Json)!));
            for (var k = 0; k < i; k++)
            {
                var at = now.AddDays(-(10 - i) * 30 - k * 7 - 1);
                events.Add(Event(NewId("e"), "order.placed", at, id, Order(NewId("o"), id, at, i * 100m)));
            }
        }
        await admin.PostEventsAsync([.. events]);
        for (var i = 1; i <= 10; i++)
        {
            var count = i;
            await admin.WaitForMetricsAsync($"rfm-{i:D2}-{app.Prefix}", m => m["metrics"]!["orderCount"]!.GetValue<int>() == count, "orders applied");
        }

        var stale = await (await admin.GetAsync("/api/analytics/freshness")).AssertJsonAsync();
        var refreshed = await (await admin.PostAsync("/api/analytics/refresh", null)).AssertJsonAsync();
        var fresh = await (await admin.GetAsync("/api/analytics/freshness")).AssertJsonAsync();
        var grid = await (await admin.GetAsync("/api/analytics/rfm")).AssertJsonAsync();
        await RfmDataSet.ScoreAsync(admin);
        var best = await (await admin.GetAsync($"/api/customers/rfm-10-{app.Prefix}/rfm")).AssertJsonAsync();
        var worst = await (await admin.GetAsync($"/api/customers/rfm-01-{app.Prefix}/rfm")).AssertJsonAsync();

        Assert.False(stale["current"]!.GetValue<bool>());
        Assert.True(stale["lagSeconds"]!.GetValue<double>() >= 0);
        Assert.NotEmpty(refreshed["monthsRebuilt"]!.AsArray());
        Assert.True(fresh["current"]!.GetValue<bool>());
        Assert.Equal(55, fresh["ordersInCopy"]!.GetValue<long>());
        Assert.Equal(10, grid["customers"]!.GetValue<int>());
        // Sum of i orders of i * 100 dollars for i = 1..10.
        Assert.Equal(38_500m, grid["segments"]!.AsArray().Sum(s => s!["revenue"]!.GetValue<decimal>()));
        Assert.Equal("555", best["code"]!.GetValue<string>());
        Assert.Equal("Champions", best["segment"]!.GetValue<string>());
        Assert.Equal("111", worst["code"]!.GetValue<string>());
        Assert.Equal("Lost", worst["segment"]!.GetValue<string>());
        // Ranks 7-10 of 10 score 4 or 5 on all three: 444, 444, 555, 555.
        Assert.Contains(grid["segments"]!.AsArray(), s => s!["name"]!.GetValue<string>() == "Champions" && s["customers"]!.GetValue<int>() == 4);
    }

    [Fact]
    public async Task Rfm_TiedCustomers_GetTheSameScores()
    {
        await using var app = fixture.NewApp(new Dictionary<string, string?> { ["Hosting:RunTimers"] = "false" });
        var admin = app.Admin();
        var at = DateTimeOffset.UtcNow.AddDays(-40);
        var ids = Enumerable.Range(1, 7).Select(i => $"tie-{i}-{app.Prefix}").ToList();
        var events = new List<JsonObject>();
        foreach (var id in ids)
        {
            events.Add(Event(NewId("e"), "order.placed", at, id, Order(NewId("o"), id, at, 80m)));
        }
        await admin.PostEventsAsync([.. events]);
        await HttpAssertions.EventuallyAsync(async () =>
        {
            await admin.PostAsync("/api/analytics/refresh", null);
            var fresh = await (await admin.GetAsync("/api/analytics/freshness")).AssertJsonAsync();
            return fresh["ordersInCopy"]!.GetValue<long>() == 7;
        }, "all orders in the copy");

        var grid = await (await admin.GetAsync("/api/analytics/rfm")).AssertJsonAsync();

        var cell = Assert.Single(grid["cells"]!.AsArray())!;
        Assert.Equal(7, cell["customers"]!.GetValue<int>());
        Assert.Equal(1, cell["r"]!.GetValue<int>());
        Assert.Equal(1, cell["f"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/customers/{ids[0]}/rfm")).StatusCode);
    }
}
