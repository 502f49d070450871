using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using PecosCrm.Core.Integrations.Webhooks;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;

namespace PecosCrm.IntegrationTests.Integrations;

[Collection(AzuriteCollection.Name)]
public sealed class WebhooksTests(AzuriteFixture fixture)
{
    /// <summary>No minute timer: the tests run the retry sweep themselves, right after a short backoff.</summary>
    private static Dictionary<string, string?> Settings(params string[] delays)
    {
        var settings = new Dictionary<string, string?> { ["Hosting:RunTimers"] = "false", ["Webhooks:AllowHttp"] = "true" };
        for (var i = 0; i < delays.Length; i++)
        {
            settings[$"Webhooks:RetryDelays:{i}"] = delays[i];
        }
        return settings;
    }

    [Fact]
    public async Task StoreEvents_ReachTheReceiver_InOrder_WithASignatureAnIndependentVerifierAccepts()
    {
        await using var receiver = await RecordingEndpoint.StartAsync();
        await using var app = fixture.NewApp(Settings());
        var admin = app.Admin();
        var (id, secret) = await SubscribeAsync(admin, receiver.Url + "/hooks", "customer.created", "order.*");
        var customerId = NewId("wh");
        var at = DateTimeOffset.UtcNow.AddMinutes(-5);

        await admin.PostEventsAsync(
            Event(NewId("e"), "customer.created", at, customerId, (JsonObject)Customer(customerId, "Dusty")),
            Event(NewId("e"), "order.placed", at.AddMinutes(1), customerId, Order("o-" + customerId, customerId, at.AddMinutes(1), 120m)),
            Event(NewId("e"), "order.shipped", at.AddMinutes(2), customerId, Order("o-" + customerId, customerId, at.AddMinutes(1), 120m)),
            Event(NewId("e"), "page.viewed", at.AddMinutes(3), customerId, new JsonObject { ["url"] = "/boots" }));
        await HttpAssertions.EventuallyAsync(() => Task.FromResult(receiver.Requests.Count >= 3), "three deliveries");
        var deliveries = await WaitForDeliveriesAsync(admin, id, 3);

        var received = receiver.Requests.ToList();
        Assert.Equal(3, received.Count);
        Assert.All(received, r => Assert.True(StandardWebhooksVerifier.Verify(secret, r.Headers, r.Body, DateTimeOffset.UtcNow), "signature"));
        Assert.False(StandardWebhooksVerifier.Verify(secret, received[0].Headers, received[0].Body + " ", DateTimeOffset.UtcNow));
        var bodies = received.Select(r => JsonNode.Parse(r.Body)!).ToList();
        Assert.Equal(["customer.created", "order.placed", "order.shipped"], bodies.Select(b => b["type"]!.GetValue<string>()));
        Assert.All(bodies, b => Assert.Equal(customerId, b["customerId"]!.GetValue<string>()));
        Assert.Equal("Dusty", bodies[0]["data"]!["firstName"]!.GetValue<string>());
        Assert.Equal("/hooks", received[0].Path);
        Assert.All(deliveries, d => Assert.Equal(202, d["responseStatus"]!.GetValue<int>()));
        Assert.All(deliveries, d => Assert.True(d["durationMs"]!.GetValue<long>() >= 0));
        Assert.Contains("\"type\":\"order.shipped\"", deliveries[0]["requestBody"]!.GetValue<string>());
        var got = await (await admin.GetAsync($"/api/webhooks/{id}")).AssertJsonAsync();
        Assert.Null(got["secret"]);
    }

