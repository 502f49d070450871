using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using PecosCrm.Core.Integrations.Connectors;
using PecosCrm.Core.Integrations.Webhooks;
using PecosCrm.IntegrationTests.Analytics;
using PecosCrm.IntegrationTests.Campaigns;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;
using Reply = PecosCrm.IntegrationTests.Integrations.ScriptedService.Reply;

namespace PecosCrm.IntegrationTests.Integrations;

/// <summary>
/// The three outside APIs as local scripted services, and one app for the class whose connectors
/// point at them (timers off: the tests ask for each sync; retries of a call wait 50 ms; changes are synced
/// as soon as they are logged).
/// </summary>
public sealed class ConnectorsHost : IAsyncLifetime
{
    public const string MailchimpKey = "mc-secret-0123456789-us21";
    public const string KlaviyoKey = "pk_secret_klaviyo_0123456789";
    public const string HubSpotToken = "pat-secret-hubspot-0123456789";

    private CrmApp? _app;

    public ScriptedService Mailchimp { get; private set; } = null!;
    public ScriptedService Klaviyo { get; private set; } = null!;
    public ScriptedService HubSpot { get; private set; } = null!;

    public CrmApp App(AzuriteFixture azurite) => _app ??= azurite.NewApp(new Dictionary<string, string?>
    {
        ["Hosting:RunTimers"] = "false",
        ["Integrations:Mailchimp:ApiKey"] = MailchimpKey,
        ["Integrations:Mailchimp:BaseUrl"] = Mailchimp.Url,
        ["Integrations:Klaviyo:ApiKey"] = KlaviyoKey,
        ["Integrations:Klaviyo:BaseUrl"] = Klaviyo.Url,
        ["Integrations:HubSpot:AccessToken"] = HubSpotToken,
        ["Integrations:HubSpot:BaseUrl"] = HubSpot.Url,
        ["Connectors:RetryDelays:0"] = "00:00:00.050",
        ["Connectors:RetryDelays:1"] = "00:00:00.050",
        ["Connectors:SettleTime"] = "00:00:00",
        ["AdAudiences:MaxMembersOnRequest"] = "1",
    });

    public async Task InitializeAsync()
    {
        Mailchimp = await ScriptedService.StartAsync();
        Klaviyo = await ScriptedService.StartAsync();
        HubSpot = await ScriptedService.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
        await Mailchimp.DisposeAsync();
        await Klaviyo.DisposeAsync();
        await HubSpot.DisposeAsync();
    }
}

