using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;

namespace PecosCrm.IntegrationTests.Analytics;

[Collection(AzuriteCollection.Name)]
public sealed class MarketingTests(AzuriteFixture fixture)
{
    [Fact]
    public async Task Nps_CountsPromotersPassivesAndDetractors_OncePerAnswer()
    {
        await using var app = fixture.NewApp(new Dictionary<string, string?> { ["Hosting:RunTimers"] = "false" });
        var admin = app.Admin();
        var at = new DateTimeOffset(2025, 5, 10, 12, 0, 0, TimeSpan.Zero);
        var scores = new[] { 10, 9, 9, 8, 3 };
        var answers = scores.Select((s, i) => Event($"nps-{i}", "nps.response", at.AddHours(i), $"c-{i}", new JsonObject { ["score"] = s, ["comment"] = "Great boots" })).ToArray();
        await admin.PostEventsAsync(answers);
        await admin.PostEventsAsync(answers[0]);
        var bad = await admin.PostJsonAsync("/api/events", new JsonObject { ["events"] = new JsonArray(Event("nps-x", "nps.response", at, "c-x", new JsonObject { ["score"] = 11 })) });
        JsonNode report = new JsonObject();
        await HttpAssertions.EventuallyAsync(async () =>
        {
            report = await (await admin.GetAsync("/api/analytics/nps?from=2025-05&to=2025-06")).AssertJsonAsync();
            return report["responses"]!.GetValue<int>() >= 5;
        }, "answers recorded");
        await Task.Delay(500);
        report = await (await admin.GetAsync("/api/analytics/nps?from=2025-05&to=2025-06")).AssertJsonAsync();

        Assert.NotNull((await bad.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!["events[0].data.score"]);
        Assert.Equal(5, report["responses"]!.GetValue<int>());
        Assert.Equal(3, report["promoters"]!.GetValue<int>());
        Assert.Equal(1, report["passives"]!.GetValue<int>());
        Assert.Equal(1, report["detractors"]!.GetValue<int>());
        Assert.Equal(40.0, report["nps"]!.GetValue<double>());
        Assert.Null(report["byMonth"]![1]!["nps"]);
    }

    [Fact]
    public async Task Cac_IsSpendOverNewCustomersOfTheChannel()
    {
        await using var app = fixture.NewApp(new Dictionary<string, string?> { ["Hosting:RunTimers"] = "false" });
        var admin = app.Admin();
        var at = new DateTimeOffset(2025, 3, 5, 12, 0, 0, TimeSpan.Zero);
        JsonObject Placed(string customer, string channel, DateTimeOffset when)
        {
            var order = Order(NewId("o"), customer, when, 50m);
            order["channel"] = channel;
            return Event(NewId("e"), "order.placed", when, customer, order);
        }
        await admin.PostEventsAsync(Placed("a", "instagram", at), Placed("b", "instagram", at.AddDays(1)), Placed("c", "google", at.AddDays(2)),
            Placed("a", "google", at.AddMonths(1)));
        (await admin.PutAsync("/api/analytics/marketing-spend/2025-03/instagram", JsonContent.Create(new { amount = 300m }))).EnsureSuccessStatusCode();
        (await admin.PutAsync("/api/analytics/marketing-spend/2025-03/google", JsonContent.Create(new { amount = 90.5m }))).EnsureSuccessStatusCode();
        var badSpend = await admin.PutAsync("/api/analytics/marketing-spend/March/google", JsonContent.Create(new { amount = -1m }));
        await HttpAssertions.EventuallyAsync(async () =>
        {
            await admin.PostAsync("/api/analytics/refresh", null);
            return (await (await admin.GetAsync("/api/analytics/freshness")).AssertJsonAsync())["ordersInCopy"]!.GetValue<long>() == 4;
        }, "orders in the copy");

        var cac = (await (await admin.GetAsync("/api/analytics/cac?from=2025-03&to=2025-04")).AssertJsonAsync())["items"]!.AsArray();

        Assert.Equal(HttpStatusCode.BadRequest, badSpend.StatusCode);
        var instagram = cac.Single(c => c!["month"]!.GetValue<string>() == "2025-03" && c["channel"]!.GetValue<string>() == "instagram")!;
        Assert.Equal(2, instagram["newCustomers"]!.GetValue<long>());
        Assert.Equal(150m, instagram["cac"]!.GetValue<decimal>());
        var google = cac.Single(c => c!["month"]!.GetValue<string>() == "2025-03" && c["channel"]!.GetValue<string>() == "google")!;
        Assert.Equal(90.5m, google["cac"]!.GetValue<decimal>());
        // Customer a's second order in April is not a new customer.
        Assert.DoesNotContain(cac, c => c!["month"]!.GetValue<string>() == "2025-04");
    }
}
