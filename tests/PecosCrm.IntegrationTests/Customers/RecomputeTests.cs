using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
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

    private static async Task<List<string>> TagsAsync(HttpClient admin, string id) =>
        (await (await admin.GetAsync($"/api/customers/{id}/tags")).AssertJsonAsync())["items"]!.AsArray().Select(t => t!["tagId"]!.GetValue<string>()).ToList();
}
