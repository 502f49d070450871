using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;

namespace PecosCrm.IntegrationTests.Segments;

[Collection(AzuriteCollection.Name)]
public sealed class SegmentsTests(AzuriteFixture fixture)
{
    private static readonly Dictionary<string, string?> NoTimers = new() { ["Hosting:RunTimers"] = "false" };

    /// <summary>
    /// A: two boots orders ($300 each, 10 and 100 days ago), gold tier. B: one $100 hats order 70 days ago.
    /// C: no order, an open $80 cart touched 30 hours ago. D: three $50 orders with coupons, 5-20 days ago.
    /// </summary>
    private static async Task<(string A, string B, string C, string D)> SeedAsync(CrmApp app, HttpClient admin)
    {
        var now = DateTimeOffset.UtcNow;
        var (a, b, c, d) = ($"a-{app.Prefix}", $"b-{app.Prefix}", $"c-{app.Prefix}", $"d-{app.Prefix}");
        await (await admin.PostJsonAsync("/api/customers", Customer(a, "Ada", "Boot", $"ada@{app.Prefix}.example", extra: new { tier = "gold", consent = new { email = true } }))).AssertJsonAsync(HttpStatusCode.Created);
        await (await admin.PostJsonAsync("/api/customers", Customer(b, "Ben", "Hat", $"ben@{app.Prefix}.example"))).AssertJsonAsync(HttpStatusCode.Created);
        await (await admin.PostJsonAsync("/api/customers", Customer(c, "Cy", "Cart", $"cy@{app.Prefix}.example", extra: new { consent = new { email = true } }))).AssertJsonAsync(HttpStatusCode.Created);
        await (await admin.PostJsonAsync("/api/customers", Customer(d, "Di", "Deal", $"di@{app.Prefix}.example"))).AssertJsonAsync(HttpStatusCode.Created);
        var cart = new JsonObject { ["cartId"] = "cart-1", ["value"] = 80, ["items"] = new JsonArray(new JsonObject { ["productId"] = "p-1", ["quantity"] = 2 }) };
        await admin.PostEventsAsync(
            Event(NewId("e"), "order.placed", now.AddDays(-10), a, Order(NewId("o"), a, now.AddDays(-10), 300m)),
            Event(NewId("e"), "order.placed", now.AddDays(-100), a, Order(NewId("o"), a, now.AddDays(-100), 300m)),
            Event(NewId("e"), "order.placed", now.AddDays(-70), b, Order("ob-" + app.Prefix, b, now.AddDays(-70), 100m, "Hats")),
            Event(NewId("e"), "cart.updated", now.AddHours(-30), c, cart),
            Event(NewId("e"), "order.placed", now.AddDays(-5), d, Order(NewId("o"), d, now.AddDays(-5), 50m, "Accessories", coupon: "SAVE10")),
            Event(NewId("e"), "order.placed", now.AddDays(-12), d, Order(NewId("o"), d, now.AddDays(-12), 50m, "Accessories", coupon: "SAVE10")),
            Event(NewId("e"), "order.placed", now.AddDays(-20), d, Order(NewId("o"), d, now.AddDays(-20), 50m, "Accessories", coupon: "SAVE15")));
        await admin.WaitForMetricsAsync(a, m => m["metrics"]!["orderCount"]!.GetValue<int>() == 2, "A's orders");
        await admin.WaitForMetricsAsync(b, m => m["metrics"]!["orderCount"]!.GetValue<int>() == 1, "B's order");
        await admin.WaitForMetricsAsync(d, m => m["metrics"]!["orderCount"]!.GetValue<int>() == 3, "D's orders");
        await HttpAssertions.EventuallyAsync(async () =>
            (await (await admin.GetAsync($"/api/customers/{c}/timeline?type=cart")).AssertJsonAsync())["items"]!.AsArray().Count == 1, "C's cart");
        // Previews read the analytical copy as the background refresh left it; bring it up to date, as the timer would.
        await (await admin.PostAsync("/api/analytics/refresh", null)).AssertJsonAsync();
        return (a, b, c, d);
    }

