using System.Net;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Storage;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;

namespace PecosCrm.IntegrationTests.Customers;

[Collection(AzuriteCollection.Name)]
public sealed class RecomputeTests(AzuriteFixture fixture)
{
    [Fact]
    public async Task Recompute_AgesOutNewCustomerAndFlagsAtRisk_WithProgress()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = fixture.NewApp(new Dictionary<string, string?> { ["Hosting:RunTimers"] = "false" }, time);
        var admin = app.Admin();
        var id = "aging-" + app.Prefix;
        var start = time.GetUtcNow().AddDays(-5);
        await admin.PostEventsAsync(
            Event(NewId("e"), "customer.created", start, id, (JsonObject)System.Text.Json.JsonSerializer.SerializeToNode(Customer(id, extra: new { customerSince = start }), HttpAssertions.Json)!),
            Event(NewId("e"), "order.placed", start.AddDays(1), id, Order(NewId("o"), id, start.AddDays(1), 90m)));
        for (var i = 0; i < 3; i++)
        {
            await (await admin.PostJsonAsync("/api/customers", Customer($"quiet-{i}-{app.Prefix}"))).AssertJsonAsync(HttpStatusCode.Created);
        }
        await admin.WaitForMetricsAsync(id, m => m["metrics"]!["orderCount"]!.GetValue<int>() == 1, "order applied");
        Assert.Contains("auto-new-customer", await TagsAsync(admin, id));

        time.Advance(TimeSpan.FromDays(400));
        var started = await (await admin.PostAsync("/api/jobs/recompute", null)).AssertJsonAsync(HttpStatusCode.Accepted);
        JsonNode? job = null;
        await HttpAssertions.EventuallyAsync(async () =>
        {
            job = await (await admin.GetAsync($"/api/jobs/{started["id"]}")).AssertJsonAsync();
            return job["endedAt"] is not null;
        }, "recompute finished");

        Assert.Equal("succeeded", job!["state"]!.GetValue<string>());
        Assert.Equal(job["shardsTotal"]!.GetValue<int>(), job["shardsDone"]!.GetValue<int>());
        Assert.True(job["customersProcessed"]!.GetValue<long>() >= 4);
        Assert.True(job["customersChanged"]!.GetValue<long>() >= 1);
        var tags = await TagsAsync(admin, id);
        Assert.DoesNotContain("auto-new-customer", tags);
        Assert.Contains("auto-at-risk", tags);
        var timeline = await (await admin.GetAsync($"/api/customers/{id}/timeline?type=tag")).AssertJsonAsync();
        Assert.Contains(timeline["items"]!.AsArray(), e => e!["title"]!.GetValue<string>() == "Tag New Customer removed");
        // The only customer with an order is alone in every quintile's first place: 111, Lost.
        var view = await (await admin.GetAsync($"/api/customers/{id}/360")).AssertJsonAsync();
        Assert.Equal("111", view["rfm"]!["code"]!.GetValue<string>());
        Assert.Equal("Lost", view["rfm"]!["segment"]!.GetValue<string>());
        var quiet = await (await admin.GetAsync($"/api/customers/quiet-0-{app.Prefix}/360")).AssertJsonAsync();
        Assert.Null(quiet["rfm"]);
    }

    [Fact]
    public async Task Recompute_ADayLater_WritesOnlyTheCustomerWhoseRiskMoved()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = fixture.NewApp(new Dictionary<string, string?> { ["Hosting:RunTimers"] = "false" }, time);
        var admin = app.Admin();
        var cards = app.Services.GetRequiredService<CustomerCards>();
        var now = time.GetUtcNow();
        // One order each: the usual gap is 90 days, so the risk turns high at 225 days since the order.
        var drifting = "drifting-" + app.Prefix;
        var steady = "steady-" + app.Prefix;
        await admin.PostEventsAsync(
            Created(drifting, now.AddDays(-400)),
            Event(NewId("e"), "order.placed", now.AddDays(-224.5), drifting, Order(NewId("o"), drifting, now.AddDays(-224.5), 90m)),
            Created(steady, now.AddDays(-400)),
            Event(NewId("e"), "order.placed", now.AddDays(-10), steady, Order(NewId("o"), steady, now.AddDays(-10), 90m)));
        await admin.WaitForMetricsAsync(drifting, m => m["metrics"]!["orderCount"]!.GetValue<int>() == 1, "drifting order applied");
        await admin.WaitForMetricsAsync(steady, m => m["metrics"]!["orderCount"]!.GetValue<int>() == 1, "steady order applied");
        await RunAsync(admin); // Stores both customers' RFM codes and health, and builds their features.
        var driftingBefore = (await cards.FindAsync(drifting, CancellationToken.None))!;
        var steadyBefore = (await cards.FindAsync(steady, CancellationToken.None))!;
        Assert.DoesNotContain("auto-at-risk", await TagsAsync(admin, drifting));

        time.Advance(TimeSpan.FromDays(1));
        var job = await RunAsync(admin);

        Assert.Equal("succeeded", job["state"]!.GetValue<string>());
        Assert.Equal(2, job["customersProcessed"]!.GetValue<long>());
        Assert.Equal(1, job["customersQueued"]!.GetValue<long>());
        Assert.Equal(1, job["customersChanged"]!.GetValue<long>());
        Assert.Equal(1, job["shardsTotal"]!.GetValue<int>());
        var driftingAfter = (await cards.FindAsync(drifting, CancellationToken.None))!;
        var steadyAfter = (await cards.FindAsync(steady, CancellationToken.None))!;
        Assert.NotEqual(driftingBefore.ETag, driftingAfter.ETag);
        Assert.Equal(time.GetUtcNow(), driftingAfter.UpdatedAt);
        Assert.Equal("High", driftingAfter.ChurnRisk);
        Assert.Contains("auto-at-risk", await TagsAsync(admin, drifting));
        Assert.Equal(steadyBefore.ETag, steadyAfter.ETag);
        Assert.Equal(steadyBefore.UpdatedAt, steadyAfter.UpdatedAt);
        // The job's markers carry its id, so no RowKey is shared with another job's.
        var id = job["id"]!.GetValue<string>();
        var markers = new List<string>();
        await foreach (var row in app.Storage.Table(StorageNames.Tables.Jobs).QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {RecomputeKeys.MarkerPartition(id)}")))
        {
            markers.Add(row.RowKey);
        }
        Assert.Contains(id + "|shard|000000", markers);
        Assert.All(markers, key => Assert.StartsWith(id + "|", key, StringComparison.Ordinal));
    }

    private static JsonObject Created(string id, DateTimeOffset since) =>
        Event(NewId("e"), "customer.created", since, id, (JsonObject)System.Text.Json.JsonSerializer.SerializeToNode(Customer(id, extra: new { customerSince = since }), HttpAssertions.Json)!);

    private static async Task<JsonNode> RunAsync(HttpClient admin)
    {
        var started = await (await admin.PostAsync("/api/jobs/recompute", null)).AssertJsonAsync(HttpStatusCode.Accepted);
        JsonNode? job = null;
        await HttpAssertions.EventuallyAsync(async () =>
        {
            job = await (await admin.GetAsync($"/api/jobs/{started["id"]}")).AssertJsonAsync();
            return job["endedAt"] is not null;
        }, "recompute finished");
        return job!;
    }

    private static async Task<List<string>> TagsAsync(HttpClient admin, string id) =>
        (await (await admin.GetAsync($"/api/customers/{id}/tags")).AssertJsonAsync())["items"]!.AsArray().Select(t => t!["tagId"]!.GetValue<string>()).ToList();
}