    [Fact]
    public async Task ReceiverFailingTwice_GetsTheEventOnTheThirdAttempt_AndTheCustomersLaterEventOnlyAfterIt()
    {
        await using var receiver = await RecordingEndpoint.StartAsync();
        receiver.Answer(500, 503);
        await using var app = fixture.NewApp(Settings("00:00:00.200", "00:00:00.200", "00:00:00.200"));
        var admin = app.Admin();
        var (id, _) = await SubscribeAsync(admin, receiver.Url, "customer.created", "customer.updated");
        var customerId = NewId("retry");
        var at = DateTimeOffset.UtcNow.AddMinutes(-5);
        var created = NewId("e");
        var updated = NewId("e");

        await admin.PostEventsAsync(
            Event(created, "customer.created", at, customerId, JsonNode.Parse($$"""{"id":"{{customerId}}","firstName":"Wade"}""")),
            Event(updated, "customer.updated", at.AddMinutes(1), customerId, JsonNode.Parse($$"""{"id":"{{customerId}}","lastName":"Garrett"}""")));
        await HttpAssertions.EventuallyAsync(() => Task.FromResult(!receiver.Requests.IsEmpty), "the first attempt");
        var dispatcher = app.Services.GetRequiredService<WebhookDispatcher>();
        await HttpAssertions.EventuallyAsync(async () =>
        {
            await dispatcher.RetryDueAsync();
            return receiver.Requests.Count >= 4;
        }, () => $"four requests, got {receiver.Requests.Count}");
        var deliveries = await WaitForDeliveriesAsync(admin, id, 4);

        var ids = receiver.Requests.Select(r => r.Headers["webhook-id"]).ToList();
        Assert.Equal(["msg_evt_" + created, "msg_evt_" + created, "msg_evt_" + created, "msg_evt_" + updated], ids);
        var first = deliveries.Where(d => d["webhookId"]!.GetValue<string>() == "msg_evt_" + created).OrderBy(d => d["attempt"]!.GetValue<int>()).ToList();
        Assert.Equal([500, 503, 202], first.Select(d => d["responseStatus"]!.GetValue<int>()));
        Assert.Equal([1, 2, 3], first.Select(d => d["attempt"]!.GetValue<int>()));
        Assert.Equal(["live", "retry", "retry"], first.Select(d => d["trigger"]!.GetValue<string>()));
        Assert.NotNull(first[0]["nextAttemptAt"]);
        Assert.Equal(0, await dispatcher.RetryDueAsync());
    }