    private static JsonObject Rule(string field, string op, JsonNode? value = null, int? withinDays = null)
    {
        var rule = new JsonObject { ["field"] = field, ["op"] = op };
        if (value is not null)
        {
            rule["value"] = value;
        }
        if (withinDays is not null)
        {
            rule["withinDays"] = withinDays;
        }
        return rule;
    }

    private static JsonObject All(params JsonNode[] rules) => new() { ["match"] = "all", ["rules"] = new JsonArray(rules) };

    private static JsonObject Any(params JsonNode[] rules) => new() { ["match"] = "any", ["rules"] = new JsonArray(rules) };

    private static List<string> Ids(JsonNode page, string property = "customerId") => page["items"]!.AsArray().Select(i => i![property]!.GetValue<string>()).Order().ToList();

    [Fact]
    public async Task Preview_ThreeConditions_CountsAndSamplesTheMatchingCustomer_AndExplainGivesValues()
    {
        await using var app = fixture.NewApp(NoTimers);
        var admin = app.Admin();
        var (a, b, _, d) = await SeedAsync(app, admin);
        var highValueBoots = All(
            Rule("lifetime_value", "gt", 500),
            Rule("purchased_category", "in", new JsonArray("Boots"), 365),
            Rule("last_order_at", "within_last_days", 90));

        var preview = await (await admin.PostJsonAsync("/api/segments/preview", new JsonObject { ["rules"] = highValueBoots.DeepClone(), ["sampleSize"] = 5 })).AssertJsonAsync();
        var discount = await (await admin.PostJsonAsync("/api/segments/preview", new JsonObject { ["rules"] = All(Rule("coupon_order_share", "gte", 80)) })).AssertJsonAsync();
        var nobody = await (await admin.PostJsonAsync("/api/segments/preview", new JsonObject { ["rules"] = All(Rule("lifetime_value", "gt", 1_000_000)) })).AssertJsonAsync();
        var created = await (await admin.PostJsonAsync("/api/segments", new { name = "High-Value Boot Buyers", rules = highValueBoots })).AssertJsonAsync(HttpStatusCode.Created);
        var id = created["id"]!.GetValue<string>();
        var explainB = await (await admin.GetAsync($"/api/segments/{id}/explain/{b}")).AssertJsonAsync();
        var explainA = await (await admin.GetAsync($"/api/segments/{id}/explain/{a}")).AssertJsonAsync();

        Assert.Equal(1, preview["count"]!.GetValue<long>());
        Assert.Equal(a, preview["sample"]![0]!["customerId"]!.GetValue<string>());
        Assert.Equal(600m, preview["sample"]![0]!["lifetimeValue"]!.GetValue<decimal>());
        Assert.Equal("USD", preview["sample"]![0]!["currency"]!.GetValue<string>());
        Assert.Equal(1, discount["count"]!.GetValue<long>());
        Assert.Equal(d, discount["sample"]![0]!["customerId"]!.GetValue<string>());
        Assert.Equal(0, nobody["count"]!.GetValue<long>());
        Assert.Empty(nobody["sample"]!.AsArray());

        Assert.True(explainA["matches"]!.GetValue<bool>());
        Assert.False(explainB["matches"]!.GetValue<bool>());
        var conditions = explainB["rules"]!["rules"]!.AsArray();
        Assert.False(conditions[0]!["met"]!.GetValue<bool>());
        Assert.Equal(100m, conditions[0]!["actual"]!.GetValue<decimal>());
        Assert.False(conditions[1]!["met"]!.GetValue<bool>());
        Assert.Equal("hats", conditions[1]!["actual"]!.GetValue<string>());
        Assert.True(conditions[2]!["met"]!.GetValue<bool>());
        Assert.True(preview["freshness"]!["current"]!.GetValue<bool>());
        Assert.NotNull(preview["freshness"]!["asOf"]);
        Assert.NotNull(explainA["freshness"]!["asOf"]);
    }

