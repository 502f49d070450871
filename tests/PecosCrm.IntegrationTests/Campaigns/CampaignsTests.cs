using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PecosCrm.Core.Messaging;
using PecosCrm.Functions.Hosting;
using PecosCrm.Functions.Jobs;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Campaigns.CampaignTestKit;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;

namespace PecosCrm.IntegrationTests.Campaigns;

[Collection(AzuriteCollection.Name)]
public sealed class CampaignsTests(AzuriteFixture fixture)
{
    private static readonly Dictionary<string, string?> NoTimers = new() { ["Hosting:RunTimers"] = "false" };

    private static Dictionary<string, string?> Settings(params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>(NoTimers);
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }
        return settings;
    }

    /// <summary>The app with some services replaced, and an admin client for it.</summary>
    private static (WebApplicationFactory<Program> Factory, HttpClient Admin) WithServices(CrmApp app, Action<IServiceCollection> configure)
    {
        var factory = app.WithWebHostBuilder(b => b.ConfigureServices(configure));
        var admin = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", app.AdminKey);
        return (factory, admin);
    }

    private static async Task RunDueTimerAsync(IServiceProvider services, TimeProvider time)
    {
        await using var scope = services.CreateAsyncScope();
        await ActivatorUtilities.CreateInstance<CampaignsDueJob>(scope.ServiceProvider).RunAsync(new Microsoft.Azure.Functions.Worker.TimerInfo(), null, CancellationToken.None);
    }

    [Fact]
    public async Task Campaign_ToDynamicSegmentAndToList_SendsEachRecipientOnceWithMergedContent()
    {
        await using var app = fixture.NewApp(NoTimers);
        var admin = app.Admin();
        var ada = "ada-" + app.Prefix;
        await (await admin.PostJsonAsync("/api/customers", Customer(ada, "Ada", "O'Hara & Sons", $"{ada}@range.example", extra: new { tier = "gold", consent = new { email = true } })))
            .AssertJsonAsync(HttpStatusCode.Created);
        var gold = (await CustomersAsync(admin, "gold-" + app.Prefix, 1, extra: new { tier = "gold", consent = new { email = true } })).Prepend(ada).ToList();
        var bronze = await CustomersAsync(admin, "bronze-" + app.Prefix, 1);
        var segment = await (await admin.PostJsonAsync("/api/segments", new
        {
            name = "Gold riders",
            rules = new JsonObject { ["match"] = "all", ["rules"] = new JsonArray(new JsonObject { ["field"] = "tier", ["op"] = "in", ["value"] = new JsonArray("gold") }) },
        })).AssertJsonAsync(HttpStatusCode.Created);
        var content = Content("Howdy {{customer.first_name}}", "<p>Hi {{ customer.first_name }} {{customer.last_name}}</p>", "Hi {{customer.first_name}} {{customer.last_name}}");
        var (toSegment, _) = await CreateAsync(admin, new { name = "Gold boots", audience = new { segmentId = segment["id"]!.GetValue<string>() }, content });
        var (toList, _) = await CreateAsync(admin, new { name = "Hand-picked", audience = new { customerIds = new[] { gold[0], bronze[0], gold[0] } }, content });

        await StartAsync(admin, toSegment);
        await StartAsync(admin, toList);
        var segmentDone = await WaitForStateAsync(admin, toSegment, "sent");
        var listDone = await WaitForStateAsync(admin, toList, "sent");
        var segmentOutbox = await OutboxAsync(admin, toSegment);
        var listOutbox = await OutboxAsync(admin, toList);
        var toAda = segmentOutbox.Single(o => o["customArgs"]![CustomArgs.CustomerId]!.GetValue<string>() == ada);
        var log = await (await admin.GetAsync($"/api/customers/{gold[0]}/messages")).AssertJsonAsync();
        var results = await ResultsAsync(admin, toSegment);

        Assert.Equal(new Dictionary<string, int> { [gold[0]] = 1, [gold[1]] = 1 }, PerCustomer(segmentOutbox));
        Assert.Equal(new Dictionary<string, int> { [gold[0]] = 1, [bronze[0]] = 1 }, PerCustomer(listOutbox));
        Assert.Equal("Howdy Ada", toAda["subject"]!.GetValue<string>());
        Assert.Equal("<p>Hi Ada O&#x27;Hara &amp; Sons</p>", toAda["html"]!.GetValue<string>());
        Assert.Equal("Hi Ada O'Hara & Sons", toAda["text"]!.GetValue<string>());
        Assert.Equal(2, segmentDone["progress"]!["sent"]!.GetValue<int>());
        Assert.Equal(2, listDone["audience"]!["listSize"]!.GetValue<int>());
        Assert.Equal(2, log["items"]!.AsArray().Count(m => m!["campaignId"]?.GetValue<string>() is { } c && (c == toSegment || c == toList)));
        Assert.Equal(2, Figure(results, "recipients"));
        Assert.Equal(2, Figure(results, "sent"));
        Assert.Equal(0, Figure(results, "skipped"));
    }

    [Fact]
    public async Task Campaign_SuppressedAndNonConsentingRecipients_AreSkippedWithReasons_AndAnUnsubscribeCounts()
    {
        await using var app = fixture.NewApp(NoTimers);
        var admin = app.Admin();
        var willing = await CustomersAsync(admin, "ok-" + app.Prefix, 2);
        var unwilling = await CustomersAsync(admin, "no-" + app.Prefix, 1, consent: false);
        var suppressed = await CustomersAsync(admin, "sup-" + app.Prefix, 1);
        await (await admin.PostJsonAsync("/api/suppressions", new { address = $"{suppressed[0]}@range.example", channel = "email", reason = "manual" })).AssertJsonAsync(HttpStatusCode.Created);
        var (id, _) = await CreateAsync(admin, new { name = "Fall boots", audience = new { customerIds = willing.Concat(unwilling).Concat(suppressed).Append("nobody-" + app.Prefix) }, content = Content() });

        await StartAsync(admin, id);
        await WaitForStateAsync(admin, id, "sent");
        var outbox = await OutboxAsync(admin, id);
        var unsubscribe = outbox.First()["headers"]!["List-Unsubscribe"]!.GetValue<string>().Trim('<', '>');
        (await admin.PostAsync(new Uri(unsubscribe).PathAndQuery, null)).EnsureSuccessStatusCode();
        var results = await ResultsAsync(admin, id);
        var skipped = await RecipientsAsync(admin, id, "state=skipped");

        Assert.Equal(willing.Order(), PerCustomer(outbox).Keys.Order());
        Assert.Equal(5, Figure(results, "recipients"));
        Assert.Equal(2, Figure(results, "sent"));
        Assert.Equal(3, Figure(results, "skipped"));
        Assert.Equal(1, Figure(results, "unsubscribed"));
        var reasons = results["skippedReasons"]!.AsArray().ToDictionary(r => r!["reason"]!.GetValue<string>(), r => r!["recipients"]!.GetValue<int>());
        Assert.Equal(1, reasons["the customer has not consented to marketing email"]);
        Assert.Equal(1, reasons["the address is suppressed (manual)"]);
        Assert.Equal(1, reasons["the customer no longer exists"]);
        Assert.Equal(3, skipped.Count);
        Assert.All(skipped, r => Assert.False(string.IsNullOrEmpty(r["skipReason"]?.GetValue<string>())));
    }

    [Fact]
    public async Task Campaign_InterruptedMidBatch_ResumesAndSendsEachRecipientExactlyOneMessage()
    {
        // A send cut off by a crash is taken for one at once, not after the five minutes a send may take.
        await using var app = fixture.NewApp(Settings(("Campaigns:SendParallelism", "4"), ("Messaging:SendingTimeout", "00:00:00")));
        var crashBeforeLog = $"crash-{app.Prefix}-03";
        var crashAfterSend = $"crash-{app.Prefix}-07";
        var (_, admin) = WithServices(app, services =>
        {
            services.AddSingleton<IEmailComposer>(sp => new CrashingComposer(crashBeforeLog, ActivatorUtilities.CreateInstance<EmailComposer>(sp)));
            services.AddSingleton<IEmailSender>(sp => new FaultySender(ActivatorUtilities.CreateInstance<OutboxEmailSender>(sp), crashAfterSend));
        });
        var customers = await CustomersAsync(admin, "crash-" + app.Prefix, 12);
        var (id, _) = await CreateAsync(admin, new { name = "Restock", audience = new { customerIds = customers }, content = Content() });

        await StartAsync(admin, id);
        await WaitForStateAsync(admin, id, "sent");
        var outbox = await OutboxAsync(admin, id);
        var results = await ResultsAsync(admin, id);
        var failed = Assert.Single(await RecipientsAsync(admin, id, "state=failed"));
        var logged = new List<int>();
        foreach (var customer in customers)
        {
            var messages = await (await admin.GetAsync($"/api/customers/{customer}/messages")).AssertJsonAsync();
            logged.Add(messages["items"]!.AsArray().Count(m => m!["campaignId"]?.GetValue<string>() == id));
        }

        Assert.Equal(customers.ToDictionary(c => c, _ => 1), PerCustomer(outbox));
        Assert.All(logged, count => Assert.Equal(1, count));
        Assert.Equal(12, Figure(results, "recipients"));
        Assert.Equal(11, Figure(results, "sent"));
        Assert.Equal(1, Figure(results, "failed"));
        Assert.Equal(crashAfterSend, failed["customerId"]!.GetValue<string>());
        Assert.Contains("never gets it twice", failed["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task SharedRequests_WorkersKilledAfterClaimingAndAfterSending_NobodyGetsTwo_AndEveryRecipientIsAccountedFor()
    {
        // Three slices of three; each slice's emails are the same once the links are tokens, so each is one request.
        await using var app = fixture.NewApp(Settings(("Campaigns:BatchSize", "3"), ("Messaging:SendingTimeout", "00:00:00")));
        var (_, admin) = WithServices(app, services =>
            services.AddSingleton<IEmailSender>(sp => new KillingSender(ActivatorUtilities.CreateInstance<OutboxEmailSender>(sp), killBefore: 1, killAfter: 2)));
        var customers = await CustomersAsync(admin, "kill-" + app.Prefix, 9);
        var content = Content("Boots are back", "<p>Howdy, boots are back.</p><p><a href=\"{{links.unsubscribe}}\">Unsubscribe</a></p>");
        var (id, _) = await CreateAsync(admin, new { name = "Restock", audience = new { customerIds = customers }, content });

        await StartAsync(admin, id);
        await WaitForStateAsync(admin, id, "sent");
        var outbox = await OutboxAsync(admin, id);
        var results = await ResultsAsync(admin, id);
        var failed = await RecipientsAsync(admin, id, "state=failed");
        var logged = new List<string>();
        foreach (var customer in customers)
        {
            var messages = await (await admin.GetAsync($"/api/customers/{customer}/messages")).AssertJsonAsync();
            logged.AddRange(messages["items"]!.AsArray().Where(m => m!["campaignId"]?.GetValue<string>() == id).Select(m => m!["status"]!.GetValue<string>()));
        }

        // The request that died before the provider call and the one that died after it look alike
        // to the next worker: both are marked failed, outcome unknown, and neither is sent again.
        Assert.Equal(6, outbox.Count);
        Assert.All(PerCustomer(outbox).Values, count => Assert.Equal(1, count));
        Assert.Equal(2, outbox.Select(o => o["id"]!.GetValue<string>()[..^5]).Distinct().Count());
        Assert.All(outbox, o => Assert.Contains(o["headers"]!["List-Unsubscribe"]!.GetValue<string>().Trim('<', '>'), o["html"]!.GetValue<string>()));
        Assert.Equal(9, Figure(results, "recipients"));
        Assert.Equal(3, Figure(results, "sent"));
        Assert.Equal(6, Figure(results, "failed"));
        Assert.All(failed, r => Assert.Contains("never gets it twice", r["error"]!.GetValue<string>()));
        Assert.Equal(9, logged.Count);
        Assert.Equal(6, logged.Count(s => s == "failed"));
    }

    [Fact]
    public async Task AbTest_OpensForVariantB_ChoosesBSendsItsSubjectToTheRest_AndAttributesRevenue()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(-20));
        using var webhook = new SignedWebhook();
        await using var app = fixture.NewApp(Settings(("Messaging:SendGridWebhookPublicKey", webhook.PublicKey)), time);
        var admin = app.Admin();
        var customers = await CustomersAsync(admin, "ab-" + app.Prefix, 10);
        var (id, _) = await CreateAsync(admin, new
        {
            name = "Boot week",
            audience = new { customerIds = customers },
            content = Content("Boot week"),
            abTest = new { variants = new[] { new { subject = "Fresh boots" }, new { subject = "{{customer.first_name}}, boots for you" } }, testShare = 0.4, metric = "open", decideAfter = "01:00:00" },
        });

        await StartAsync(admin, id);
        var testing = await WaitForStateAsync(admin, id, "testing");
        var variantA = await RecipientsAsync(admin, id, "variant=A");
        var variantB = await RecipientsAsync(admin, id, "variant=B");
        var openedAt = time.GetUtcNow();
        await webhook.PostAsync(admin, time.GetUtcNow(), variantB.Select(r => SignedWebhook.Event("open", openedAt, r["customerId"]!.GetValue<string>(),
            r["messageId"]!.GetValue<string>(), r["customerId"]!.GetValue<string>() + "@range.example")).ToArray());
        await HttpAssertions.EventuallyAsync(async () => (await RecipientsAsync(admin, id, "variant=B")).All(r => r["openedAt"] is not null), "opens applied");
        await RunDueTimerAsync(app.Services, time);
        var stillTesting = await GetAsync(admin, id);
        time.Advance(TimeSpan.FromMinutes(61));
        await RunDueTimerAsync(app.Services, time);
        var sent = await WaitForStateAsync(admin, id, "sent");

        var buyer = variantB[0]["customerId"]!.GetValue<string>();
        time.Advance(TimeSpan.FromDays(10));
        await admin.PostEventsAsync(
            Event(NewId("e"), "order.placed", openedAt.AddDays(2), buyer, Order(NewId("o"), buyer, openedAt.AddDays(2), 120m)),
            Event(NewId("e"), "order.placed", openedAt.AddDays(8), buyer, Order(NewId("o"), buyer, openedAt.AddDays(8), 300m)),
            Event(NewId("e"), "order.placed", openedAt.AddDays(-1), buyer, Order(NewId("o"), buyer, openedAt.AddDays(-1), 50m)));
        await admin.WaitForMetricsAsync(buyer, m => m["metrics"]!["orderCount"]!.GetValue<int>() == 3, "the buyer's orders");
        await (await admin.PostAsync("/api/analytics/refresh", null)).AssertJsonAsync();
        var results = await ResultsAsync(admin, id);
        var outbox = await OutboxAsync(admin, id);
        var rest = outbox.Where(o => !variantA.Concat(variantB).Any(r => r["customerId"]!.GetValue<string>() == o["customArgs"]![CustomArgs.CustomerId]!.GetValue<string>())).ToList();

        Assert.Equal(2, variantA.Count);
        Assert.Equal(2, variantB.Count);
        Assert.Equal("testing", stillTesting["state"]!.GetValue<string>());
        Assert.NotNull(testing["decideAt"]);
        Assert.Equal("B", sent["winner"]!["variant"]!.GetValue<string>());
        var rates = sent["winner"]!["rates"]!.AsArray();
        Assert.Equal(0, rates[0]!["rate"]!.GetValue<double>());
        Assert.Equal(1, rates[1]!["rate"]!.GetValue<double>());
        Assert.Equal(customers.ToDictionary(c => c, _ => 1), PerCustomer(outbox));
        Assert.Equal(6, rest.Count);
        Assert.All(rest, o => Assert.EndsWith(", boots for you", o["subject"]!.GetValue<string>()));
        Assert.All(rest, o => Assert.StartsWith("Rider", o["subject"]!.GetValue<string>()));
        var b = results["variants"]!.AsArray().Single(v => v!["variant"]!.GetValue<string>() == "B")!;
        Assert.Equal(8, b["figures"]!["recipients"]!.GetValue<int>());
        Assert.Equal(2, b["figures"]!["opened"]!.GetValue<int>());
        Assert.Equal(1, Figure(results, "attributedOrders"));
        Assert.Equal(120m, results["totals"]!["attributedRevenue"]!.GetValue<decimal>());
        Assert.Equal(120m, b["figures"]!["attributedRevenue"]!.GetValue<decimal>());
        Assert.Equal(5, results["attributionDays"]!.GetValue<int>());
    }

    [Fact]
    public async Task PauseResumeCancel_StopAndGoOnWithoutSendingAnyoneTwice()
    {
        await using var app = fixture.NewApp(Settings(("Campaigns:SendParallelism", "1"), ("Campaigns:StateCheckInterval", "00:00:00")));
        var (factory, admin) = WithServices(app, services =>
            services.AddSingleton<IEmailSender>(sp => new FaultySender(ActivatorUtilities.CreateInstance<OutboxEmailSender>(sp), null, 3, 5)));
        var sender = (FaultySender)factory.Services.GetRequiredService<IEmailSender>();
        var customers = await CustomersAsync(admin, "pause-" + app.Prefix, 8);
        var (id, _) = await CreateAsync(admin, new { name = "Slow burn", audience = new { customerIds = customers }, content = Content() });

        await StartAsync(admin, id);
        await sender.Reached(3);
        var stale = new HttpRequestMessage(HttpMethod.Post, $"/api/campaigns/{id}/pause");
        stale.Headers.TryAddWithoutValidation("If-Match", "W/\"datetime'2000-01-01T00%3A00%3A00.0000000Z'\"");
        var staleAnswer = await admin.SendAsync(stale);
        var paused = await (await admin.PostAsync($"/api/campaigns/{id}/pause", null)).AssertJsonAsync();
        sender.Release(3);
        var stopped = await WaitForAsync(admin, id, c => c["progress"]!["sent"]!.GetValue<int>() == 3 && c["progress"]!["pending"]!.GetValue<int>() == 5, "stopped after the third");
        await Task.Delay(500);
        var whilePaused = (await OutboxAsync(admin, id)).Count;
        var patchPaused = await admin.PatchAsJsonAsync($"/api/campaigns/{id}", new { throttlePerMinute = 10 }, HttpAssertions.Json);
        await (await admin.PostAsync($"/api/campaigns/{id}/resume", null)).AssertJsonAsync();
        await sender.Reached(5);
        var cancelled = await (await admin.PostAsync($"/api/campaigns/{id}/cancel", null)).AssertJsonAsync();
        sender.Release(5);
        var end = await WaitForAsync(admin, id, c => c["progress"]!["cancelled"]!.GetValue<int>() == 3 && c["progress"]!["sent"]!.GetValue<int>() == 5, "cancelled after the fifth");
        var resumeCancelled = await admin.PostAsync($"/api/campaigns/{id}/resume", null);
        var outbox = await OutboxAsync(admin, id);
        var results = await ResultsAsync(admin, id);

        await staleAnswer.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal("paused", paused["state"]!.GetValue<string>());
        Assert.Equal("paused", stopped["state"]!.GetValue<string>());
        Assert.Equal(3, whilePaused);
        await patchPaused.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("cancelled", cancelled["state"]!.GetValue<string>());
        Assert.Equal("cancelled", end["state"]!.GetValue<string>());
        await resumeCancelled.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(customers.Take(5).ToDictionary(c => c, _ => 1), PerCustomer(outbox));
        Assert.Equal(5, Figure(results, "sent"));
        Assert.Equal(3, Figure(results, "cancelled"));
        Assert.Equal(3, (await RecipientsAsync(admin, id, "state=cancelled")).Count);
    }

    [Fact]
    public async Task Throttle_SendsOneMinutesShareAtATime()
    {
        await using var app = fixture.NewApp(NoTimers);
        var admin = app.Admin();
        var customers = await CustomersAsync(admin, "slow-" + app.Prefix, 5);
        var (id, _) = await CreateAsync(admin, new { name = "Drip", audience = new { customerIds = customers }, content = Content(), throttlePerMinute = 2 });

        var started = await (await admin.PostAsync($"/api/campaigns/{id}/start", null)).AssertJsonAsync(HttpStatusCode.Accepted);
        await WaitForAsync(admin, id, c => c["progress"]?["sent"]?.GetValue<int>() == 2, "first minute's share sent");
        await Task.Delay(1500);
        var later = await GetAsync(admin, id);
        await (await admin.PostAsync($"/api/campaigns/{id}/cancel", null)).AssertJsonAsync();
        var end = await WaitForAsync(admin, id, c => c["progress"]!["cancelled"]!.GetValue<int>() == 3, "the rest cancelled");

        Assert.Equal("sending", started["state"]!.GetValue<string>());
        Assert.Equal("sending", later["state"]!.GetValue<string>());
        Assert.Equal(2, later["progress"]!["sent"]!.GetValue<int>());
        Assert.Equal(3, later["progress"]!["pending"]!.GetValue<int>());
        Assert.Equal(2, later["throttlePerMinute"]!.GetValue<int>());
        Assert.Equal(2, (await OutboxAsync(admin, id)).Count);
        Assert.Equal(2, end["progress"]!["sent"]!.GetValue<int>());
    }

    [Fact]
    public async Task Start_WithSendAtAhead_IsScheduled_AndTheTimerStartsItWhenDue()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = fixture.NewApp(NoTimers, time);
        var admin = app.Admin();
        var customers = await CustomersAsync(admin, "sched-" + app.Prefix, 2);
        var (id, _) = await CreateAsync(admin, new { name = "Sunday", audience = new { customerIds = customers }, content = Content() });

        var scheduled = await StartAsync(admin, id, new { sendAt = time.GetUtcNow().AddHours(1) });
        await RunDueTimerAsync(app.Services, time);
        var early = await GetAsync(admin, id);
        time.Advance(TimeSpan.FromMinutes(61));
        await RunDueTimerAsync(app.Services, time);
        await WaitForStateAsync(admin, id, "sent");

        Assert.Equal("scheduled", scheduled["state"]!.GetValue<string>());
        Assert.Equal("scheduled", early["state"]!.GetValue<string>());
        Assert.Equal(2, (await OutboxAsync(admin, id)).Count);
    }

    [Fact]
    public async Task Campaign_WithATemplate_RendersItForEachRecipient()
    {
        await using var app = fixture.NewApp(NoTimers);
        var admin = app.Admin();
        var customers = await CustomersAsync(admin, "tpl-ok-" + app.Prefix, 3);
        var template = await (await admin.PostJsonAsync("/api/templates", new
        {
            name = "Spring boots " + app.Prefix, category = "marketing", subject = "Howdy {{customer.first_name}}", html = "<p>New boots for {{customer.full_name}}.</p>",
        })).AssertJsonAsync(HttpStatusCode.Created);
        var (id, _) = await CreateAsync(admin, new { name = "Templated", audience = new { customerIds = customers }, content = new { templateId = template["id"]!.GetValue<string>() } });

        await StartAsync(admin, id);
        await WaitForStateAsync(admin, id, "sent");
        var outbox = await OutboxAsync(admin, id);

        Assert.Equal(customers.ToDictionary(c => c, _ => 1), PerCustomer(outbox));
        for (var i = 0; i < customers.Count; i++)
        {
            var email = outbox.Single(o => o["customArgs"]![CustomArgs.CustomerId]!.GetValue<string>() == customers[i]);
            Assert.Equal($"Howdy Rider{i}", email["subject"]!.GetValue<string>());
            Assert.Contains($"New boots for Rider{i} Hand.", email["html"]!.GetValue<string>(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Campaign_WithATemplateThatCannotBeRendered_PausesWithTheReason_AndSendsNothing()
    {
        await using var app = fixture.NewApp(NoTimers);
        var admin = app.Admin();
        var customers = await CustomersAsync(admin, "tpl-" + app.Prefix, 3);
        var (id, _) = await CreateAsync(admin, new { name = "Templated", audience = new { customerIds = customers }, content = new { templateId = "no-such-template-" + app.Prefix } });

        await StartAsync(admin, id);
        var paused = await WaitForStateAsync(admin, id, "paused");
        // One read of every recipient, so a claim made between two filtered reads is not missed by both.
        var recipients = await RecipientsAsync(admin, id);
        var pending = recipients.Where(r => r["state"]!.GetValue<string>() == "pending").ToList();
        var claimed = recipients.Where(r => r["state"]!.GetValue<string>() == "sending").ToList();
        var logged = 0;
        foreach (var customer in customers)
        {
            logged += (await (await admin.GetAsync($"/api/customers/{customer}/messages")).AssertJsonAsync())["items"]!.AsArray().Count;
        }

        // Recipients claimed by batches running side by side when the first render failed keep their
        // claim for the resume, but nothing was logged or sent to anyone.
        Assert.Contains("templateId", paused["error"]!.GetValue<string>());
        Assert.Equal(3, pending.Count + claimed.Count);
        Assert.All(pending, r => Assert.Null(r["messageId"]));
        Assert.Equal(0, logged);
        Assert.Empty(await OutboxAsync(admin, id));
    }

    [Fact]
    public async Task Drafts_BadFieldsAnswer400NamingEachField_EditsNeedTheCurrentETag()
    {
        await using var app = fixture.NewApp(NoTimers);
        var admin = app.Admin();
        var customers = await CustomersAsync(admin, "draft-" + app.Prefix, 1);

        var bad = await (await admin.PostJsonAsync("/api/campaigns", new
        {
            name = "",
            audience = new { segmentId = "no-such-segment", customerIds = customers },
            content = new { subject = "Hi {{customer.nickname}}", html = "<p>x</p>" },
            abTest = new { variants = new[] { new { subject = "Only one" } }, testShare = 1.5 },
            throttlePerMinute = 0,
            attributionDays = 400,
        })).AssertProblemAsync(HttpStatusCode.BadRequest);
        var (id, etag) = await CreateAsync(admin, new { name = "Draft", audience = new { customerIds = customers }, content = Content() });
        var stale = new HttpRequestMessage(HttpMethod.Patch, $"/api/campaigns/{id}") { Content = JsonContent(new { name = "Renamed" }) };
        stale.Headers.TryAddWithoutValidation("If-Match", "W/\"datetime'2000-01-01T00%3A00%3A00.0000000Z'\"");
        var staleAnswer = await admin.SendAsync(stale);
        var current = new HttpRequestMessage(HttpMethod.Patch, $"/api/campaigns/{id}") { Content = JsonContent(new { name = "Renamed", attributionDays = 14 }) };
        current.Headers.TryAddWithoutValidation("If-Match", etag);
        var renamed = await (await admin.SendAsync(current)).AssertJsonAsync();
        var listed = await (await admin.GetAsync("/api/campaigns?state=draft")).AssertJsonAsync();
        var deleted = await admin.DeleteAsync($"/api/campaigns/{id}");
        var gone = await admin.GetAsync($"/api/campaigns/{id}");

        var errors = bad["errors"]!.AsObject().Select(e => e.Key).ToList();
        Assert.Contains("name", errors);
        Assert.Contains("audience", errors);
        Assert.Contains("content.subject", errors);
        Assert.Contains("abTest.variants", errors);
        Assert.Contains("abTest.testShare", errors);
        Assert.Contains("abTest.decideAfter", errors);
        Assert.Contains("throttlePerMinute", errors);
        Assert.Contains("attributionDays", errors);
        await staleAnswer.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal("Renamed", renamed["name"]!.GetValue<string>());
        Assert.Equal(14, renamed["attributionDays"]!.GetValue<int>());
        Assert.Contains(listed["items"]!.AsArray(), c => c!["id"]!.GetValue<string>() == id);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await gone.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    private static StringContent JsonContent(object body) =>
        new(System.Text.Json.JsonSerializer.Serialize(body, HttpAssertions.Json), System.Text.Encoding.UTF8, "application/json");
}
