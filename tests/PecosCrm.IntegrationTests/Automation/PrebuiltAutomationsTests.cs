using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PecosCrm.Core.Automation;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;

namespace PecosCrm.IntegrationTests.Automation;

/// <summary>
/// The ten pre-built automations as seeded: each is switched on in an app of its own (several
/// share a trigger), its trigger made to happen, the clock moved, and the emails the customer
/// got checked.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class PrebuiltAutomationsTests(AzuriteFixture fixture)
{
    /// <summary>11:00 in Chicago, the store's zone: outside quiet hours, so sends go at once.</summary>
    private static readonly DateTimeOffset Start = new(2026, 3, 10, 16, 0, 0, TimeSpan.Zero);

    private static readonly string[] Ten =
    [
        "abandoned-cart", "birthday", "browse-abandonment", "loyalty-milestone", "post-purchase",
        "replenishment", "review-follow-up", "vip-upgrade", "welcome-series", "win-back",
    ];

    private sealed record Email(string Subject, string Html);

    private static (CrmApp App, FakeTimeProvider Time, TimerForwarder Timers) NewApp(AzuriteFixture fixture, string? prefix = null)
    {
        var time = new FakeTimeProvider(Start);
        var timers = new TimerForwarder(time);
        var app = fixture.NewApp(AutomationTests.Settings(), time, prefix, timers.AddTo);
        return (app, time, timers);
    }

    private static async Task ActivateAsync(HttpClient admin, string workflowId) =>
        await (await admin.PostAsync($"/api/automations/{workflowId}/activate", null)).AssertJsonAsync();

    private static async Task CustomerAsync(HttpClient admin, string id, string? birthday = null) =>
        await (await admin.PostJsonAsync("/api/customers", Customer(id, "Cody", "Reyes", $"{id}@example.com",
            extra: new { consent = new { email = true }, timeZone = "America/Chicago", birthday }))).AssertJsonAsync(HttpStatusCode.Created);

    private static async Task<JsonNode> InstanceOfAsync(HttpClient admin, string workflowId, string customerId, Func<JsonNode, bool> until, string what)
    {
        JsonNode? found = null;
        // The last state seen goes into the failure message: where an instance stopped says why.
        await HttpAssertions.EventuallyAsync(async () =>
        {
            var response = await admin.GetAsync($"/api/customers/{customerId}/automations");
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return false;
            }
            var list = (await response.AssertJsonAsync())["items"]!;
            if (list.AsArray().FirstOrDefault(i => i!["workflowId"]!.GetValue<string>() == workflowId) is not { } summary)
            {
                return false;
            }
            found = await (await admin.GetAsync($"/api/automations/instances/{summary["id"]}")).AssertJsonAsync();
            return until(found);
        }, () => $"{what}; last seen: {found?.ToJsonString() ?? "no instance"}");
        return found!;
    }

    private static Task<JsonNode> EndedAsync(HttpClient admin, string workflowId, string customerId, string status) =>
        InstanceOfAsync(admin, workflowId, customerId, i => i["status"]!.GetValue<string>() == status, $"{workflowId} {status} for {customerId}");

    private static Task<JsonNode> WaitingAtAsync(HttpClient admin, string workflowId, string customerId, string node) =>
        InstanceOfAsync(admin, workflowId, customerId, i => i["status"]!.GetValue<string>() == "waiting" && i["node"]!.GetValue<string>() == node, $"{workflowId} waiting at {node}");

    /// <summary>The emails in the outbox to the customer, oldest first; with <paramref name="expect"/>, once at least that many are there.</summary>
    private static async Task<List<Email>> EmailsToAsync(HttpClient admin, string customerId, int? expect = null)
    {
        if (expect is { } count)
        {
            await HttpAssertions.EventuallyAsync(async () => (await EmailsToAsync(admin, customerId)).Count >= count, $"{count} emails to {customerId}");
        }
        var outbox = await (await admin.GetAsync("/api/outbox?limit=500")).AssertJsonAsync();
        return outbox["items"]!.AsArray()
            .Where(i => i!["to"]!.GetValue<string>() == $"{customerId}@example.com")
            .OrderBy(i => i!["at"]!.GetValue<DateTimeOffset>())
            .Select(i => new Email(i!["subject"]!.GetValue<string>(), i["html"]!.GetValue<string>()))
            .ToList();
    }

    private static async Task<List<string>> SubjectsToAsync(HttpClient admin, string customerId, int? expect = null) =>
        (await EmailsToAsync(admin, customerId, expect)).Select(e => e.Subject).ToList();

    private static async Task<string> CodeOfAsync(HttpClient admin, string customerId)
    {
        var codes = (await (await admin.GetAsync($"/api/customers/{customerId}/discount-codes")).AssertJsonAsync())["items"]!;
        return Assert.Single(codes.AsArray())!["code"]!.GetValue<string>();
    }


    private static async Task<int> RunSchedulesAsync(CrmApp app, HttpClient admin)
    {
        await (await admin.PostAsync("/api/analytics/refresh", null)).AssertJsonAsync();
        return await app.Services.GetRequiredService<AutomationTriggers>().RunSchedulesAsync();
    }

    private static JsonObject Delivered(string customerId, DateTimeOffset at, string category = "Boots", string number = "1001") =>
        Event(NewId("e"), "order.delivered", at, customerId, Order(NewId("o"), customerId, at.AddDays(-4), 120m, category, number));

    [Fact]
    public async Task Prebuilt_TenAreSeededInactive_PassValidationAgainstTheStores_AndARestartLeavesThemAsStaffLeftThem()
    {
        List<JsonNode?> prebuilt;
        string prefix, key;
        await using (var app = NewApp(fixture).App)
        {
            (prefix, key) = (app.Prefix, app.AdminKey);
            var admin = app.Admin();
            var list = (await (await admin.GetAsync("/api/automations")).AssertJsonAsync())["items"]!;
            var store = app.Services.GetRequiredService<WorkflowStore>();
            var checks = app.Services.GetRequiredService<WorkflowChecks>();
            prebuilt = list.AsArray().Where(w => w!["preBuilt"]!.GetValue<bool>()).ToList();

            foreach (var id in Ten)
            {
                await WorkflowValidator.CheckAsync((await store.GetAsync(id)).Definition, checks.Context(CancellationToken.None));
            }
            await ActivateAsync(admin, "birthday");
        }
        await using var restarted = NewApp(fixture, prefix).App;
        var again = (await (await restarted.ClientWithKey(key).GetAsync("/api/automations")).AssertJsonAsync())["items"]!;

        Assert.Equal(Ten, prebuilt.Select(w => w!["id"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.All(prebuilt, w => Assert.False(w!["active"]!.GetValue<bool>()));
        Assert.All(prebuilt, w => Assert.Equal(1, w!["version"]!.GetValue<int>()));
        Assert.All(prebuilt, w => Assert.All(w!["definition"]!["nodes"]!.AsArray(), n => Assert.NotNull(n!["position"])));
        Assert.Equal(10, again.AsArray().Count);
        Assert.Equal(["birthday"], again.AsArray().Where(w => w!["active"]!.GetValue<bool>()).Select(w => w!["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task PrebuiltWelcomeSeries_NewAccount_ThreeEmailsOverSevenDaysEndingWithTheFirstOrderOffer()
    {
        var (app, time, timers) = NewApp(fixture);
        await using var _ = app;
        var admin = app.Admin();
        await ActivateAsync(admin, "welcome-series");
        var id = "welcome-" + app.Prefix;

        await admin.PostEventsAsync(Event(NewId("e"), "customer.created", Start, id,
            (JsonObject)System.Text.Json.JsonSerializer.SerializeToNode(Customer(id, "Cody", "Reyes", $"{id}@example.com", extra: new { consent = new { email = true }, timeZone = "America/Chicago" }), HttpAssertions.Json)!));
        await WaitingAtAsync(admin, "welcome-series", id, "wait-3d");
        var day0 = await SubjectsToAsync(admin, id, 1);
        await timers.AdvanceAsync(TimeSpan.FromDays(3));
        await WaitingAtAsync(admin, "welcome-series", id, "wait-4d");
        var day3 = await SubjectsToAsync(admin, id, 2);
        await timers.AdvanceAsync(TimeSpan.FromDays(4));
        await EndedAsync(admin, "welcome-series", id, "completed");
        var emails = await EmailsToAsync(admin, id, 3);
        var code = await CodeOfAsync(admin, id);

        Assert.Equal(["Welcome to Pecos River Traders, Cody"], day0);
        Assert.Equal(["Welcome to Pecos River Traders, Cody", "Our story, and the boots folks keep coming back for"], day3);
        Assert.Equal(["Welcome to Pecos River Traders, Cody", "Our story, and the boots folks keep coming back for", "A welcome gift for your first order, Cody"], emails.Select(e => e.Subject));
        Assert.Contains(code, emails[2].Html, StringComparison.Ordinal);
        Assert.Contains("10%", emails[2].Html, StringComparison.Ordinal);
    }

    private static JsonObject Cart() => new() { ["cartId"] = NewId("cart"), ["value"] = 180, ["items"] = new JsonArray(new JsonObject { ["productId"] = "p-roper", ["quantity"] = 1 }) };

    [Fact]
    public async Task PrebuiltAbandonedCart_NoOrder_ForgotSomethingThenTenPercentOffWithTheCode_AlongTheDiagram()
    {
        var (app, time, timers) = NewApp(fixture);
        await using var _ = app;
        var admin = app.Admin();
        await ActivateAsync(admin, "abandoned-cart");
        var id = "cart-" + app.Prefix;
        await CustomerAsync(admin, id);

        await admin.PostEventsAsync(Event(NewId("e"), "cart.abandoned", Start, id, Cart()));
        await WaitingAtAsync(admin, "abandoned-cart", id, "wait-1h");
        var beforeTheHour = await SubjectsToAsync(admin, id);
        await timers.AdvanceAsync(TimeSpan.FromHours(1));
        await WaitingAtAsync(admin, "abandoned-cart", id, "wait-24h");
        var afterTheHour = await SubjectsToAsync(admin, id, 1);
        await timers.AdvanceAsync(TimeSpan.FromHours(24));
        var done = await EndedAsync(admin, "abandoned-cart", id, "completed");
        var emails = await EmailsToAsync(admin, id, 2);
        var code = await CodeOfAsync(admin, id);
        var steps = done["history"]!.AsArray().Select(h => h!["node"]!.GetValue<string>()).Distinct();

        Assert.Empty(beforeTheHour);
        Assert.Equal(["Forgot something, Cody?"], afterTheHour);
        Assert.Equal(["Forgot something, Cody?", "10% off your cart, Cody"], emails.Select(e => e.Subject));
        Assert.DoesNotContain(code, emails[0].Html, StringComparison.Ordinal);
        Assert.Contains(code, emails[1].Html, StringComparison.Ordinal);
        Assert.Contains("Use code <strong>" + code + "</strong> for 10% off", emails[1].Html, StringComparison.Ordinal);
        Assert.Contains("Good through " + Start.AddHours(25).AddDays(7).ToString("MMMM d, yyyy", System.Globalization.CultureInfo.InvariantCulture), emails[1].Html, StringComparison.Ordinal);
        Assert.Equal(["start", "wait-1h", "forgot-something", "purchased", "wait-24h", "ten-percent-code", "ten-percent-off", "end"], steps);
    }

    [Fact]
    public async Task PrebuiltAbandonedCart_OrderAfterTheFirstReminder_EndsAtTheGoalWithOneEmail()
    {
        var (app, time, timers) = NewApp(fixture);
        await using var _ = app;
        var admin = app.Admin();
        await ActivateAsync(admin, "abandoned-cart");
        var id = "buyer-" + app.Prefix;
        await CustomerAsync(admin, id);

        await admin.PostEventsAsync(Event(NewId("e"), "cart.abandoned", Start, id, Cart()));
        await WaitingAtAsync(admin, "abandoned-cart", id, "wait-1h");
        await timers.AdvanceAsync(TimeSpan.FromHours(1));
        await WaitingAtAsync(admin, "abandoned-cart", id, "wait-24h");
        await admin.PostEventsAsync(Event(NewId("e"), "order.placed", time.GetUtcNow(), id, Order(NewId("o"), id, time.GetUtcNow(), 180m)));
        var ended = await EndedAsync(admin, "abandoned-cart", id, "goal");
        await timers.AdvanceAsync(TimeSpan.FromHours(24));
        var codes = (await (await admin.GetAsync($"/api/customers/{id}/discount-codes")).AssertJsonAsync())["items"]!;

        Assert.Equal(["Forgot something, Cody?"], await SubjectsToAsync(admin, id));
        Assert.Contains("order.placed", ended["exitReason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(codes.AsArray());
    }

    [Fact]
    public async Task PrebuiltPostPurchase_OrderDelivered_ThankYouThenTheReviewRequestForThatOrderThreeDaysLater()
    {
        var (app, time, timers) = NewApp(fixture);
        await using var _ = app;
        var admin = app.Admin();
        await ActivateAsync(admin, "post-purchase");
        var id = "post-" + app.Prefix;
        await CustomerAsync(admin, id);

        await admin.PostEventsAsync(Delivered(id, Start, number: "4521"));
        await WaitingAtAsync(admin, "post-purchase", id, "wait-3d");
        var atDelivery = await EmailsToAsync(admin, id, 1);
        await timers.AdvanceAsync(TimeSpan.FromDays(3));
        await EndedAsync(admin, "post-purchase", id, "completed");
        var emails = await EmailsToAsync(admin, id, 2);

        Assert.Equal(["Thank you for your order, Cody"], atDelivery.Select(e => e.Subject));
        Assert.Contains("Your order #4521 has arrived", atDelivery[0].Html, StringComparison.Ordinal);
        Assert.Equal(["Thank you for your order, Cody", "How's your order #4521 treating you, Cody?"], emails.Select(e => e.Subject));
        Assert.Contains("Boots item", emails[1].Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrebuiltWinBack_SixtyDaysWithoutAnOrder_OfferEmailWithItsCode_AndAnOrderEndsItAtTheGoal()
    {
        var (app, _, timers) = NewApp(fixture);
        await using var __ = app;
        var admin = app.Admin();
        await ActivateAsync(admin, "win-back");
        var (lapsed, recent) = ($"lapsed-{app.Prefix}", $"recent-{app.Prefix}");
        await CustomerAsync(admin, lapsed);
        await CustomerAsync(admin, recent);
        await admin.PostEventsAsync(
            Event(NewId("e"), "order.placed", Start.AddDays(-61), lapsed, Order(NewId("o"), lapsed, Start.AddDays(-61), 90m)),
            Event(NewId("e"), "order.placed", Start.AddDays(-10), recent, Order(NewId("o"), recent, Start.AddDays(-10), 90m)));
        await admin.WaitForMetricsAsync(lapsed, m => m["metrics"]!["orderCount"]!.GetValue<int>() == 1, "lapsed customer's order applied");
        await admin.WaitForMetricsAsync(recent, m => m["metrics"]!["orderCount"]!.GetValue<int>() == 1, "recent customer's order applied");

        var enrolled = await RunSchedulesAsync(app, admin);
        await WaitingAtAsync(admin, "win-back", lapsed, "offer-window");
        var emails = await EmailsToAsync(admin, lapsed, 1);
        var code = await CodeOfAsync(admin, lapsed);
        await admin.PostEventsAsync(Event(NewId("e"), "order.placed", Start, lapsed, Order(NewId("o"), lapsed, Start, 140m, coupon: code)));
        await EndedAsync(admin, "win-back", lapsed, "goal");
        var recentInstances = (await (await admin.GetAsync($"/api/customers/{recent}/automations")).AssertJsonAsync())["items"]!;

        Assert.Equal(1, enrolled);
        Assert.Equal(["We've missed you, Cody"], emails.Select(e => e.Subject));
        Assert.Contains("<strong>" + code + "</strong>", emails[0].Html, StringComparison.Ordinal);
        Assert.Contains("15%", emails[0].Html, StringComparison.Ordinal);
        Assert.Empty(recentInstances.AsArray());
    }

    [Fact]
    public async Task PrebuiltBirthday_OnTheDay_BirthdayEmailWithItsCode_CompletedWhenTheCodeRunsOut()
    {
        var (app, time, timers) = NewApp(fixture);
        await using var _ = app;
        var admin = app.Admin();
        await ActivateAsync(admin, "birthday");
        var (today, tomorrow) = ($"bday-{app.Prefix}", $"later-{app.Prefix}");
        await CustomerAsync(admin, today, birthday: "1988-03-10");
        await CustomerAsync(admin, tomorrow, birthday: "1988-03-11");

        var enrolled = await RunSchedulesAsync(app, admin);
        await WaitingAtAsync(admin, "birthday", today, "offer-window");
        var emails = await EmailsToAsync(admin, today, 1);
        var code = await CodeOfAsync(admin, today);
        await timers.AdvanceAsync(TimeSpan.FromDays(30));
        await EndedAsync(admin, "birthday", today, "completed");
        var notYet = (await (await admin.GetAsync($"/api/customers/{tomorrow}/automations")).AssertJsonAsync())["items"]!;

        Assert.Equal(1, enrolled);
        Assert.Equal(["Happy birthday from Pecos River Traders, Cody"], (await EmailsToAsync(admin, today)).Select(e => e.Subject));
        Assert.Contains("<strong>" + code + "</strong>", emails[0].Html, StringComparison.Ordinal);
        Assert.Empty(notYet.AsArray());
    }

    [Fact]
    public async Task PrebuiltBrowseAbandonment_ViewedAndNotBought_ReminderADayLater_WhileABuyerHearsNothing()
    {
        var (app, time, timers) = NewApp(fixture);
        await using var _ = app;
        var admin = app.Admin();
        await ActivateAsync(admin, "browse-abandonment");
        var (browser, buyer) = ($"browser-{app.Prefix}", $"viewbuyer-{app.Prefix}");
        await CustomerAsync(admin, browser);
        await CustomerAsync(admin, buyer);
        JsonObject Viewed() => new() { ["productId"] = "p-cattleman", ["name"] = "Cattleman Felt Hat", ["category"] = "Hats" };

        await admin.PostEventsAsync(
            Event(NewId("e"), "product.viewed", Start, browser, Viewed()),
            Event(NewId("e"), "product.viewed", Start, buyer, Viewed()));
        await WaitingAtAsync(admin, "browse-abandonment", browser, "wait-1d");
        await WaitingAtAsync(admin, "browse-abandonment", buyer, "wait-1d");
        await admin.PostEventsAsync(Event(NewId("e"), "order.placed", Start.AddHours(3), buyer, Order(NewId("o"), buyer, Start.AddHours(3), 210m, "Hats")));
        await EndedAsync(admin, "browse-abandonment", buyer, "goal");
        await timers.AdvanceAsync(TimeSpan.FromDays(1));
        await EndedAsync(admin, "browse-abandonment", browser, "completed");

        Assert.Equal(["Still looking, Cody?"], await SubjectsToAsync(admin, browser, 1));
        Assert.Empty(await SubjectsToAsync(admin, buyer));
    }

    [Fact]
    public async Task PrebuiltReviewFollowUp_FourteenDaysAfterDelivery_TheReviewRequest()
    {
        var (app, time, timers) = NewApp(fixture);
        await using var _ = app;
        var admin = app.Admin();
        await ActivateAsync(admin, "review-follow-up");
        var id = "review-" + app.Prefix;
        await CustomerAsync(admin, id);

        await admin.PostEventsAsync(Delivered(id, Start, number: "7730"));
        await WaitingAtAsync(admin, "review-follow-up", id, "wait-14d");
        await timers.AdvanceAsync(TimeSpan.FromDays(13));
        var afterThirteenDays = await SubjectsToAsync(admin, id);
        await timers.AdvanceAsync(TimeSpan.FromDays(1));
        await EndedAsync(admin, "review-follow-up", id, "completed");

        Assert.Empty(afterThirteenDays);
        Assert.Equal(["How's your order #7730 treating you, Cody?"], await SubjectsToAsync(admin, id, 1));
    }

    [Fact]
    public async Task PrebuiltLoyaltyMilestone_PointsReachAThousand_CongratulationsThenTheRedemptionReminder()
    {
        var (app, time, timers) = NewApp(fixture);
        await using var _ = app;
        var admin = app.Admin();
        await ActivateAsync(admin, "loyalty-milestone");
        var created = await (await admin.PostJsonAsync("/api/automations", new
        {
            name = "Points grant " + app.Prefix,
            trigger = new { kind = "manual" },
            nodes = new object[]
            {
                new { id = "start", type = "trigger", next = "grant" },
                new { id = "grant", type = "action", action = "award_points", points = 1000, next = "done" },
                new { id = "done", type = "end" },
            },
        })).AssertJsonAsync(HttpStatusCode.Created);
        var grant = created["id"]!.GetValue<string>();
        await ActivateAsync(admin, grant);
        var id = "points-" + app.Prefix;
        await CustomerAsync(admin, id);

        await (await admin.PostJsonAsync($"/api/automations/{grant}/enrol", new { customerId = id })).AssertJsonAsync();
        await EndedAsync(admin, grant, id, "completed");
        var milestone = await WaitingAtAsync(admin, "loyalty-milestone", id, "wait-14d");
        var first = await SubjectsToAsync(admin, id, 1);
        await timers.AdvanceAsync(TimeSpan.FromDays(14));
        await EndedAsync(admin, "loyalty-milestone", id, "completed");

        Assert.Contains("points reached 1000", milestone["source"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(["Cody, you've reached a rewards milestone"], first);
        Assert.Equal(["Cody, you've reached a rewards milestone", "Your rewards points are waiting, Cody"], await SubjectsToAsync(admin, id, 2));
    }

    [Fact]
    public async Task PrebuiltVipUpgrade_PromotedToGold_WelcomeToGold_WhileSilverHearsNothing()
    {
        var (app, time, timers) = NewApp(fixture);
        await using var _ = app;
        var admin = app.Admin();
        await ActivateAsync(admin, "vip-upgrade");
        var (gold, silver) = ($"gold-{app.Prefix}", $"silver-{app.Prefix}");
        await CustomerAsync(admin, gold);
        await CustomerAsync(admin, silver);

        // The loyalty ledger decides the tier from the spend: $600 is Gold, $300 Silver.
        time.Advance(TimeSpan.FromMinutes(5));
        await admin.PostEventsAsync(
            Event(NewId("e"), "order.placed", time.GetUtcNow(), gold, Order(NewId("o"), gold, time.GetUtcNow(), 600m)),
            Event(NewId("e"), "order.placed", time.GetUtcNow(), silver, Order(NewId("o"), silver, time.GetUtcNow(), 300m)));
        await EndedAsync(admin, "vip-upgrade", gold, "completed");
        await HttpAssertions.EventuallyAsync(async () => (await (await admin.GetAsync($"/api/customers/{silver}")).AssertJsonAsync())["tier"]!.GetValue<string>() == "silver",
            "silver customer's order applied");
        var goldInstance = (await (await admin.GetAsync($"/api/customers/{gold}/automations")).AssertJsonAsync())["items"]!.AsArray().Single()!;
        var silverInstances = (await (await admin.GetAsync($"/api/customers/{silver}/automations")).AssertJsonAsync())["items"]!;

        Assert.Equal(["Welcome to Gold, Cody"], await SubjectsToAsync(admin, gold, 1));
        Assert.Contains("bronze -> gold", goldInstance["source"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(silverInstances.AsArray());
        Assert.Empty(await SubjectsToAsync(admin, silver));
    }

    [Fact]
    public async Task PrebuiltReplenishment_BootCareDelivered_ReorderReminderSixtyDaysLater_OtherOrdersNot()
    {
        var (app, time, timers) = NewApp(fixture);
        await using var _ = app;
        var admin = app.Admin();
        await ActivateAsync(admin, "replenishment");
        var (bootCare, boots) = ($"care-{app.Prefix}", $"boots-{app.Prefix}");
        await CustomerAsync(admin, bootCare);
        await CustomerAsync(admin, boots);

        await admin.PostEventsAsync(Delivered(bootCare, Start, "Boot Care", "5150"), Delivered(boots, Start, "Boots", "5151"));
        await WaitingAtAsync(admin, "replenishment", bootCare, "wait-60d");
        await admin.WaitForMetricsAsync(boots, m => m["metrics"]!["orderCount"]!.GetValue<int>() == 1, "boots order applied");
        await timers.AdvanceAsync(TimeSpan.FromDays(59));
        var early = await SubjectsToAsync(admin, bootCare);
        await timers.AdvanceAsync(TimeSpan.FromDays(1));
        await EndedAsync(admin, "replenishment", bootCare, "completed");
        var emails = await EmailsToAsync(admin, bootCare, 1);
        var bootsInstances = (await (await admin.GetAsync($"/api/customers/{boots}/automations")).AssertJsonAsync())["items"]!;

        Assert.Empty(early);
        Assert.Equal(["Time to restock your boot care, Cody?"], emails.Select(e => e.Subject));
        Assert.Contains("(#5150)", emails[0].Html, StringComparison.Ordinal);
        Assert.Contains("Boot Care item", emails[0].Html, StringComparison.Ordinal);
        Assert.Empty(bootsInstances.AsArray());
    }
}