    [Fact]
    public async Task OrderFacts_WithAndWithoutWindow_AndRfmFields_MatchTheRightCustomers()
    {
        await using var app = fixture.NewApp(NoTimers);
        var admin = app.Admin();
        var (a, b, c, d) = await SeedAsync(app, admin);
        async Task<List<string>> Matching(JsonObject rule)
        {
            var preview = await (await admin.PostJsonAsync("/api/segments/preview", new JsonObject { ["rules"] = All(rule), ["sampleSize"] = 10 })).AssertJsonAsync();
            var ids = preview["sample"]!.AsArray().Select(i => i!["customerId"]!.GetValue<string>()).Order().ToList();
            Assert.Equal(ids.Count, preview["count"]!.GetValue<long>());
            return ids;
        }

        Assert.Equal([b], await Matching(Rule("purchased_product", "in", new JsonArray("p-hats", "p-none"))));
        Assert.Equal([a], await Matching(Rule("purchased_product", "in", new JsonArray("p-boots"), 50)));
        Assert.Equal(new[] { b, c, d }.Order().ToList(), await Matching(Rule("purchased_category", "not_in", new JsonArray("Boots"))));
        Assert.Equal(new[] { a, b, c, d }.Order().ToList(), await Matching(Rule("purchased_category", "not_in", new JsonArray("boots"), 5)));
        Assert.Equal(new[] { a, d }.Order().ToList(), await Matching(Rule("purchased_category", "in", new JsonArray("boots", "accessories"), 30)));
        Assert.Equal([d], await Matching(Rule("orders_in_window", "gte", 2, 30)));
        Assert.Equal([a], await Matching(Rule("orders_in_window", "eq", 2)));
        Assert.Equal([a], await Matching(Rule("spend_in_window", "gt", 250, 30)));
        Assert.Equal(new[] { a, b, d }.Order().ToList(), await Matching(Rule("rfm_code", "is_set")));
        Assert.Equal([c], await Matching(Rule("rfm_r", "is_not_set")));
    }

    [Fact]
    public async Task Preview_ReadsTheCopyAsLastBuilt_AndSaysItTrails_UntilTheRefreshRuns()
    {
        await using var app = fixture.NewApp(NoTimers);
        var admin = app.Admin();
        var (a, _, _, _) = await SeedAsync(app, admin);
        var boots = new JsonObject { ["rules"] = All(Rule("purchased_category", "in", new JsonArray("Boots"), 30)), ["sampleSize"] = 5 };
        var before = await (await admin.PostJsonAsync("/api/segments/preview", boots.DeepClone())).AssertJsonAsync();
        var e = "e-" + app.Prefix;
        await (await admin.PostJsonAsync("/api/customers", Customer(e, "Eve", "Spur", $"eve@{app.Prefix}.example"))).AssertJsonAsync(HttpStatusCode.Created);
        await admin.PostEventsAsync(Event(NewId("e"), "order.placed", DateTimeOffset.UtcNow.AddDays(-2), e, Order(NewId("o"), e, DateTimeOffset.UtcNow.AddDays(-2), 120m)));
        await admin.WaitForMetricsAsync(e, m => m["metrics"]!["orderCount"]!.GetValue<int>() == 1, "E's order");

        var trailing = await (await admin.PostJsonAsync("/api/segments/preview", boots.DeepClone())).AssertJsonAsync();
        await (await admin.PostAsync("/api/analytics/refresh", null)).AssertJsonAsync();
        var after = await (await admin.PostJsonAsync("/api/segments/preview", boots.DeepClone())).AssertJsonAsync();

        static List<string> Sample(JsonNode p) => p["sample"]!.AsArray().Select(i => i!["customerId"]!.GetValue<string>()).Order().ToList();
        Assert.Equal([a], Sample(before));
        Assert.Equal([a], Sample(trailing));
        Assert.False(trailing["freshness"]!["current"]!.GetValue<bool>());
        Assert.True(trailing["freshness"]!["lagSeconds"]!.GetValue<double>() >= 0);
        Assert.Equal(new[] { a, e }.Order().ToList(), Sample(after));
        Assert.True(after["freshness"]!["current"]!.GetValue<bool>());
        Assert.True(after["freshness"]!["asOf"]!.GetValue<DateTimeOffset>() >= trailing["freshness"]!["asOf"]!.GetValue<DateTimeOffset>());
    }

