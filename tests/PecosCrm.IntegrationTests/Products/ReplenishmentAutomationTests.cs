using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using PecosCrm.IntegrationTests.Automation;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;

namespace PecosCrm.IntegrationTests.Products;

/// <summary>The pre-built Replenishment automation waits the product's replenishment interval once the analytics know it.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ReplenishmentAutomationTests(AzuriteFixture fixture)
{
    private static readonly DateTimeOffset Start = new(2026, 3, 10, 16, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Replenishment_WaitsTheIntervalCustomersTakeToBuyAgain_NotSixtyDays()
    {
        var time = new FakeTimeProvider(Start);
        var timers = new TimerForwarder(time);
        await using var app = fixture.NewApp(AutomationTests.Settings(), time, services: timers.AddTo);
        var admin = app.Admin();
        // Three customers bought boot care again after 20, 21 and 25 days: a median of 21.
        var history = new List<JsonObject>();
        foreach (var (gap, i) in new[] { 20, 21, 25 }.Select((g, i) => (g, i)))
        {
            var buyer = $"buyer{i}-{app.Prefix}";
            history.Add(Event(NewId("e"), "order.placed", Start.AddDays(-100), buyer, Order(NewId("o"), buyer, Start.AddDays(-100), 15m, "Boot Care")));
            history.Add(Event(NewId("e"), "order.placed", Start.AddDays(-100 + gap), buyer, Order(NewId("o"), buyer, Start.AddDays(-100 + gap), 15m, "Boot Care")));
        }
        await admin.PostEventsAsync([.. history]);
        await HttpAssertions.EventuallyAsync(async () =>
        {
            await admin.PostAsync("/api/analytics/refresh", null);
            return (await (await admin.GetAsync("/api/analytics/freshness")).AssertJsonAsync())["ordersInCopy"]!.GetValue<long>() == 6;
        }, "orders in the copy");
        await (await admin.PostAsync("/api/automations/replenishment/activate", null)).AssertJsonAsync();
        var id = $"cody-{app.Prefix}";
        await (await admin.PostJsonAsync("/api/customers", Customer(id, "Cody", "Reyes", $"{id}@example.com",
            extra: new { consent = new { email = true }, timeZone = "America/Chicago" }))).AssertJsonAsync(HttpStatusCode.Created);

        await admin.PostEventsAsync(Event(NewId("e"), "order.delivered", Start, id, Order(NewId("o"), id, Start.AddDays(-4), 15m, "Boot Care", "7001")));
        var waiting = await InstanceAsync(admin, id, i => i["status"]!.GetValue<string>() == "waiting", "waiting");
        await timers.AdvanceAsync(TimeSpan.FromDays(20));
        var early = await SubjectsToAsync(admin, id);
        await timers.AdvanceAsync(TimeSpan.FromDays(1));
        await InstanceAsync(admin, id, i => i["status"]!.GetValue<string>() == "completed", "completed");
        await HttpAssertions.EventuallyAsync(async () => (await SubjectsToAsync(admin, id)).Count > 0, "the reminder sent");

        Assert.Equal(waiting["enrolledAt"]!.GetValue<DateTimeOffset>().AddDays(21), waiting["wakeAt"]!.GetValue<DateTimeOffset>());
        Assert.Empty(early);
        Assert.Equal(["Time to restock your boot care, Cody?"], await SubjectsToAsync(admin, id));
    }

    private static async Task<JsonNode> InstanceAsync(HttpClient admin, string customerId, Func<JsonNode, bool> until, string what)
    {
        JsonNode? found = null;
        await HttpAssertions.EventuallyAsync(async () =>
        {
            var response = await admin.GetAsync($"/api/customers/{customerId}/automations");
            if (response.StatusCode != HttpStatusCode.OK
                || (await response.AssertJsonAsync())["items"]!.AsArray().FirstOrDefault(i => i!["workflowId"]!.GetValue<string>() == "replenishment") is not { } summary)
            {
                return false;
            }
            found = await (await admin.GetAsync($"/api/automations/instances/{summary["id"]}")).AssertJsonAsync();
            return until(found);
        }, () => $"replenishment {what}; last seen: {found?.ToJsonString() ?? "no instance"}");
        return found!;
    }

    private static async Task<List<string>> SubjectsToAsync(HttpClient admin, string customerId)
    {
        var outbox = await (await admin.GetAsync("/api/outbox?limit=500")).AssertJsonAsync();
        return outbox["items"]!.AsArray()
            .Where(m => m!["to"]!.GetValue<string>() == $"{customerId}@example.com")
            .Select(m => m!["subject"]!.GetValue<string>()).ToList();
    }
}
