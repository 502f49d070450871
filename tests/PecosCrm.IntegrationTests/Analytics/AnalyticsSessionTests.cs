using System.Net;
using System.Text.Json.Nodes;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;

namespace PecosCrm.IntegrationTests.Analytics;

/// <summary>The shared DuckDB session: readers keep answering while a refresh replaces the version under them.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AnalyticsSessionTests(AzuriteFixture fixture)
{
    [Fact]
    public async Task ReadsRunningWhileARefreshSwapsTheVersion_AllAnswer_AndLaterReadsSeeTheNewVersion()
    {
        await using var app = fixture.NewApp(new Dictionary<string, string?> { ["Hosting:RunTimers"] = "false" });
        var admin = app.Admin();
        var now = DateTimeOffset.UtcNow;
        var first = "s1-" + app.Prefix;
        var second = "s2-" + app.Prefix;
        await (await admin.PostJsonAsync("/api/customers", Customer(first))).AssertJsonAsync(HttpStatusCode.Created);
        await (await admin.PostJsonAsync("/api/customers", Customer(second))).AssertJsonAsync(HttpStatusCode.Created);
        await admin.PostEventsAsync(Event(NewId("e"), "order.placed", now.AddDays(-3), first, Order(NewId("o"), first, now.AddDays(-3), 80m)));
        await admin.WaitForMetricsAsync(first, m => m["metrics"]!["orderCount"]!.GetValue<int>() == 1, "the first customer's order");
        await (await admin.PostAsync("/api/analytics/refresh", null)).AssertJsonAsync();
        var buyers = new JsonObject
        {
            ["rules"] = new JsonObject { ["match"] = "all", ["rules"] = new JsonArray(new JsonObject { ["field"] = "purchased_category", ["op"] = "in", ["value"] = new JsonArray("boots") }) },
            ["sampleSize"] = 0,
        };
        async Task<long> CountAsync() => (await (await admin.PostJsonAsync("/api/segments/preview", buyers.DeepClone())).AssertJsonAsync())["count"]!.GetValue<long>();
        var before = await CountAsync();
        await admin.PostEventsAsync(Event(NewId("e"), "order.placed", now.AddDays(-1), second, Order(NewId("o"), second, now.AddDays(-1), 90m)));
        await admin.WaitForMetricsAsync(second, m => m["metrics"]!["orderCount"]!.GetValue<int>() == 1, "the second customer's order");

        // Readers in flight on the old version while the refresh loads the new one and retires the old.
        var readers = Enumerable.Range(0, 6).Select(async _ =>
        {
            var counts = new List<long>();
            for (var i = 0; i < 8; i++)
            {
                counts.Add(await CountAsync());
                var grid = await admin.GetAsync("/api/analytics/rfm");
                await grid.AssertJsonAsync();
            }
            return counts;
        }).ToList();
        await (await admin.PostAsync("/api/analytics/refresh", null)).AssertJsonAsync();
        var seen = (await Task.WhenAll(readers)).SelectMany(c => c).ToList();
        var after = await CountAsync();

        Assert.Equal(1, before);
        Assert.All(seen, count => Assert.InRange(count, 1, 2));
        Assert.Equal(2, after);
    }
}