    [Fact]
    public async Task BadRules_Answer400NamingEachNode_AndSaveNothing()
    {
        await using var app = fixture.NewApp(NoTimers);
        var admin = app.Admin();
        var before = (await (await admin.GetAsync("/api/segments?limit=500")).AssertJsonAsync())["items"]!.AsArray().Count;

        var problem = await (await admin.PostJsonAsync("/api/segments", new
        {
            name = "Broken",
            rules = All(
                Rule("shoe_size", "gt", 9),
                Rule("lifetime_value", "contains", "x"),
                Rule("tier", "in", new JsonArray("diamond")),
                Any(Rule("last_order_at", "within_last_days", "ninety")),
                Rule("tags", "has_any", new JsonArray("no-such-tag")),
                Rule("order_count", "gt", 1, 30),
                new JsonObject { ["match"] = "some", ["rules"] = new JsonArray() }),
        })).AssertProblemAsync(HttpStatusCode.BadRequest);
        var empty = await (await admin.PostJsonAsync("/api/segments/preview", new { })).AssertProblemAsync(HttpStatusCode.BadRequest);
        var after = (await (await admin.GetAsync("/api/segments?limit=500")).AssertJsonAsync())["items"]!.AsArray().Count;

        var errors = problem["errors"]!.AsObject();
        Assert.Contains("rules.rules[0].field", errors.Select(e => e.Key));
        Assert.Contains("rules.rules[1].op", errors.Select(e => e.Key));
        Assert.Contains("rules.rules[2].value", errors.Select(e => e.Key));
        Assert.Contains("rules.rules[3].rules[0].value", errors.Select(e => e.Key));
        Assert.Contains("rules.rules[4].value", errors.Select(e => e.Key));
        Assert.Contains("rules.rules[5].withinDays", errors.Select(e => e.Key));
        Assert.Contains("rules.rules[6].match", errors.Select(e => e.Key));
        Assert.Contains("rules.rules[6].rules", errors.Select(e => e.Key));
        Assert.Contains("rules", empty["errors"]!.AsObject().Select(e => e.Key));
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task DynamicSegment_CustomerWhoseOrderIsCancelledLeaves_HistoryRecordsJoinAndLeave()
    {
        await using var app = fixture.NewApp(NoTimers);
        var admin = app.Admin();
        var (a, b, c, d) = await SeedAsync(app, admin);
        var buyers = await (await admin.PostJsonAsync("/api/segments", new { name = "Buyers", rules = All(Rule("order_count", "gte", 1)) })).AssertJsonAsync(HttpStatusCode.Created);
        var empty = await (await admin.PostJsonAsync("/api/segments", new { name = "Big spenders", rules = All(Rule("lifetime_value", "gte", 5000)) })).AssertJsonAsync(HttpStatusCode.Created);
        var id = buyers["id"]!.GetValue<string>();
        // A new dynamic segment is filled by a queued refresh.
        await HttpAssertions.EventuallyAsync(async () =>
            (await (await admin.GetAsync($"/api/segments/{id}")).AssertJsonAsync())["refreshedAt"] is not null, "first refresh");

        var first = await (await admin.PostAsync($"/api/segments/{id}/refresh", null)).AssertJsonAsync();
        var emptyRefresh = await (await admin.PostAsync($"/api/segments/{empty["id"]}/refresh", null)).AssertJsonAsync();
        var membersBefore = await (await admin.GetAsync($"/api/segments/{id}/members")).AssertJsonAsync();
        var order = Order("ob-" + app.Prefix, b, DateTimeOffset.UtcNow.AddDays(-70), 100m, "Hats");
        await admin.PostEventsAsync(Event(NewId("e"), "order.cancelled", DateTimeOffset.UtcNow, b, order));
        await admin.WaitForMetricsAsync(b, m => m["metrics"]!["orderCount"]!.GetValue<int>() == 0, "B's order cancelled");
        var second = await (await admin.PostAsync($"/api/segments/{id}/refresh", null)).AssertJsonAsync();
        var membersAfter = await (await admin.GetAsync($"/api/segments/{id}/members")).AssertJsonAsync();
        var history = await (await admin.GetAsync($"/api/segments/{id}/history")).AssertJsonAsync();
        var bSegments = await (await admin.GetAsync($"/api/customers/{b}/segments")).AssertJsonAsync();
        var aSegments = await (await admin.GetAsync($"/api/customers/{a}/segments")).AssertJsonAsync();
        var segment = await (await admin.GetAsync($"/api/segments/{id}")).AssertJsonAsync();

        Assert.Equal(3, first["members"]!.GetValue<int>());
        Assert.Equal(0, first["joined"]!.GetValue<int>());
        Assert.Equal(0, emptyRefresh["members"]!.GetValue<int>());
        Assert.Equal(new[] { a, b, d }.Order().ToList(), Ids(membersBefore));
        Assert.Equal(0, second["joined"]!.GetValue<int>());
        Assert.Equal(1, second["left"]!.GetValue<int>());
        Assert.Equal(new[] { a, d }.Order().ToList(), Ids(membersAfter));
        Assert.DoesNotContain(c, Ids(membersAfter));
        var bChanges = history["items"]!.AsArray().Where(h => h!["customerId"]!.GetValue<string>() == b).Select(h => h!["change"]!.GetValue<string>()).ToList();
        Assert.Equal(["left", "joined"], bChanges);
        Assert.Empty(bSegments["segments"]!.AsArray());
        Assert.Equal(["left", "joined"], bSegments["history"]!["items"]!.AsArray().Select(h => h!["change"]!.GetValue<string>()));
        Assert.Contains(aSegments["segments"]!.AsArray(), s => s!["segmentId"]!.GetValue<string>() == id);
        Assert.Equal(2, segment["memberCount"]!.GetValue<int>());
    }

    [Fact]
    public async Task PrebuiltSegments_AreSeeded_AndAbandonedCartAndDiscountHuntersFindTheirCustomers()
    {
        await using var app = fixture.NewApp(NoTimers);
        var admin = app.Admin();
        var (a, _, c, d) = await SeedAsync(app, admin);

        var list = await (await admin.GetAsync("/api/segments?limit=500")).AssertJsonAsync();
        var abandoned = await (await admin.PostAsync("/api/segments/abandoned-cart/refresh", null)).AssertJsonAsync();
        var hunters = await (await admin.PostAsync("/api/segments/discount-hunters/refresh", null)).AssertJsonAsync();
        var vip = await (await admin.PostAsync("/api/segments/vip-customers/refresh", null)).AssertJsonAsync();
        var abandonedMembers = await (await admin.GetAsync("/api/segments/abandoned-cart/members")).AssertJsonAsync();
        var hunterMembers = await (await admin.GetAsync("/api/segments/discount-hunters/members")).AssertJsonAsync();
        var vipMembers = await (await admin.GetAsync("/api/segments/vip-customers/members")).AssertJsonAsync();
        var renamed = await (await admin.PatchAsync("/api/segments/vip-customers", JsonContent.Create(new { name = "VIPs" }))).AssertJsonAsync();

        var names = list["items"]!.AsArray().Select(s => s!["name"]!.GetValue<string>()).ToList();
        foreach (var name in new[] { "New Customers", "VIP Customers", "At-Risk Customers", "Churned Customers", "One-Time Buyers", "Frequent Buyers", "High AOV", "Discount Hunters", "Email Engaged", "Abandoned Cart" })
        {
            Assert.Contains(name, names);
        }
        Assert.Equal(1, abandoned["members"]!.GetValue<int>());
        Assert.Equal([c], Ids(abandonedMembers));
        Assert.Equal([d], Ids(hunterMembers));
        Assert.Equal(1, hunters["members"]!.GetValue<int>());
        Assert.Equal([a], Ids(vipMembers));
        Assert.Equal(1, vip["members"]!.GetValue<int>());
        Assert.Equal("VIPs", renamed["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task StaticSegmentActions_TagCodesAudience_RunAsJobs_AndErasureRemovesTheCustomerFromAll()
    {
        await using var app = fixture.NewApp(NoTimers);
        var admin = app.Admin();
        var (a, b, c, _) = await SeedAsync(app, admin);
        var tag = await (await admin.PostJsonAsync("/api/tags", new { name = "Rodeo " + app.Prefix })).AssertJsonAsync(HttpStatusCode.Created);
        var unknown = await (await admin.PostJsonAsync("/api/segments", new { name = "List", kind = "static", customerIds = new[] { a, "nobody-" + app.Prefix } })).AssertProblemAsync(HttpStatusCode.BadRequest);
        var list = await (await admin.PostJsonAsync("/api/segments", new { name = "Rodeo list", kind = "static", customerIds = new[] { a, c } })).AssertJsonAsync(HttpStatusCode.Created);
        var id = list["id"]!.GetValue<string>();
        await (await admin.PostJsonAsync($"/api/segments/{id}/members", new { customerIds = new[] { b } })).AssertJsonAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/segments/{id}/members/{b}")).StatusCode);

        var tagJob = await (await admin.PostJsonAsync($"/api/segments/{id}/actions", new { action = "add_tag", tagId = tag["id"] })).AssertJsonAsync(HttpStatusCode.Accepted);
        var codeJob = await (await admin.PostJsonAsync($"/api/segments/{id}/actions",
            new { action = "discount_codes", discountKind = "percent", value = 15, expiresAt = DateTimeOffset.UtcNow.AddDays(30), codePrefix = "RODEO-" })).AssertJsonAsync(HttpStatusCode.Accepted);
        var audienceJob = await (await admin.PostJsonAsync($"/api/segments/{id}/actions", new { action = "audience" })).AssertJsonAsync(HttpStatusCode.Accepted);
        var badAction = await (await admin.PostJsonAsync($"/api/segments/{id}/actions", new { action = "discount_codes", value = 150, discountKind = "percent" })).AssertProblemAsync(HttpStatusCode.BadRequest);
        var jobs = new List<JsonNode>();
        foreach (var job in new[] { tagJob, codeJob, audienceJob })
        {
            JsonNode? done = null;
            await HttpAssertions.EventuallyAsync(async () =>
            {
                done = await (await admin.GetAsync($"/api/segments/actions/{job["id"]}")).AssertJsonAsync();
                return done["state"]!.GetValue<string>() is "succeeded" or "failed";
            }, "segment action done");
            jobs.Add(done!);
        }
        var aTags = (await (await admin.GetAsync($"/api/customers/{a}/tags")).AssertJsonAsync())["items"]!;
        var aCodes = (await (await admin.GetAsync($"/api/customers/{a}/discount-codes")).AssertJsonAsync())["items"]!;
        using var download = new HttpClient();
        var codesCsv = await download.GetStringAsync(jobs[1]["downloadUrl"]!.GetValue<string>());
        var audienceCsv = await download.GetStringAsync(jobs[2]["downloadUrl"]!.GetValue<string>());
        var code = aCodes[0]!["code"]!.GetValue<string>();
        var lookup = await (await admin.GetAsync($"/api/discount-codes/{code}")).AssertJsonAsync();

        var erase = await (await admin.PostAsync($"/api/customers/{a}/erase", null)).AssertJsonAsync();
        var membersAfter = await (await admin.GetAsync($"/api/segments/{id}/members")).AssertJsonAsync();
        var historyAfter = await (await admin.GetAsync($"/api/segments/{id}/history?limit=500")).AssertJsonAsync();
        var lookupAfter = await admin.GetAsync($"/api/discount-codes/{code}");
        var codesFileAfter = await download.GetAsync(jobs[1]["downloadUrl"]!.GetValue<string>());

        Assert.Contains("customerIds", unknown["errors"]!.AsObject().Select(e => e.Key));
        Assert.Contains("value", badAction["errors"]!.AsObject().Select(e => e.Key));
        Assert.Contains("expiresAt", badAction["errors"]!.AsObject().Select(e => e.Key));
        Assert.All(jobs, j => Assert.Equal("succeeded", j["state"]!.GetValue<string>()));
        Assert.All(jobs, j => Assert.Equal(2, j["processed"]!.GetValue<int>()));
        Assert.Contains(aTags.AsArray(), t => t!["tagId"]!.GetValue<string>() == tag["id"]!.GetValue<string>());
        Assert.StartsWith("RODEO-", code);
        Assert.Equal(15m, aCodes[0]!["value"]!.GetValue<decimal>());
        Assert.Equal(3, codesCsv.Trim().Split('\n').Length);
        Assert.Contains(code, codesCsv);
        // Both members consented to email: two hashed addresses, lower-cased before hashing.
        var hashes = audienceCsv.Trim().Split('\n').Skip(1).Select(l => l.Trim()).ToList();
        Assert.Equal(2, hashes.Count);
        Assert.Contains(PecosCrm.Core.Segments.SegmentActions.HashEmail($"ADA@{app.Prefix}.example "), hashes);
        Assert.Equal(a, lookup["customerId"]!.GetValue<string>());

        Assert.True(erase["exportFilesDeleted"]!.GetValue<int>() >= 2);
        Assert.Equal([c], Ids(membersAfter));
        Assert.DoesNotContain(historyAfter["items"]!.AsArray(), h => h!["customerId"]!.GetValue<string>() == a);
        Assert.Equal(HttpStatusCode.NotFound, lookupAfter.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, codesFileAfter.StatusCode);
    }

    [Fact]
    public async Task Recompute_RefreshesEveryDynamicSegment_AndReportsThem()
    {
        await using var app = fixture.NewApp(NoTimers);
        var admin = app.Admin();
        var (a, _, _, _) = await SeedAsync(app, admin);

        var started = await (await admin.PostAsync("/api/jobs/recompute", null)).AssertJsonAsync(HttpStatusCode.Accepted);
        JsonNode? job = null;
        await HttpAssertions.EventuallyAsync(async () =>
        {
            job = await (await admin.GetAsync($"/api/jobs/{started["id"]}")).AssertJsonAsync();
            return job["endedAt"] is not null;
        }, "recompute with segments finished", TimeSpan.FromMinutes(2));
        var vip = await (await admin.GetAsync("/api/segments/vip-customers")).AssertJsonAsync();
        var vipMembers = await (await admin.GetAsync("/api/segments/vip-customers/members")).AssertJsonAsync();

        Assert.Equal("succeeded", job!["state"]!.GetValue<string>());
        Assert.True(job["segmentsTotal"]!.GetValue<int>() >= 10);
        Assert.Equal(job["segmentsTotal"]!.GetValue<int>(), job["segmentsRefreshed"]!.GetValue<int>());
        Assert.Equal(1, vip["memberCount"]!.GetValue<int>());
        Assert.Equal([a], Ids(vipMembers));
    }
}