    [Fact]
    public async Task ReplayByCursor_DeliversWhatCameAfterIt_InOrder_AndRedeliveryResendsOne()
    {
        await using var receiver = await RecordingEndpoint.StartAsync();
        await using var app = fixture.NewApp(Settings());
        var admin = app.Admin();
        var (id, _) = await SubscribeAsync(admin, receiver.Url, "order.*");
        var customerId = NewId("replay");
        var at = DateTimeOffset.UtcNow.AddMinutes(-5);
        var order = Order("o-" + customerId, customerId, at, 80m);
        await admin.PostEventsAsync(
            Event(NewId("e"), "order.placed", at, customerId, order),
            Event(NewId("e"), "order.paid", at.AddMinutes(1), customerId, order.DeepClone()),
            Event(NewId("e"), "order.shipped", at.AddMinutes(2), customerId, order.DeepClone()));
        await HttpAssertions.EventuallyAsync(() => Task.FromResult(receiver.Requests.Count >= 3), "three deliveries");
        var live = receiver.Requests.Select(r => JsonNode.Parse(r.Body)!).ToList();
        var cursor = live[0]["sequence"]!.GetValue<string>();

        var replay = await admin.PostJsonAsync($"/api/webhooks/{id}/replay", new { since = cursor });
        var badCursor = await admin.PostJsonAsync($"/api/webhooks/{id}/replay", new { since = "yesterday" });
        await HttpAssertions.EventuallyAsync(() => Task.FromResult(receiver.Requests.Count >= 5), "the replay");
        var deliveries = await WaitForDeliveriesAsync(admin, id, 5);
        var shipped = deliveries.First(d => d["eventType"]!.GetValue<string>() == "order.shipped" && d["trigger"]!.GetValue<string>() == "live");
        var redeliver = await admin.PostAsync($"/api/webhooks/{id}/deliveries/{shipped["id"]!.GetValue<string>()}/redeliver", null);
        await HttpAssertions.EventuallyAsync(() => Task.FromResult(receiver.Requests.Count >= 6), "the redelivery");

        await replay.AssertJsonAsync(HttpStatusCode.Accepted);
        Assert.True((await badCursor.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!.AsObject().ContainsKey("since"));
        await redeliver.AssertJsonAsync(HttpStatusCode.Accepted);
        var types = receiver.Requests.Select(r => JsonNode.Parse(r.Body)!["type"]!.GetValue<string>()).ToList();
        Assert.Equal(["order.placed", "order.paid", "order.shipped", "order.paid", "order.shipped", "order.shipped"], types);
        var requests = receiver.Requests.ToList();
        Assert.Equal(requests[2].Headers["webhook-id"], requests[5].Headers["webhook-id"]);
        var triggers = (await WaitForDeliveriesAsync(admin, id, 6)).Select(d => d["trigger"]!.GetValue<string>()).ToList();
        Assert.Equal(2, triggers.Count(t => t == "replay"));
        Assert.Equal(1, triggers.Count(t => t == "redelivery"));
    }

    [Fact]
    public async Task ReceiverFailingTheWholeSchedule_DisablesTheSubscription_EmailsTheAdmins_AndLaterEventsWait()
    {
        await using var receiver = await RecordingEndpoint.StartAsync();
        receiver.Answer(500, 500, 500);
        await using var app = fixture.NewApp(Settings("00:00:00.100", "00:00:00.100"));
        var admin = app.Admin();
        var adminEmail = NewId("ops") + "@pecos.example";
        await (await admin.PostJsonAsync("/api/staff", new { name = "Ops Admin", email = adminEmail, role = "admin" })).AssertJsonAsync(HttpStatusCode.Created);
        var (id, _) = await SubscribeAsync(admin, receiver.Url, "customer.created");
        var customerId = NewId("dead");

        await admin.PostEventsAsync(Event(NewId("e"), "customer.created", DateTimeOffset.UtcNow.AddMinutes(-1), customerId, JsonNode.Parse($$"""{"id":"{{customerId}}","firstName":"Ned"}""")));
        await HttpAssertions.EventuallyAsync(() => Task.FromResult(!receiver.Requests.IsEmpty), "the first attempt");
        var dispatcher = app.Services.GetRequiredService<WebhookDispatcher>();
        await HttpAssertions.EventuallyAsync(async () =>
        {
            await dispatcher.RetryDueAsync();
            return !(await (await admin.GetAsync($"/api/webhooks/{id}")).AssertJsonAsync())["active"]!.GetValue<bool>();
        }, "the subscription disabled");
        var other = NewId("later");
        await admin.PostEventsAsync(Event(NewId("e"), "customer.created", DateTimeOffset.UtcNow.AddMinutes(-1), other, JsonNode.Parse($$"""{"id":"{{other}}","firstName":"Lou"}""")));
        await admin.WaitForMetricsAsync(other, _ => true, "the later customer applied");
        await dispatcher.RetryDueAsync();

        var subscription = await (await admin.GetAsync($"/api/webhooks/{id}")).AssertJsonAsync();
        Assert.Contains("retry schedule", subscription["disabledReason"]!.GetValue<string>());
        Assert.Equal(3, receiver.Requests.Count);
        var outbox = await (await admin.GetAsync("/api/outbox?channel=email")).AssertJsonAsync();
        var alert = Assert.Single(outbox["items"]!.AsArray(), m => m!["to"]!.GetValue<string>() == adminEmail)!;
        Assert.Contains(receiver.Url, alert["subject"]!.GetValue<string>());
        Assert.Contains("500", alert["text"]!.GetValue<string>());
        var audit = await (await admin.GetAsync($"/api/audit?entityType=webhook&entityId={id}")).AssertJsonAsync();
        Assert.NotEmpty(audit["items"]!.AsArray());
    }

    [Fact]
    public async Task BadSubscriptions_NameEachField_AndWriteNothing()
    {
        var admin = fixture.App.Admin();

        var bad = await admin.PostJsonAsync("/api/webhooks", new { url = "ftp://example.com/x", events = new[] { "order.placed", "order.teleported" } });
        var none = await admin.PostJsonAsync("/api/webhooks", new { url = "https://example.com/hook", events = Array.Empty<string>() });
        var plainHttp = await admin.PostJsonAsync("/api/webhooks", new { url = "http://example.com/hook", events = new[] { "customer.created" } });
        var unknownField = await admin.PostJsonAsync("/api/webhooks", new { url = "https://example.com/hook", events = new[] { "customer.created" }, secret = "mine" });
        var list = await (await admin.GetAsync("/api/webhooks")).AssertJsonAsync();

        var errors = (await bad.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!.AsObject();
        Assert.Equal(["events", "url"], errors.Select(e => e.Key).Order());
        Assert.Contains("order.teleported", errors["events"]![0]!.GetValue<string>());
        Assert.True((await none.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!.AsObject().ContainsKey("events"));
        Assert.True((await plainHttp.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!.AsObject().ContainsKey("url"));
        Assert.Contains("secret", (await unknownField.AssertProblemAsync(HttpStatusCode.BadRequest)).ToJsonString());
        Assert.Empty(list["items"]!.AsArray());
    }

    [Fact]
    public async Task TicketsAndLoyalty_ReachTheReceiver_AsTheirOwnEvents()
    {
        await using var receiver = await RecordingEndpoint.StartAsync();
        await using var app = fixture.NewApp(Settings());
        var admin = app.Admin();
        var (_, secret) = await SubscribeAsync(admin, receiver.Url + "/hooks", "support.*", "loyalty.points_earned");
        var customerId = NewId("whs");
        var at = DateTimeOffset.UtcNow.AddMinutes(-5);
        await admin.PostEventsAsync(
            Event(NewId("e"), "customer.created", at, customerId, (JsonObject)Customer(customerId, "Dusty")),
            Event(NewId("e"), "order.placed", at.AddMinutes(1), customerId, Order("o-" + customerId, customerId, at.AddMinutes(1), 120m)));
        await admin.WaitForMetricsAsync(customerId, m => m["metrics"]!["orderCount"]!.GetValue<int>() == 1, "the order applied");
        await (await admin.PostJsonAsync("/api/tickets", new { customerId, subject = "Boots too tight", category = "product", description = "Half a size up?" }))
            .AssertJsonAsync(HttpStatusCode.Created);

        List<JsonNode> bodies = [];
        await HttpAssertions.EventuallyAsync(() =>
        {
            bodies = receiver.Requests.Select(r => JsonNode.Parse(r.Body)!).ToList();
            var types = bodies.Select(b => b["type"]!.GetValue<string>()).ToList();
            return Task.FromResult(types.Contains("support.ticket_created") && types.Contains("loyalty.points_earned"));
        }, () => "a ticket and a points delivery, got " + string.Join(", ", bodies.Select(b => b["type"])));

        Assert.All(receiver.Requests, r => Assert.True(StandardWebhooksVerifier.Verify(secret, r.Headers, r.Body, DateTimeOffset.UtcNow), "signature"));
        var ticket = Assert.Single(bodies, b => b["type"]!.GetValue<string>() == "support.ticket_created");
        Assert.Equal("Boots too tight", ticket["data"]!["subject"]!.GetValue<string>());
        Assert.Equal(customerId, ticket["customerId"]!.GetValue<string>());
        Assert.All(bodies.Where(b => b["type"]!.GetValue<string>() == "loyalty.points_earned"), p => Assert.Equal(customerId, p["customerId"]!.GetValue<string>()));
        Assert.DoesNotContain(bodies, b => b["type"]!.GetValue<string>() is "customer.created" or "order.placed");
    }

    internal static async Task<(string Id, string Secret)> SubscribeAsync(HttpClient admin, string url, params string[] events)
    {
        var created = await (await admin.PostJsonAsync("/api/webhooks", new { url, events })).AssertJsonAsync(HttpStatusCode.Created);
        return (created["subscription"]!["id"]!.GetValue<string>(), created["secret"]!.GetValue<string>());
    }

    private static async Task<List<JsonNode>> WaitForDeliveriesAsync(HttpClient admin, string id, int count)
    {
        List<JsonNode> items = [];
        await HttpAssertions.EventuallyAsync(async () =>
        {
            var page = await (await admin.GetAsync($"/api/webhooks/{id}/deliveries?limit=100")).AssertJsonAsync();
            items = page["items"]!.AsArray().Select(n => n!).ToList();
            return items.Count >= count;
        }, () => $"{count} logged deliveries, got {items.Count}");
        return items;
    }
}
