using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;

namespace PecosCrm.IntegrationTests.Analytics;

/// <summary>
/// The predictive models through the API on a generated store of 150 customers over two years:
/// 60 regulars who buy every 20-60 days up to now, 50 who bought as often but stopped 400 days ago,
/// and 40 who bought once. Regulars buy boots and spurs; the lapsed buy hats and belts.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class PredictiveTests(AzuriteFixture fixture)
{
    private static readonly Dictionary<string, string?> Small = new()
    {
        ["Hosting:RunTimers"] = "false",
        ["Predictive:MinCustomers"] = "100",
        ["Predictive:MinRepeatCustomers"] = "40",
    };

    [Fact]
    public async Task Fit_PublishesTheModel_ScoresActiveAboveLapsed_AndFeedsSegmentsAndRecommendations()
    {
        await using var app = fixture.NewApp(Small);
        var admin = app.Admin();
        await (await admin.GetAsync("/api/analytics/predictive/model")).AssertProblemAsync(HttpStatusCode.NotFound);
        var store = await SeedAsync(app, admin);

        var model = await (await admin.PostAsync("/api/analytics/predictive/fit", null)).AssertJsonAsync();
        var published = await (await admin.GetAsync("/api/analytics/predictive/model")).AssertJsonAsync();
        var regular = await (await admin.GetAsync($"/api/customers/{store.Regular}/predictions")).AssertJsonAsync();
        var lapsed = await (await admin.GetAsync($"/api/customers/{store.Lapsed}/predictions")).AssertJsonAsync();
        var once = await (await admin.GetAsync($"/api/customers/{store.Once}/predictions")).AssertJsonAsync();
        var view = await (await admin.GetAsync($"/api/customers/{store.Regular}/360")).AssertJsonAsync();

        Assert.Equal("fitted", model["status"]!.GetValue<string>());
        Assert.Equal(150, model["customers"]!.GetValue<int>());
        Assert.Equal(model["fittedAt"]!.GetValue<DateTimeOffset>(), published["fittedAt"]!.GetValue<DateTimeOffset>());
        foreach (var parameter in new[] { "r", "alpha", "a", "b" })
        {
            Assert.True(model["bgNbd"]![parameter]!.GetValue<double>() > 0, parameter);
        }
        Assert.True(model["gammaGamma"]!["populationMeanValue"]!.GetValue<double>() > 0);
        // Two years of orders less a month: too short for seasons, and the report says so.
        Assert.False(model["seasonality"]!["applied"]!.GetValue<bool>());
        Assert.Contains("complete months of orders", model["seasonality"]!["reason"]!.GetValue<string>());
        Assert.Equal("days", model["settings"]!["timeUnit"]!.GetValue<string>());
        var holdout = model["holdout"]!;
        Assert.Equal(90, holdout["holdoutDays"]!.GetValue<int>());
        Assert.Equal(10, holdout["deciles"]!.AsArray().Count);
        // Regulars buy in the holdout and the lapsed do not: the model ranks them apart.
        Assert.True(holdout["bgNbdChurnAuc"]!.GetValue<double>() > 0.8);
        var deciles = holdout["deciles"]!.AsArray();
        Assert.True(deciles[^1]!["actualMean"]!.GetValue<double>() > deciles[0]!["actualMean"]!.GetValue<double>());
        var classifier = model["classifier"]!;
        Assert.InRange(classifier["auc"]!.GetValue<double>(), 0.0, 1.0);
        // Trained on the customers who had bought before the holdout began: all but the recent first-timers.
        Assert.Equal(holdout["customers"]!.GetValue<int>(), classifier["trainingCustomers"]!.GetValue<int>() + classifier["testCustomers"]!.GetValue<int>());

        Assert.True(regular["probabilityAlive"]!.GetValue<double>() > 0.8);
        Assert.Equal(regular.ToJsonString(), view["predictions"]!.ToJsonString());
        Assert.True(lapsed["probabilityAlive"]!.GetValue<double>() < 0.2);
        Assert.True(regular["predictedClv"]!.GetValue<decimal>() > 5 * lapsed["predictedClv"]!.GetValue<decimal>());
        Assert.True(regular["churnProbability"]!.GetValue<double>() < lapsed["churnProbability"]!.GetValue<double>());
        Assert.NotNull(regular["churnProbabilityClassifier"]);
        Assert.Equal("high", regular["confidence"]!.GetValue<string>());
        Assert.Equal("low", once["confidence"]!.GetValue<string>());
        var next = regular["nextPurchaseDays"]!.GetValue<double>();
        Assert.InRange(next, regular["nextPurchaseEarliestDays"]!.GetValue<double>(), regular["nextPurchaseLatestDays"]!.GetValue<double>());

        // The scores are segment fields, and recommendations follow what the same customers bought.

        var preview = await (await admin.PostJsonAsync("/api/segments/preview", new JsonObject
        {
            ["rules"] = new JsonObject
            {
                ["match"] = "all",
                ["rules"] = new JsonArray(new JsonObject { ["field"] = "p_alive", ["op"] = "lt", ["value"] = 0.5 }),
            },
        })).AssertJsonAsync();
        var probe = await (await admin.GetAsync($"/api/customers/{store.Probe}/recommendations?limit=3")).AssertJsonAsync();
        var newcomer = await (await admin.GetAsync($"/api/customers/{store.Newcomer}/recommendations")).AssertJsonAsync();
        var tooMany = await admin.GetAsync($"/api/customers/{store.Probe}/recommendations?limit=21");

        Assert.Equal(50, preview["count"]!.GetValue<int>());
        var first = probe["items"]!.AsArray()[0]!;
        Assert.Equal("p-spurs", first["productId"]!.GetValue<string>());
        Assert.Equal("co_purchase", first["reason"]!.GetValue<string>());
        Assert.Equal(["p-boots"], first["becauseOf"]!.AsArray().Select(b => b!.GetValue<string>()));
        Assert.DoesNotContain(probe["items"]!.AsArray(), i => i!["productId"]!.GetValue<string>() == "p-boots");
        Assert.All(newcomer["items"]!.AsArray(), i => Assert.Equal("bestseller", i!["reason"]!.GetValue<string>()));
        Assert.NotEmpty(newcomer["items"]!.AsArray());
        var problem = await tooMany.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(problem["errors"]!["limit"]);

        // Templates and one-off emails list them.
        await (await admin.PostJsonAsync("/api/messages/email", new
        {
            customerId = store.Probe, subject = "Picked for you", html = "<ul>{{#each customer.recommendations}}<li>{{name}} ({{category}})</li>{{/each}}</ul>",
        })).AssertJsonAsync(HttpStatusCode.Accepted);
        JsonNode? email = null;
        await HttpAssertions.EventuallyAsync(async () =>
        {
            var outbox = (await (await admin.GetAsync("/api/outbox?limit=500")).AssertJsonAsync())["items"]!.AsArray();
            email = outbox.FirstOrDefault(o => o!["to"]!.GetValue<string>() == $"{store.Probe}@riders.example");
            return email is not null;
        }, "the email in the outbox");
        Assert.StartsWith("<ul><li>Spurs item (spurs)</li>", email!["html"]!.GetValue<string>(), StringComparison.Ordinal);

        // And automation conditions: likely churners take the yes branch.
        var branches = new Dictionary<string, string>();
        var seen = "";
        var workflow = await CreateChurnFlowAsync(admin, "0.5");
        foreach (var customer in new[] { store.Regular, store.Lapsed })
        {
            var enrolled = await (await admin.PostJsonAsync($"/api/automations/{workflow}/enrol", new { customerId = customer })).AssertJsonAsync();
            Assert.Equal(1, enrolled["enrolled"]!.GetValue<int>());
        }
        await HttpAssertions.EventuallyAsync(async () =>
        {
            var done = (await (await admin.GetAsync($"/api/automations/{workflow}/instances?status=completed")).AssertJsonAsync())["items"]!.AsArray();
            seen = (await (await admin.GetAsync($"/api/automations/{workflow}/instances")).AssertJsonAsync()).ToJsonString();
            foreach (var instance in done)
            {
                var full = await (await admin.GetAsync($"/api/automations/instances/{instance!["id"]}")).AssertJsonAsync();
                branches[full["customerId"]!.GetValue<string>()] = full["history"]!.AsArray().Last()!["node"]!.GetValue<string>();
            }
            return branches.Count == 2;
        }, () => "both instances completed; instances: " + seen);
        Assert.Equal("winback", branches[store.Lapsed]);
        Assert.Equal("keep", branches[store.Regular]);
        var invalid = await admin.PostJsonAsync("/api/automations", ChurnFlow("high"));
        Assert.NotNull((await invalid.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!["nodes[check].fieldValue"]);
    }

    [Fact]
    public async Task Fit_OnAStoreTooSmall_FallsBack_WithLowConfidence()
    {
        await using var app = fixture.NewApp(new Dictionary<string, string?> { ["Hosting:RunTimers"] = "false" });
        var admin = app.Admin();
        var store = await SeedAsync(app, admin, regulars: 3, lapsed: 3, once: 2);

        var model = await (await admin.PostAsync("/api/analytics/predictive/fit", null)).AssertJsonAsync();
        var regular = await (await admin.GetAsync($"/api/customers/{store.Regular}/predictions")).AssertJsonAsync();
        var lapsed = await (await admin.GetAsync($"/api/customers/{store.Lapsed}/predictions")).AssertJsonAsync();

        Assert.Equal("fallback", model["status"]!.GetValue<string>());
        Assert.Contains("200", model["fallbackReason"]!.GetValue<string>());
        Assert.Null(model["bgNbd"]);
        Assert.Equal("low", regular["confidence"]!.GetValue<string>());
        Assert.True(regular["probabilityAlive"]!.GetValue<double>() > lapsed["probabilityAlive"]!.GetValue<double>());
    }

    private static object ChurnFlow(string threshold) => new
    {
        name = "Churn check " + Guid.NewGuid().ToString("N")[..8],
        trigger = new { kind = "manual" },
        purpose = "transactional",
        nodes = new object[]
        {
            new { id = "start", type = "trigger", next = "check" },
            new { id = "check", type = "condition", test = "prediction_above", field = "churn_probability", fieldValue = threshold, yes = "winback", no = "keep" },
            new { id = "winback", type = "end" },
            new { id = "keep", type = "end" },
        },
    };

    private static async Task<string> CreateChurnFlowAsync(HttpClient admin, string threshold)
    {
        var created = await (await admin.PostJsonAsync("/api/automations", ChurnFlow(threshold))).AssertJsonAsync(HttpStatusCode.Created);
        var id = created["id"]!.GetValue<string>();
        await (await admin.PostAsync($"/api/automations/{id}/activate", null)).AssertJsonAsync();
        return id;
    }

    private sealed record Store(string Regular, string Lapsed, string Once, string Probe, string Newcomer);

    /// <summary>Posts the generated store (fixed seed) and waits until the analytical copy holds every order.</summary>
    private static async Task<Store> SeedAsync(CrmApp app, HttpClient admin, int regulars = 60, int lapsed = 50, int once = 39)
    {
        var random = new Random(19);
        var now = DateTimeOffset.UtcNow;
        var customers = new List<JsonObject>();
        var orders = new List<JsonObject>();
        string Id(string kind, int i) => $"pr-{kind}{i:D2}-{app.Prefix}";
        void Buy(string id, DateTimeOffset at, string category, decimal amount) =>
            orders.Add(Event(NewId("e"), "order.placed", at, id, Order(NewId("o"), id, at, amount, category)));
        void Join(string id, DateTimeOffset at) =>
            customers.Add(Event(NewId("e"), "customer.created", at, id, (JsonObject)JsonSerializer.SerializeToNode(Customer(id), HttpAssertions.Json)!));

        for (var i = 0; i < regulars; i++)
        {
            var id = Id("reg", i);
            Join(id, now.AddDays(-720));
            for (var at = now.AddDays(-700 + random.Next(20)); at < now; at = at.AddDays(20 + random.Next(40)))
            {
                Buy(id, at, random.Next(2) == 0 ? "Boots" : "Spurs", 60 + random.Next(80));
            }
        }
        for (var i = 0; i < lapsed; i++)
        {
            var id = Id("lap", i);
            Join(id, now.AddDays(-720));
            for (var at = now.AddDays(-700 + random.Next(20)); at < now.AddDays(-400); at = at.AddDays(20 + random.Next(40)))
            {
                Buy(id, at, random.Next(2) == 0 ? "Hats" : "Belts", 40 + random.Next(60));
            }
        }
        for (var i = 0; i < once; i++)
        {
            var id = Id("one", i);
            Join(id, now.AddDays(-720));
            Buy(id, now.AddDays(-random.Next(1, 700)), "Denim", 50);
        }
        // Bought once, boots only: the customers who bought boots also bought spurs.
        var probe = Id("probe", 0);
        Join(probe, now.AddDays(-30));
        Buy(probe, now.AddDays(-20), "Boots", 120);
        var newcomer = Id("new", 0);
        Join(newcomer, now.AddDays(-1));

        foreach (var chunk in customers.Concat(orders).Chunk(200))
        {
            await admin.PostEventsAsync(chunk);
        }
        await HttpAssertions.EventuallyAsync(async () =>
        {
            await admin.PostAsync("/api/analytics/refresh", null);
            return (await (await admin.GetAsync("/api/analytics/freshness")).AssertJsonAsync())["ordersInCopy"]!.GetValue<long>() == orders.Count;
        }, "all orders in the analytical copy");
        return new Store(Id("reg", 0), Id("lap", 0), Id("one", 0), probe, newcomer);
    }
}