[Collection(AzuriteCollection.Name)]
public sealed class ConnectorsTests(AzuriteFixture fixture, ConnectorsHost host) : IClassFixture<ConnectorsHost>
{
    [Fact]
    public async Task Mailchimp_Sync_UpsertsMembersTagsSegmentsAndSendsEcommerceCustomersAndOrders_InTheDocumentedShapes()
    {
        var app = host.App(fixture);
        var admin = app.Admin();
        var member = (await CampaignTestKit.CustomersAsync(admin, NewId("mcseg"), 1))[0];
        var segmentId = await ExportsTests.WriteSegmentAsync(app, "VIP Riders", member);
        await ConfigureAsync(admin, "mailchimp", new { settings = new Dictionary<string, string> { ["listId"] = "list-main", ["storeId"] = "store-1" }, segments = new[] { new { segmentId, target = (string?)null } } });
        await EnableAsync(admin, "mailchimp");
        var customerId = NewId("mc");
        var orderId = "o-" + customerId;
        host.Mailchimp.Once(new Reply(404, """{"status":404,"title":"Resource Not Found"}"""), r => r.Method == "PATCH" && r.Path.Contains(orderId, StringComparison.Ordinal));
        await PlaceAsync(app, admin, customerId, orderId, "Mae@Riders.example");

        var state = await SyncAsync(admin, "mailchimp");

        Assert.Equal("succeeded", state["status"]!.GetValue<string>());
        var hash = Md5("mae@riders.example");
        var put = Assert.Single(host.Mailchimp.To("PUT", $"/3.0/lists/list-main/members/{hash}"));
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("pecoscrm:" + ConnectorsHost.MailchimpKey)), put.Headers["Authorization"]);
        var body = JsonNode.Parse(put.Body)!;
        Assert.Equal("mae@riders.example", body["email_address"]!.GetValue<string>(), ignoreCase: true);
        Assert.Equal("subscribed", body["status_if_new"]!.GetValue<string>());
        Assert.Equal("Mae", body["merge_fields"]!["FNAME"]!.GetValue<string>());
        var ecommerce = JsonNode.Parse(Assert.Single(host.Mailchimp.To("PUT", $"/3.0/ecommerce/stores/store-1/customers/{customerId}")).Body)!;
        Assert.Equal(customerId, ecommerce["id"]!.GetValue<string>());
        Assert.True(ecommerce["opt_in_status"]!.GetValue<bool>());
        Assert.Single(host.Mailchimp.To("PATCH", $"/3.0/ecommerce/stores/store-1/orders/{orderId}"));
        var order = JsonNode.Parse(Assert.Single(host.Mailchimp.To("POST", "/3.0/ecommerce/stores/store-1/orders")).Body)!;
        Assert.Equal(orderId, order["id"]!.GetValue<string>());
        Assert.Equal(customerId, order["customer"]!["id"]!.GetValue<string>());
        Assert.Equal(120m, order["order_total"]!.GetValue<decimal>());
        Assert.Equal("USD", order["currency_code"]!.GetValue<string>());
        Assert.Equal("p-boots", order["lines"]![0]!["product_id"]!.GetValue<string>());
        var memberHash = Md5($"{member}@range.example");
        Assert.Single(host.Mailchimp.To("PUT", $"/3.0/lists/list-main/members/{memberHash}"));
        var tags = JsonNode.Parse(Assert.Single(host.Mailchimp.To("POST", $"/3.0/lists/list-main/members/{memberHash}/tags")).Body)!;
        Assert.Equal("VIP Riders", tags["tags"]![0]!["name"]!.GetValue<string>());
        Assert.Equal("active", tags["tags"]![0]!["status"]!.GetValue<string>());
        Assert.True(state["counts"]!["orders"]!.GetValue<int>() >= 1);
        var logs = (await (await admin.GetAsync("/api/integrations/connectors/mailchimp/logs?limit=500")).AssertJsonAsync())["items"]!.AsArray();
        var notFound = Assert.Single(logs, l => l!["method"]!.GetValue<string>() == "PATCH" && l["path"]!.GetValue<string>().Contains(orderId, StringComparison.Ordinal));
        Assert.Equal(404, notFound!["status"]!.GetValue<int>());
        Assert.True(notFound["durationMs"]!.GetValue<long>() >= 0);
    }

    [Fact]
    public async Task Klaviyo_Sync_ImportsProfilesAndSendsPlacedOrderEvents_WaitingOutA429()
    {
        var app = host.App(fixture);
        var admin = app.Admin();
        await ConfigureAsync(admin, "klaviyo", new { settings = new Dictionary<string, string> { ["listId"] = "LST-1" } });
        await EnableAsync(admin, "klaviyo");
        var customerId = NewId("kl");
        var orderId = "o-" + customerId;
        host.Klaviyo.Once(new Reply(429, """{"errors":[{"status":429,"code":"throttled"}]}""", new Dictionary<string, string> { ["Retry-After"] = "1" }),
            r => r.Path.StartsWith("/api/profile-bulk-import-jobs", StringComparison.Ordinal));
        await PlaceAsync(app, admin, customerId, orderId, $"{customerId}@riders.example");

        var state = await SyncAsync(admin, "klaviyo");

        Assert.Equal("succeeded", state["status"]!.GetValue<string>());
        var imports = host.Klaviyo.To("POST", "/api/profile-bulk-import-jobs");
        Assert.True(imports.Count >= 2, "the 429 and the retry");
        var import = imports.Last(r => r.Body.Contains(customerId, StringComparison.Ordinal));
        Assert.Equal("Klaviyo-API-Key " + ConnectorsHost.KlaviyoKey, import.Headers["Authorization"]);
        Assert.Equal("2024-10-15", import.Headers["revision"]);
        Assert.StartsWith("application/vnd.api+json", import.Headers["Content-Type"], StringComparison.Ordinal);
        var job = JsonNode.Parse(import.Body)!["data"]!;
        Assert.Equal("profile-bulk-import-job", job["type"]!.GetValue<string>());
        var profile = job["attributes"]!["profiles"]!["data"]!.AsArray().Single(p => p!["attributes"]!["external_id"]!.GetValue<string>() == customerId)!;
        Assert.Equal("profile", profile["type"]!.GetValue<string>());
        Assert.Equal($"{customerId}@riders.example", profile["attributes"]!["email"]!.GetValue<string>());
        Assert.Equal("LST-1", job["relationships"]!["lists"]!["data"]![0]!["id"]!.GetValue<string>());
        var e = JsonNode.Parse(host.Klaviyo.To("POST", "/api/events").Single(r => r.Body.Contains(orderId, StringComparison.Ordinal)).Body)!["data"]!;
        Assert.Equal("event", e["type"]!.GetValue<string>());
        Assert.Equal("Placed Order", e["attributes"]!["metric"]!["data"]!["attributes"]!["name"]!.GetValue<string>());
        Assert.Equal(120m, e["attributes"]!["value"]!.GetValue<decimal>());
        Assert.Equal(orderId, e["attributes"]!["unique_id"]!.GetValue<string>());
        Assert.Equal($"{customerId}@riders.example", e["attributes"]!["profile"]!["data"]!["attributes"]!["email"]!.GetValue<string>());
        var logs = (await (await admin.GetAsync("/api/integrations/connectors/klaviyo/logs?limit=500")).AssertJsonAsync())["items"]!.AsArray()
            .Where(l => l!["path"]!.GetValue<string>() == "/api/profile-bulk-import-jobs").Reverse().ToList();
        // The class's other Klaviyo syncs log imports too: the throttled call is followed by its second attempt.
        var throttled = logs.FindIndex(l => l!["status"]!.GetValue<int>() == 429);
        Assert.True(throttled >= 0, "the 429 is logged");
        Assert.Equal(2, logs[throttled + 1]!["attempt"]!.GetValue<int>());
    }

    [Fact]
    public async Task Klaviyo_ASegmentsLeavingMember_IsFoundByEmail_AndTakenOffItsList()
    {
        var app = host.App(fixture);
        var admin = app.Admin();
        var (stays, leaves) = (NewId("kstay"), NewId("kleave"));
        foreach (var id in new[] { stays, leaves })
        {
            await admin.PostEventsAsync(Event(NewId("e"), "customer.created", DateTimeOffset.UtcNow.AddMinutes(-5), id, (JsonObject)Customer(id, "Rowdy", "Yates", $"{id}@riders.example")));
            await HttpAssertions.EventuallyAsync(async () => (await admin.GetAsync($"/api/customers/{id}")).StatusCode == HttpStatusCode.OK, "the customer");
        }
        var segment = await (await admin.PostJsonAsync("/api/segments", new { name = "Trail " + app.Prefix, kind = "static", customerIds = new[] { stays, leaves } }))
            .AssertJsonAsync(HttpStatusCode.Created);
        var segmentId = segment["id"]!.GetValue<string>();
        await ConfigureAsync(admin, "klaviyo", new { settings = new Dictionary<string, string>(), segments = new[] { new { segmentId, target = "LST-TRAIL" } } });
        await EnableAsync(admin, "klaviyo");
        await SyncAsync(admin, "klaviyo");
        host.Klaviyo.Always("GET", "/api/profiles", r => new Reply(200, r.Path.Contains(leaves, StringComparison.Ordinal)
            ? """{"data":[{"type":"profile","id":"01LEAVER","attributes":{"email":"x"}}]}"""
            : """{"data":[]}"""));

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/segments/{segmentId}/members/{leaves}")).StatusCode);
        var state = await SyncAsync(admin, "klaviyo");

        Assert.Equal("succeeded", state["status"]!.GetValue<string>());
        var imported = host.Klaviyo.To("POST", "/api/profile-bulk-import-jobs").Where(r => r.Body.Contains("LST-TRAIL", StringComparison.Ordinal)).ToList();
        Assert.Contains(imported, r => r.Body.Contains(leaves, StringComparison.Ordinal) && r.Body.Contains(stays, StringComparison.Ordinal));
        var lookup = Assert.Single(host.Klaviyo.To("GET", "/api/profiles"), r => r.Path.Contains(leaves, StringComparison.Ordinal));
        Assert.Contains("filter=any%28email%2C%5B%22" + leaves + "%40riders.example%22%5D%29", lookup.Path, StringComparison.Ordinal);
        Assert.DoesNotContain(host.Klaviyo.To("GET", "/api/profiles"), r => r.Path.Contains(stays, StringComparison.Ordinal));
        var removal = Assert.Single(host.Klaviyo.To("DELETE", "/api/lists/LST-TRAIL/relationships/profiles"));
        Assert.Equal("2024-10-15", removal.Headers["revision"]);
        var removed = JsonNode.Parse(removal.Body)!["data"]!.AsArray();
        Assert.Equal("profile", Assert.Single(removed)!["type"]!.GetValue<string>());
        Assert.Equal("01LEAVER", removed[0]!["id"]!.GetValue<string>());
        Assert.Equal(1, state["counts"]!["listMembersRemoved"]!.GetValue<int>());
    }

    [Fact]
    public async Task HubSpot_Sync_PullsChangedContacts_AppliesTheConflictRulePerField_AndPushesTheMergedContact()
    {
        var app = host.App(fixture);
        var admin = app.Admin();
        var customerId = NewId("hs");
        var email = $"{customerId}@riders.example";
        await admin.PostEventsAsync(Event(NewId("e"), "customer.created", DateTimeOffset.UtcNow.AddMinutes(-5), customerId, (JsonObject)Customer(customerId, "Dusty", "Rhodes", email)));
        await HttpAssertions.EventuallyAsync(async () => (await admin.GetAsync($"/api/customers/{customerId}")).StatusCode == HttpStatusCode.OK, "the customer");
        await ConfigureAsync(admin, "hubspot", new
        {
            fieldMapping = new object[] { new { field = "firstName", property = "firstname" }, new { field = "lastName", property = "lastname", rule = "crm_wins" } },
            conflictRule = "newest",
        });
        await EnableAsync(admin, "hubspot");
        var modified = DateTimeOffset.UtcNow.AddMinutes(1).ToString("O");
        host.HubSpot.Always("POST", "/crm/v3/objects/contacts/search", _ => new Reply(200, new JsonObject
        {
            ["total"] = 1,
            ["results"] = new JsonArray(new JsonObject
            {
                ["id"] = "501",
                ["properties"] = new JsonObject { ["email"] = email, ["firstname"] = "Dustin", ["lastname"] = "Rhoades", ["lastmodifieddate"] = modified },
                ["updatedAt"] = modified,
            }),
        }.ToJsonString()));

        var state = await SyncAsync(admin, "hubspot");

        Assert.Equal("succeeded", state["status"]!.GetValue<string>());
        var search = host.HubSpot.To("POST", "/crm/v3/objects/contacts/search")[^1];
        Assert.Equal("Bearer " + ConnectorsHost.HubSpotToken, search.Headers["Authorization"]);
        var filter = JsonNode.Parse(search.Body)!["filterGroups"]![0]!["filters"]![0]!;
        Assert.Equal("lastmodifieddate", filter["propertyName"]!.GetValue<string>());
        Assert.Equal("GT", filter["operator"]!.GetValue<string>());
        var customer = await (await admin.GetAsync($"/api/customers/{customerId}")).AssertJsonAsync();
        Assert.Equal("Dustin", customer["firstName"]!.GetValue<string>());
        Assert.Equal("Rhodes", customer["lastName"]!.GetValue<string>());
        var upsert = host.HubSpot.To("POST", "/crm/v3/objects/contacts/batch/upsert").Select(r => JsonNode.Parse(r.Body)!["inputs"]!.AsArray())
            .SelectMany(i => i).Single(i => i!["id"]!.GetValue<string>() == email)!;
        Assert.Equal("email", upsert["idProperty"]!.GetValue<string>());
        Assert.Equal("Dustin", upsert["properties"]!["firstname"]!.GetValue<string>());
        Assert.Equal("Rhodes", upsert["properties"]!["lastname"]!.GetValue<string>());
        var audit = await (await admin.GetAsync($"/api/audit?entityType=customer&entityId={customerId}")).AssertJsonAsync();
        Assert.Contains(audit["items"]!.AsArray(), a => a!["action"]!.GetValue<string>() == "customer.updated" && a["actor"]!["id"]!.GetValue<string>() == "hubspot");
    }

    [Fact]
    public async Task FailingService_IsRetriedWithBackoff_TheErrorIsInTheStateAndLogs_AndTheNextSyncSucceeds()
    {
        var app = host.App(fixture);
        var admin = app.Admin();
        await ConfigureAsync(admin, "mailchimp", new { settings = new Dictionary<string, string> { ["listId"] = "list-flaky" }, segments = Array.Empty<object>() });
        await EnableAsync(admin, "mailchimp");
        for (var i = 0; i < 3; i++)
        {
            host.Mailchimp.Once(new Reply(503, """{"title":"Service Unavailable"}"""), r => r.Path.Contains("/list-flaky/", StringComparison.Ordinal));
        }
        var customerId = NewId("flaky");
        await PlaceAsync(app, admin, customerId, "o-" + customerId, $"{customerId}@riders.example");

        var failed = await SyncAsync(admin, "mailchimp");
        var again = await SyncAsync(admin, "mailchimp");

        Assert.Equal("failed", failed["status"]!.GetValue<string>());
        Assert.Contains("503", failed["lastError"]!.GetValue<string>());
        Assert.Equal(1, failed["failuresInARow"]!.GetValue<int>());
        Assert.True(failed["nextRunAt"]!.GetValue<DateTimeOffset>() > DateTimeOffset.UtcNow.AddMinutes(3), "backoff before the next scheduled try");
        var tries = (await (await admin.GetAsync("/api/integrations/connectors/mailchimp/logs?limit=500")).AssertJsonAsync())["items"]!.AsArray()
            .Where(l => l!["status"]?.GetValue<int>() == 503).Select(l => l!["attempt"]!.GetValue<int>()).Order().ToList();
        Assert.Equal([1, 2, 3], tries);
        Assert.Equal("succeeded", again["status"]!.GetValue<string>());
        Assert.Equal(0, again["failuresInARow"]!.GetValue<int>());
        Assert.Contains(host.Mailchimp.To("PUT", "/3.0/lists/list-flaky/members/"), r => r.Body.Contains(customerId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Connectors_ShowWhetherACredentialIsSet_NeverTheCredential_AndOnlyWritersChangeThem()
    {
        var app = host.App(fixture);
        var admin = app.Admin();
        var viewer = (await StaffClient.CreateAsync(app, admin, "viewer")).Client;

        var bodies = new List<string>();
        var list = await admin.GetAsync("/api/integrations/connectors");
        bodies.Add(await list.Content.ReadAsStringAsync());
        foreach (var name in new[] { "mailchimp", "klaviyo", "hubspot" })
        {
            bodies.Add(await (await admin.GetAsync($"/api/integrations/connectors/{name}")).Content.ReadAsStringAsync());
            bodies.Add(await (await admin.PostJsonAsync($"/api/integrations/connectors/{name}/test", new { })).Content.ReadAsStringAsync());
            bodies.Add(await (await admin.GetAsync($"/api/integrations/connectors/{name}/logs")).Content.ReadAsStringAsync());
        }
        var unknownField = await admin.PutAsync("/api/integrations/connectors/mailchimp", JsonContent("""{"settings":{"listId":"x"},"apiKey":"sneaky"}"""));
        var unknownSetting = await admin.PutAsync("/api/integrations/connectors/mailchimp", JsonContent("""{"settings":{"apiKey":"sneaky"}}"""));
        var viewerConfigure = await viewer.PutAsync("/api/integrations/connectors/mailchimp", JsonContent("""{"settings":{"listId":"x"}}"""));
        var viewerSync = await viewer.PostJsonAsync("/api/integrations/connectors/mailchimp/sync", new { });
        var viewerRead = await viewer.GetAsync("/api/integrations/connectors/hubspot");
        var unknownConnector = await admin.GetAsync("/api/integrations/connectors/salesforce");

        var connectors = JsonNode.Parse(bodies[0])!["items"]!.AsArray();
        Assert.Equal(["hubspot", "klaviyo", "mailchimp"], connectors.Select(c => c!["name"]!.GetValue<string>()));
        Assert.All(connectors, c => Assert.True(c!["credentialSet"]!.GetValue<bool>()));
        Assert.Equal("Integrations__Mailchimp__ApiKey", connectors[2]!["credentialSetting"]!.GetValue<string>());
        Assert.All(bodies, b => Assert.DoesNotContain("secret", b, StringComparison.OrdinalIgnoreCase));
        var test = JsonNode.Parse(bodies[2])!;
        Assert.True(test["ok"]!.GetValue<bool>(), bodies[2]);
        Assert.Equal("/3.0/ping", test["calls"]![0]!["path"]!.GetValue<string>());
        Assert.True((await unknownField.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!.ToJsonString().Contains("apiKey", StringComparison.Ordinal));
        Assert.True((await unknownSetting.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!.AsObject().ContainsKey("settings.apiKey"));
        Assert.Equal(HttpStatusCode.Forbidden, viewerConfigure.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, viewerSync.StatusCode);
        Assert.DoesNotContain("secret", (await viewerRead.AssertJsonAsync()).ToJsonString(), StringComparison.OrdinalIgnoreCase);
        await unknownConnector.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AudienceAboveTheRequestLimit_IsWrittenByAQueuedJob_AndAnswersALinkWhenDone()
    {
        var app = host.App(fixture);
        var admin = app.Admin();
        var members = await CampaignTestKit.CustomersAsync(admin, NewId("bigaud"), 2);
        var segmentId = await ExportsTests.WriteSegmentAsync(app, "Big Spenders", [.. members]);

        var queued = await (await admin.PostJsonAsync("/api/integrations/audiences", new { segmentId, platform = "google" })).AssertJsonAsync(HttpStatusCode.Accepted);
        JsonNode job = queued;
        await HttpAssertions.EventuallyAsync(async () =>
        {
            job = await (await admin.GetAsync($"/api/integrations/audiences/jobs/{queued["id"]!.GetValue<string>()}")).AssertJsonAsync();
            Assert.NotEqual("failed", job["status"]!.GetValue<string>());
            return job["status"]!.GetValue<string>() == "done";
        }, "the audience job");

        Assert.Equal("queued", queued["status"]!.GetValue<string>());
        Assert.Null(queued["downloadUrl"]);
        Assert.Equal(2, job["rows"]!.GetValue<int>());
        using var http = new HttpClient();
        var lines = (await http.GetStringAsync(job["downloadUrl"]!.GetValue<string>())).Trim().Split('\n');
        Assert.Equal("Email,Phone,First Name,Last Name,Country,Zip", lines[0].TrimEnd('\r'));
        Assert.Equal(3, lines.Length);
    }

    private static StringContent JsonContent(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task ConfigureAsync(HttpClient admin, string name, object config) =>
        await (await admin.PutAsJsonAsync($"/api/integrations/connectors/{name}", config, HttpAssertions.Json)).AssertJsonAsync();

    private static async Task EnableAsync(HttpClient admin, string name) =>
        await (await admin.PostJsonAsync($"/api/integrations/connectors/{name}/enable", new { })).AssertJsonAsync();

    /// <summary>Queues a sync and waits until it has run; returns the sync state.</summary>
    private static async Task<JsonNode> SyncAsync(HttpClient admin, string name)
    {
        var queued = await (await admin.PostJsonAsync($"/api/integrations/connectors/{name}/sync", new { })).AssertJsonAsync(HttpStatusCode.Accepted);
        var queuedAt = queued["state"]!["queuedAt"]!.GetValue<DateTimeOffset>();
        JsonNode state = queued["state"]!;
        await HttpAssertions.EventuallyAsync(async () =>
        {
            state = (await (await admin.GetAsync($"/api/integrations/connectors/{name}")).AssertJsonAsync())["state"]!;
            return state["lastRunAt"]?.GetValue<DateTimeOffset>() >= queuedAt && state["status"]!.GetValue<string>() is "succeeded" or "failed";
        }, () => $"the {name} sync, last state {state.ToJsonString()}");
        return state;
    }

    /// <summary>
    /// A customer who agreed to marketing email and placed one order, applied and in the change feed
    /// (the event log is written just after the customer, so the test waits for both).
    /// </summary>
    private static async Task PlaceAsync(CrmApp app, HttpClient admin, string customerId, string orderId, string email)
    {
        var at = DateTimeOffset.UtcNow.AddMinutes(-2);
        var since = ConnectorChanges.StartCursor(DateTimeOffset.UtcNow.AddMinutes(-1));
        await admin.PostEventsAsync(
            Event(NewId("e"), "customer.created", at, customerId, (JsonObject)Customer(customerId, "Mae", "West", email, extra: new { consent = new { email = true } })),
            Event(NewId("e"), "order.placed", at.AddSeconds(1), customerId, Order(orderId, customerId, at.AddSeconds(1), 120m)));
        await admin.WaitForMetricsAsync(customerId, m => m["metrics"]!["orderCount"]!.GetValue<int>() == 1, "the order applied");
        var log = app.Services.GetRequiredService<WebhookEventLog>();
        await HttpAssertions.EventuallyAsync(async () =>
            (await log.ReadAfterAsync(since, DateTimeOffset.UtcNow, 10_000)).Count(e => e.CustomerId == customerId) == 2, "both events in the change feed");
    }

    // Mailchimp names members by the MD5 of their email; the test computes it independently.
#pragma warning disable CA5351
    private static string Md5(string value) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(value)));
#pragma warning restore CA5351
}
