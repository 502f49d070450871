using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PecosCrm.Core.Automation;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;

namespace PecosCrm.IntegrationTests.Automation;

[Collection(AzuriteCollection.Name)]
public sealed class AutomationTests(AzuriteFixture fixture)
{
    /// <summary>11:00 in Chicago: outside quiet hours, so sends go at once.</summary>
    private static readonly DateTimeOffset Start = new(2026, 3, 10, 16, 0, 0, TimeSpan.Zero);

    /// <summary>The waits these tests span (up to 7 days) stay single timers: no hops to bring forward one by one.</summary>
    internal static Dictionary<string, string?> Settings(params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Hosting:RunTimers"] = "false",
            ["Automation:Engine:MaximumTimerInterval"] = "400.00:00:00",
            ["Automation:Engine:MaxQueuePollingInterval"] = "00:00:00.500",
        };
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }
        return settings;
    }

    private static (CrmApp App, FakeTimeProvider Time, TimerForwarder Timers) NewApp(AzuriteFixture fixture, DateTimeOffset? start = null, string? prefix = null,
        TimerForwarder? timers = null, params (string Key, string Value)[] settings)
    {
        var time = timers?.Time ?? new FakeTimeProvider(start ?? Start);
        timers ??= new TimerForwarder(time);
        var app = fixture.NewApp(Settings(settings), time, prefix, timers.AddTo);
        return (app, time, timers);
    }

    private static JsonObject Node(string id, string type, object? fields = null)
    {
        var node = fields is null ? new JsonObject() : (JsonObject)System.Text.Json.JsonSerializer.SerializeToNode(fields, HttpAssertions.Json)!;
        node["id"] = id;
        node["type"] = type;
        return node;
    }

    private static async Task<string> CreateActiveAsync(HttpClient admin, object definition)
    {
        var created = await (await admin.PostJsonAsync("/api/automations", definition)).AssertJsonAsync(HttpStatusCode.Created);
        var id = created["id"]!.GetValue<string>();
        await (await admin.PostAsync($"/api/automations/{id}/activate", null)).AssertJsonAsync();
        return id;
    }

    private static async Task CustomerAsync(HttpClient admin, string id, bool consent = true) =>
        await (await admin.PostJsonAsync("/api/customers", Customer(id, "Cody", "Reyes", $"{id}@example.com", extra: new { consent = new { email = consent }, timeZone = "America/Chicago" })))
            .AssertJsonAsync(HttpStatusCode.Created);

    private static async Task<JsonNode> InstanceOfAsync(HttpClient admin, string workflowId, string customerId, Func<JsonNode, bool> until, string what)
    {
        JsonNode? found = null;
        await HttpAssertions.EventuallyAsync(async () =>
        {
            var response = await admin.GetAsync($"/api/customers/{customerId}/automations");
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return false;
            }
            var list = (await response.AssertJsonAsync())["items"]!;
            var summary = list.AsArray().FirstOrDefault(i => i!["workflowId"]!.GetValue<string>() == workflowId);
            if (summary is null)
            {
                return false;
            }
            found = await (await admin.GetAsync($"/api/automations/instances/{summary["id"]}")).AssertJsonAsync();
            return until(found);
        }, what);
        return found!;
    }

    private static async Task<List<string>> SubjectsToAsync(HttpClient admin, string customerId, int? expect = null)
    {
        if (expect is { } count)
        {
            await HttpAssertions.EventuallyAsync(async () => (await SubjectsToAsync(admin, customerId)).Count >= count, $"{count} emails in the outbox");
        }
        var outbox = await (await admin.GetAsync("/api/outbox?limit=500")).AssertJsonAsync();
        return outbox["items"]!.AsArray().Where(i => i!["to"]!.GetValue<string>() == $"{customerId}@example.com").Select(i => i!["subject"]!.GetValue<string>()).ToList();
    }


    private static object WelcomeSeries(string name) => new
    {
        name,
        trigger = new { kind = "event", @event = "customer.created" },
        nodes = new[]
        {
            Node("start", "trigger", new { next = "welcome" }),
            Node("welcome", "send_email", new { templateId = "welcome-1", next = "wait3" }),
            Node("wait3", "wait", new { duration = "3.00:00:00", next = "story" }),
            Node("story", "send_email", new { templateId = "welcome-2-our-story", next = "wait4" }),
            Node("wait4", "wait", new { duration = "4.00:00:00", next = "offer" }),
            Node("offer", "send_email", new { templateId = "welcome-3-first-order-offer", next = "done" }),
            Node("done", "end"),
        },
    };

    [Fact]
    public async Task WelcomeSeries_ThreeEmailsOverSevenDays_RunsInSecondsOnAMovedClock()
    {
        var (app, time, timers) = NewApp(fixture);
        await using var _ = app;
        var admin = app.Admin();
        var workflowId = await CreateActiveAsync(admin, WelcomeSeries("Welcome " + app.Prefix));
        var id = "welcome-" + app.Prefix;

        await admin.PostEventsAsync(Event(NewId("e"), "customer.created", Start, id,
            (JsonObject)System.Text.Json.JsonSerializer.SerializeToNode(Customer(id, "Cody", "Reyes", $"{id}@example.com", extra: new { consent = new { email = true }, timeZone = "America/Chicago" }), HttpAssertions.Json)!));
        await InstanceOfAsync(admin, workflowId, id, i => i["status"]!.GetValue<string>() == "waiting", "first email sent, waiting 3 days");
        var afterDay0 = await SubjectsToAsync(admin, id, 1);
        var view = await (await admin.GetAsync($"/api/customers/{id}/360")).AssertJsonAsync();
        await timers.AdvanceAsync(TimeSpan.FromDays(3));
        await InstanceOfAsync(admin, workflowId, id, i => i["node"]!.GetValue<string>() == "wait4" && i["status"]!.GetValue<string>() == "waiting", "second email sent");
        var afterDay3 = await SubjectsToAsync(admin, id, 2);
        await timers.AdvanceAsync(TimeSpan.FromDays(4));
        var done = await InstanceOfAsync(admin, workflowId, id, i => i["status"]!.GetValue<string>() == "completed", "series completed");
        var afterDay7 = await SubjectsToAsync(admin, id, 3);
        var timeline = await (await admin.GetAsync($"/api/customers/{id}/timeline?type=automation")).AssertJsonAsync();

        Assert.Single(afterDay0);
        Assert.Equal(workflowId, view["automations"]![0]!["workflowId"]!.GetValue<string>());
        Assert.Equal("waiting", view["automations"]![0]!["status"]!.GetValue<string>());
        Assert.Equal(2, afterDay3.Count);
        Assert.Equal(3, afterDay7.Count);
        Assert.Equal(3, done["history"]!.AsArray().Count(h => h!["type"]!.GetValue<string>() == "send_email" && h["outcome"]!.GetValue<string>().Contains("queued", StringComparison.Ordinal)));
        Assert.Contains(timeline["items"]!.AsArray(), e => e!["title"]!.GetValue<string>().StartsWith("Entered automation", StringComparison.Ordinal));
        Assert.Contains(timeline["items"]!.AsArray(), e => e!["title"]!.GetValue<string>().StartsWith("Left automation", StringComparison.Ordinal));
    }

    /// <summary>
    /// Pins what a simple flow asks of the engine: each step is one activity call (the send begins the
    /// wait after it; the last send ends the instance), and no activity loads the version. Read from
    /// the engine's own history rows of the finished instance, and the app's rows and counters show
    /// every step as before.
    /// </summary>
    [Fact]
    public async Task SendWaitSendEnd_TwoActivityCallsInTheEnginesHistory_WithEveryStepInTheAppsHistoryAndCounters()
    {
        var (app, _, timers) = NewApp(fixture);
        await using var __ = app;
        var admin = app.Admin();
        var workflowId = await CreateActiveAsync(admin, new
        {
            name = "Cost " + app.Prefix,
            trigger = new { kind = "manual" },
            nodes = new[]
            {
                Node("start", "trigger", new { next = "hello" }),
                Node("hello", "send_email", new { subject = "Hello", html = "<p>Hello.</p>", next = "pause" }),
                Node("pause", "wait", new { duration = "1.00:00:00", next = "again" }),
                Node("again", "send_email", new { subject = "Again", html = "<p>Again.</p>", next = "done" }),
                Node("done", "end"),
            },
        });
        var id = "cost-" + app.Prefix;
        await CustomerAsync(admin, id);
        await (await admin.PostJsonAsync($"/api/automations/{workflowId}/enrol", new { customerId = id })).AssertJsonAsync();
        var waiting = await InstanceOfAsync(admin, workflowId, id, i => i["status"]!.GetValue<string>() == "waiting", "first email sent, waiting a day");
        await timers.AdvanceAsync(TimeSpan.FromDays(1));
        var done = await InstanceOfAsync(admin, workflowId, id, i => i["status"]!.GetValue<string>() == "completed", "completed");
        var events = await EngineEventsAsync(app, done["id"]!.GetValue<string>());
        var counters = await app.Services.GetRequiredService<AutomationCounters>().CountersAsync(workflowId);

        Assert.Equal("pause", waiting["node"]!.GetValue<string>());
        Assert.Equal([AutomationActivities.Send, AutomationActivities.Send], events.Where(e => e.Type == "TaskScheduled").Select(e => e.Name).ToArray());
        Assert.Single(events, e => e.Type == "TimerCreated");
        Assert.Equal(["start", "hello", "pause", "pause", "again", "done"], done["history"]!.AsArray().Select(h => h!["node"]!.GetValue<string>()).ToArray());
        Assert.Equal(["trigger", "send_email", "wait", "wait", "send_email", "end"], done["history"]!.AsArray().Select(h => h!["type"]!.GetValue<string>()).ToArray());
        Assert.Equal(2, (await SubjectsToAsync(admin, id, 2)).Count);
        Assert.Equal(1, counters["step:hello:sent"]);
        Assert.Equal(1, counters["step:again:sent"]);
        Assert.Equal(1, counters["step:pause:entered"]);
        Assert.Equal(1, counters["step:done:entered"]);
        Assert.Equal(1, counters["completed"]);
    }

    /// <summary>The engine's history events (type and name) of an instance, once the orchestration completed.</summary>
    private async Task<List<(string Type, string Name)>> EngineEventsAsync(CrmApp app, string instanceId)
    {
        var history = new Azure.Data.Tables.TableClient(fixture.ConnectionString, app.Services.GetRequiredService<PecosCrm.Functions.Automation.AutomationEngine>().TaskHub + "History");
        var events = new List<(string Type, string Name)>();
        await HttpAssertions.EventuallyAsync(async () =>
        {
            events.Clear();
            await foreach (var row in history.QueryAsync<Azure.Data.Tables.TableEntity>(Azure.Data.Tables.TableClient.CreateQueryFilter($"PartitionKey eq {instanceId}")))
            {
                events.Add((row.GetString("EventType") ?? "", row.GetString("Name") ?? ""));
            }
            return events.Any(e => e.Type == "ExecutionCompleted");
        }, "the orchestration completed in the engine");
        return events;
    }

    /// <summary>A plain wait right after the trigger is begun by the enrolment itself: the flow's only activity call is its send.</summary>
    [Fact]
    public async Task WaitRightAfterTheTrigger_BegunAtEnrolment_TheSendIsTheOnlyActivityCall()
    {
        var (app, _, timers) = NewApp(fixture);
        await using var __ = app;
        var admin = app.Admin();
        var workflowId = await CreateActiveAsync(admin, new
        {
            name = "Wait first " + app.Prefix,
            trigger = new { kind = "manual" },
            nodes = new[]
            {
                Node("start", "trigger", new { next = "pause" }),
                Node("pause", "wait", new { duration = "02:00:00", next = "hello" }),
                Node("hello", "send_email", new { subject = "Hello", html = "<p>Hello.</p>", next = "done" }),
                Node("done", "end"),
            },
        });
        var id = "waitfirst-" + app.Prefix;
        await CustomerAsync(admin, id);
        await (await admin.PostJsonAsync($"/api/automations/{workflowId}/enrol", new { customerId = id })).AssertJsonAsync();
        var waiting = await InstanceOfAsync(admin, workflowId, id, i => i["status"]!.GetValue<string>() == "waiting", "waiting two hours");
        await timers.AdvanceAsync(TimeSpan.FromHours(2));
        var done = await InstanceOfAsync(admin, workflowId, id, i => i["status"]!.GetValue<string>() == "completed", "completed");
        var events = await EngineEventsAsync(app, done["id"]!.GetValue<string>());
        var counters = await app.Services.GetRequiredService<AutomationCounters>().CountersAsync(workflowId);

        Assert.Equal("pause", waiting["node"]!.GetValue<string>());
        Assert.Equal(Start.AddHours(2), waiting["wakeAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal([AutomationActivities.Send], events.Where(e => e.Type == "TaskScheduled").Select(e => e.Name).ToArray());
        Assert.Equal(["start", "pause", "pause", "hello", "done"], done["history"]!.AsArray().Select(h => h!["node"]!.GetValue<string>()).ToArray());
        Assert.Equal("waited", done["history"]![2]!["outcome"]!.GetValue<string>());
        Assert.Single(await SubjectsToAsync(admin, id, 1));
        Assert.Equal(1, counters["step:pause:entered"]);
        Assert.Equal(1, counters["enrolled"]);
        Assert.Equal(1, counters["completed"]);
    }

    private static object AbandonedCart(string name) => new
    {
        name,
        trigger = new { kind = "event", @event = "cart.abandoned", filters = new[] { new { path = "value", op = "gt", value = 50 } } },
        goalEvent = "order.placed",
        nodes = new[]
        {
            Node("start", "trigger", new { next = "wait1h" }),
            Node("wait1h", "wait", new { duration = "01:00:00", next = "forgot" }),
            Node("forgot", "send_email", new { subject = "Forgot something?", html = "<p>Your boots are still in your cart.</p>", next = "purchased" }),
            Node("purchased", "condition", new { test = "ordered", yes = "end-bought", no = "wait24h" }),
            Node("end-bought", "end"),
            Node("wait24h", "wait", new { duration = "1.00:00:00", next = "code" }),
            Node("code", "action", new { action = "discount_code", discountKind = "percent", discountValue = 10, validDays = 7, next = "tenoff" }),
            Node("tenoff", "send_email", new { subject = "10% off your cart", html = "<p>Here is 10% off.</p>", next = "end-sent" }),
            Node("end-sent", "end"),
        },
    };

    [Fact]
    public async Task AbandonedCart_FollowsTheRoadmapDiagram_FilterConsentAndAGoalEndingAnInstanceMidWait()
    {
        var (app, time, timers) = NewApp(fixture);
        await using var _ = app;
        var admin = app.Admin();
        var workflowId = await CreateActiveAsync(admin, AbandonedCart("Cart " + app.Prefix));
        var (full, small, buyer, unsubscribed) = ($"full-{app.Prefix}", $"small-{app.Prefix}", $"buyer-{app.Prefix}", $"unsub-{app.Prefix}");
        foreach (var c in new[] { full, small, buyer })
        {
            await CustomerAsync(admin, c);
        }
        await CustomerAsync(admin, unsubscribed, consent: false);
        JsonObject Cart(decimal value) => new() { ["cartId"] = NewId("cart"), ["value"] = value, ["items"] = new JsonArray(new JsonObject { ["productId"] = "p-1", ["quantity"] = 1 }) };

        await admin.PostEventsAsync(
            Event(NewId("e"), "cart.abandoned", Start, full, Cart(80)),
            Event(NewId("e"), "cart.abandoned", Start, small, Cart(30)),
            Event(NewId("e"), "cart.abandoned", Start, buyer, Cart(120)),
            Event(NewId("e"), "cart.abandoned", Start, unsubscribed, Cart(90)));
        await InstanceOfAsync(admin, workflowId, full, i => i["status"]!.GetValue<string>() == "waiting", "full cart enrolled");
        await InstanceOfAsync(admin, workflowId, buyer, i => i["status"]!.GetValue<string>() == "waiting", "buyer enrolled");
        await timers.AdvanceAsync(TimeSpan.FromHours(1));
        await InstanceOfAsync(admin, workflowId, full, i => i["node"]!.GetValue<string>() == "wait24h", "first reminder sent");
        await InstanceOfAsync(admin, workflowId, buyer, i => i["node"]!.GetValue<string>() == "wait24h", "buyer's first reminder sent");
        await admin.PostEventsAsync(Event(NewId("e"), "order.placed", time.GetUtcNow(), buyer, Order(NewId("o"), buyer, time.GetUtcNow(), 120m)));
        var bought = await InstanceOfAsync(admin, workflowId, buyer, i => i["status"]!.GetValue<string>() == "goal", "goal ended the buyer's instance mid-wait");
        await timers.AdvanceAsync(TimeSpan.FromDays(1));
        var finished = await InstanceOfAsync(admin, workflowId, full, i => i["status"]!.GetValue<string>() == "completed", "second reminder sent");
        var codes = (await (await admin.GetAsync($"/api/customers/{full}/discount-codes")).AssertJsonAsync())["items"]!;
        var smallInstances = (await (await admin.GetAsync($"/api/customers/{small}/automations")).AssertJsonAsync())["items"]!;
        var unsubscribedInstances = (await (await admin.GetAsync($"/api/customers/{unsubscribed}/automations")).AssertJsonAsync())["items"]!;
        var analytics = await (await admin.GetAsync($"/api/automations/{workflowId}/analytics")).AssertJsonAsync();

        Assert.Equal(["10% off your cart", "Forgot something?"], (await SubjectsToAsync(admin, full, 2)).Order());
        Assert.Equal(["Forgot something?"], await SubjectsToAsync(admin, buyer));
        Assert.Equal(["wait1h", "forgot", "purchased", "wait24h", "code", "tenoff", "end-sent"],
            finished["history"]!.AsArray().Where(h => h!["outcome"]!.GetValue<string>() is not ("sending") && !h["outcome"]!.GetValue<string>().StartsWith("waiting", StringComparison.Ordinal))
                .Select(h => h!["node"]!.GetValue<string>()).Where(n => n != "start").Distinct());
        Assert.Equal("wait24h", bought["node"]!.GetValue<string>());
        Assert.Contains("goal reached", bought["exitReason"]!.GetValue<string>());
        Assert.Single(codes.AsArray());
        Assert.Equal(10m, codes[0]!["value"]!.GetValue<decimal>());
        Assert.Empty(smallInstances.AsArray());
        Assert.Empty(unsubscribedInstances.AsArray());
        Assert.Equal(2, analytics["enrolled"]!.GetValue<long>());
        Assert.Equal(1, analytics["exitedByGoal"]!.GetValue<long>());
        Assert.Equal(1, analytics["completed"]!.GetValue<long>());
        Assert.Equal(3, analytics["emailsSent"]!.GetValue<long>());
        Assert.Equal(0.5, analytics["conversionRate"]!.GetValue<double>());
    }

    [Fact]
    public async Task WorkerKilledBetweenSendAndCheckpoint_EmailIsSentOnce()
    {
        var (app, _, timers) = NewApp(fixture);
        await using var __ = app;
        var admin = app.Admin();
        var workflowId = await CreateActiveAsync(admin, new
        {
            name = "Crash " + app.Prefix,
            trigger = new { kind = "manual" },
            nodes = new[]
            {
                Node("start", "trigger", new { next = "hello" }),
                Node("hello", "send_email", new { subject = "Howdy", text = "Howdy partner", next = "tag" }),
                Node("tag", "action", new { action = "award_points", points = 50, next = "done" }),
                Node("done", "end"),
            },
        });
        var id = "crash-" + app.Prefix;
        await CustomerAsync(admin, id);
        var steps = app.Services.GetRequiredService<AutomationSteps>();
        var crashed = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        // The first run of each side effect dies right after it, before its result is recorded.
        steps.AfterEffect = key => crashed.AddOrUpdate(key, 1, (_, n) => n + 1) == 1 ? throw new IOException("worker killed") : Task.CompletedTask;
        try
        {
            await (await admin.PostJsonAsync($"/api/automations/{workflowId}/enrol", new { customerId = id })).AssertJsonAsync();
            var done = await InstanceOfAsync(admin, workflowId, id, i => i["status"]!.GetValue<string>() == "completed", "completed after the crashes");
            await HttpAssertions.EventuallyAsync(async () => (await SubjectsToAsync(admin, id)).Count >= 1, "email in the outbox");
            var log = await (await admin.GetAsync($"/api/customers/{id}/messages")).AssertJsonAsync();
            var timeline = await (await admin.GetAsync($"/api/customers/{id}/timeline?type=loyalty")).AssertJsonAsync();
            var balance = await (await admin.GetAsync($"/api/customers/{id}")).AssertJsonAsync();

            Assert.Equal(2, crashed.Count);
            Assert.All(crashed.Values, runs => Assert.Equal(2, runs));
            Assert.Equal(["Howdy"], await SubjectsToAsync(admin, id));
            Assert.Single(log["items"]!.AsArray());
            Assert.Single(timeline["items"]!.AsArray());
            Assert.Single(done["history"]!.AsArray(), h => h!["node"]!.GetValue<string>() == "hello" && h["outcome"]!.GetValue<string>().Contains("queued", StringComparison.Ordinal));
        }
        finally
        {
            steps.AfterEffect = null;
        }
    }

    [Fact]
    public async Task AppStoppedMidWait_ANewAppOnTheSameStorageFinishesTheInstance_EachEmailOnce()
    {
        var (first, _, timers) = NewApp(fixture);
        string workflowId, instanceId, key = first.AdminKey, prefix = first.Prefix;
        var id = "restart-" + prefix;
        List<string> beforeRestart;
        await using (first)
        {
            var admin = first.Admin();
            workflowId = await CreateActiveAsync(admin, new
            {
                name = "Restart " + prefix,
                trigger = new { kind = "manual" },
                purpose = "transactional",
                nodes = new[]
                {
                    Node("start", "trigger", new { next = "before" }),
                    Node("before", "send_email", new { subject = "Before the wait", text = "x", next = "wait" }),
                    Node("wait", "wait", new { duration = "2.00:00:00", next = "after" }),
                    Node("after", "send_email", new { subject = "After the wait", text = "x", next = "done" }),
                    Node("done", "end"),
                },
            });
            await CustomerAsync(admin, id);
            var enrolled = await (await admin.PostJsonAsync($"/api/automations/{workflowId}/enrol", new { customerId = id })).AssertJsonAsync();
            instanceId = enrolled["instanceId"]!.GetValue<string>();
            await InstanceOfAsync(admin, workflowId, id, i => i["status"]!.GetValue<string>() == "waiting", "waiting two days");
            beforeRestart = await SubjectsToAsync(admin, id, 1);
        }

        await using var second = NewApp(fixture, prefix: prefix, timers: timers).App;
        var again = second.ClientWithKey(key);
        await (await again.GetAsync($"/api/automations/instances/{instanceId}")).AssertJsonAsync();
        await timers.AdvanceAsync(TimeSpan.FromDays(2));
        var done = await InstanceOfAsync(again, workflowId, id, i => i["status"]!.GetValue<string>() == "completed", "finished by the new app");

        Assert.Equal(["Before the wait"], beforeRestart);
        Assert.Equal(["After the wait", "Before the wait"], (await SubjectsToAsync(again, id, 2)).Order());
        Assert.Equal(2, done["history"]!.AsArray().Count(h => h!["outcome"]!.GetValue<string>().Contains("queued", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Erase_CustomerWaitingInAnAutomation_TheEngineKeepsNothingOfThem()
    {
        var (app, _, _) = NewApp(fixture);
        await using var __ = app;
        var admin = app.Admin();
        var workflowId = await CreateActiveAsync(admin, new
        {
            name = "Erase " + app.Prefix,
            trigger = new { kind = "manual" },
            nodes = new[]
            {
                Node("start", "trigger", new { next = "wait" }),
                Node("wait", "wait", new { duration = "2.00:00:00", next = "done" }),
                Node("done", "end"),
            },
        });
        var id = "erased-" + app.Prefix;
        await CustomerAsync(admin, id);
        await (await admin.PostJsonAsync($"/api/automations/{workflowId}/enrol", new { customerId = id })).AssertJsonAsync();
        await InstanceOfAsync(admin, workflowId, id, i => i["status"]!.GetValue<string>() == "waiting", "waiting");
        var hub = app.Services.GetRequiredService<PecosCrm.Functions.Automation.AutomationEngine>().TaskHub;
        async Task<List<string>> EngineRowsNamingAsync()
        {
            var found = new List<string>();
            foreach (var table in new[] { hub + "History", hub + "Instances" })
            {
                await foreach (var row in new Azure.Data.Tables.TableClient(fixture.ConnectionString, table).QueryAsync<Azure.Data.Tables.TableEntity>())
                {
                    if (string.Join("|", row.Select(p => p.Value?.ToString())).Contains(id, StringComparison.Ordinal))
                    {
                        found.Add($"{table}: {row.PartitionKey} / {row.RowKey}");
                    }
                }
            }
            return found;
        }
        var before = await EngineRowsNamingAsync();

        await (await admin.PostAsync($"/api/customers/{id}/erase", null)).AssertJsonAsync();
        var after = await EngineRowsNamingAsync();

        Assert.NotEmpty(before);
        Assert.Empty(after);
    }

    [Fact]
    public async Task BadGraphs_Answer400NamingTheNode()
    {
        var (app, _, timers) = NewApp(fixture);
        await using var __ = app;
        var admin = app.Admin();

        var problem = await (await admin.PostJsonAsync("/api/automations", new
        {
            name = "Broken",
            trigger = new { kind = "event", @event = "cart.exploded" },
            nodes = new[]
            {
                Node("start", "trigger", new { next = "a" }),
                Node("a", "send_email", new { templateId = "no-such-template", next = "check" }),
                Node("check", "condition", new { test = "ordered", yes = "a" }),
                Node("island", "end"),
                Node("loop1", "action", new { action = "add_tag", tagId = "nope", next = "loop2" }),
                Node("loop2", "split", new { branches = new[] { new { name = "x", share = 0.5, next = "loop1" }, new { name = "y", share = 0.4, next = "ghost" } } }),
            },
        })).AssertProblemAsync(HttpStatusCode.BadRequest);
        var noTrigger = await (await admin.PostJsonAsync("/api/automations", new { name = "No trigger", trigger = new { kind = "manual" }, nodes = new[] { Node("done", "end") } })).AssertProblemAsync(HttpStatusCode.BadRequest);
        var loop = await (await admin.PostJsonAsync("/api/automations", new
        {
            name = "Loop",
            trigger = new { kind = "manual" },
            nodes = new[]
            {
                Node("start", "trigger", new { next = "a" }),
                Node("a", "condition", new { test = "consent_email", yes = "b", no = "done" }),
                Node("b", "send_sms", new { text = "hi", next = "a" }),
                Node("done", "end"),
            },
        })).AssertProblemAsync(HttpStatusCode.BadRequest);

        var keys = problem["errors"]!.AsObject().Select(e => e.Key).ToList();
        Assert.Contains("trigger.event", keys);
        Assert.Contains("nodes[a].templateId", keys);
        Assert.Contains("nodes[check]", keys);
        Assert.Contains("nodes[loop1].tagId", keys);
        Assert.Contains("nodes[loop2]", keys);
        Assert.Contains("nodes[loop2].branches", keys);
        Assert.Contains("nodes", noTrigger["errors"]!.AsObject().Select(e => e.Key));
        Assert.Contains(loop["errors"]!.AsObject(), e => e.Key.StartsWith("nodes[", StringComparison.Ordinal) && e.Value!.ToString().Contains("no wait", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NewVersion_InstancesInFlightFinishOnTheirOwnVersion_AndInstancesCanBeSuspendedResumedTerminatedAndPurged()
    {
        var (app, time, timers) = NewApp(fixture);
        await using var _ = app;
        var admin = app.Admin();
        object Version(string subject) => new
        {
            name = "Versions " + app.Prefix,
            trigger = new { kind = "manual" },
            nodes = new[]
            {
                Node("start", "trigger", new { next = "wait" }),
                Node("wait", "wait", new { duration = "1.00:00:00", next = "mail" }),
                Node("mail", "send_email", new { subject, text = "x", next = "done" }),
                Node("done", "end"),
            },
        };
        var workflowId = await CreateActiveAsync(admin, Version("Version one"));
        var (first, second, third, fourth) = ($"v1-{app.Prefix}", $"v2-{app.Prefix}", $"v3-{app.Prefix}", $"v4-{app.Prefix}");
        foreach (var c in new[] { first, second, third, fourth })
        {
            await CustomerAsync(admin, c);
        }
        await (await admin.PostJsonAsync($"/api/automations/{workflowId}/enrol", new { customerId = first })).AssertJsonAsync();
        var current = await admin.GetAsync($"/api/automations/{workflowId}");
        var save = new HttpRequestMessage(HttpMethod.Put, $"/api/automations/{workflowId}") { Content = System.Net.Http.Json.JsonContent.Create(Version("Version two"), options: HttpAssertions.Json) };
        save.Headers.TryAddWithoutValidation("If-Match", current.Headers.ETag!.ToString());
        var saved = await (await admin.SendAsync(save)).AssertJsonAsync();
        var stale = new HttpRequestMessage(HttpMethod.Put, $"/api/automations/{workflowId}") { Content = System.Net.Http.Json.JsonContent.Create(Version("Version three"), options: HttpAssertions.Json) };
        stale.Headers.TryAddWithoutValidation("If-Match", current.Headers.ETag!.ToString());
        var staleAnswer = await admin.SendAsync(stale);
        await (await admin.PostJsonAsync($"/api/automations/{workflowId}/enrol", new { customerId = second })).AssertJsonAsync();
        var third0 = await (await admin.PostJsonAsync($"/api/automations/{workflowId}/enrol", new { customerId = third })).AssertJsonAsync();
        var again = await (await admin.PostJsonAsync($"/api/automations/{workflowId}/enrol", new { customerId = third })).AssertJsonAsync();
        var thirdId = third0["instanceId"]!.GetValue<string>();
        var fourthId = (await (await admin.PostJsonAsync($"/api/automations/{workflowId}/enrol", new { customerId = fourth })).AssertJsonAsync())["instanceId"]!.GetValue<string>();
        await InstanceOfAsync(admin, workflowId, third, i => i["status"]!.GetValue<string>() == "waiting", "third waiting");
        await InstanceOfAsync(admin, workflowId, fourth, i => i["status"]!.GetValue<string>() == "waiting", "fourth waiting");
        var suspended = await (await admin.PostAsync($"/api/automations/instances/{thirdId}/suspend", null)).AssertJsonAsync();
        await (await admin.PostAsync($"/api/automations/instances/{fourthId}/suspend", null)).AssertJsonAsync();
        await timers.AdvanceAsync(TimeSpan.FromDays(1));
        await InstanceOfAsync(admin, workflowId, first, i => i["status"]!.GetValue<string>() == "completed", "first done");
        await InstanceOfAsync(admin, workflowId, second, i => i["status"]!.GetValue<string>() == "completed", "second done");
        var stillSuspended = await (await admin.GetAsync($"/api/automations/instances/{thirdId}")).AssertJsonAsync();
        var fourthWhileSuspended = await SubjectsToAsync(admin, fourth);
        var resumed = await (await admin.PostAsync($"/api/automations/instances/{fourthId}/resume", null)).AssertJsonAsync();
        var resumedDone = await InstanceOfAsync(admin, workflowId, fourth, i => i["status"]!.GetValue<string>() == "completed", "fourth done after the resume");
        var terminated = await (await admin.PostAsync($"/api/automations/instances/{thirdId}/terminate", null)).AssertJsonAsync();
        var completedList = await (await admin.GetAsync($"/api/automations/{workflowId}/instances?status=completed")).AssertJsonAsync();
        var purged = await (await admin.PostAsync($"/api/automations/{workflowId}/purge", null)).AssertJsonAsync();
        var afterPurge = await (await admin.GetAsync($"/api/automations/{workflowId}/instances")).AssertJsonAsync();

        Assert.Equal(2, saved["version"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.PreconditionFailed, staleAnswer.StatusCode);
        Assert.Equal(["Version one"], await SubjectsToAsync(admin, first, 1));
        Assert.Equal(["Version two"], await SubjectsToAsync(admin, second, 1));
        Assert.Equal(0, again["enrolled"]!.GetValue<int>());
        Assert.Equal("suspended", suspended["status"]!.GetValue<string>());
        Assert.Equal("suspended", stillSuspended["status"]!.GetValue<string>());
        Assert.Empty(await SubjectsToAsync(admin, third));
        Assert.Empty(fourthWhileSuspended);
        Assert.Equal("waiting", resumed["status"]!.GetValue<string>());
        Assert.Equal(["Version two"], await SubjectsToAsync(admin, fourth, 1));
        Assert.Contains(resumedDone["history"]!.AsArray(), h => h!["outcome"]!.GetValue<string>() == "resumed");
        Assert.Equal("terminated", terminated["status"]!.GetValue<string>());
        Assert.Equal(3, completedList["items"]!.AsArray().Count);
        Assert.Equal(4, purged["purged"]!.GetValue<int>());
        Assert.Empty(afterPurge["items"]!.AsArray());
    }

    [Fact]
    public async Task MarketingSend_InQuietHoursWaitsForMorning_AndOverTheFrequencyCapWaitsUntilUnderIt()
    {
        // 04:00 UTC is 22:00 in Chicago (UTC-6 before 8 March): quiet hours.
        var (app, _, timers) = NewApp(fixture, new DateTimeOffset(2026, 3, 5, 4, 0, 0, TimeSpan.Zero), settings: ("Automation:FrequencyCap", "2"));
        await using var __ = app;
        var admin = app.Admin();
        var workflowId = await CreateActiveAsync(admin, new
        {
            name = "Night " + app.Prefix,
            trigger = new { kind = "manual" },
            nodes = new[]
            {
                Node("start", "trigger", new { next = "promo" }),
                Node("promo", "send_email", new { subject = "Late-night boots", text = "Sale", next = "done" }),
                Node("done", "end"),
            },
        });
        var (night, capped) = ($"night-{app.Prefix}", $"capped-{app.Prefix}");
        await CustomerAsync(admin, night);
        await CustomerAsync(admin, capped);
        foreach (var n in new[] { 1, 2 })
        {
            await (await admin.PostJsonAsync("/api/messages/email", new { customerId = capped, subject = $"Earlier {n}", text = "x", purpose = "marketing" })).AssertJsonAsync(HttpStatusCode.Accepted);
        }

        await (await admin.PostJsonAsync($"/api/automations/{workflowId}/enrol", new { customerId = night })).AssertJsonAsync();
        var postponed = await InstanceOfAsync(admin, workflowId, night, i => i["status"]!.GetValue<string>() == "waiting", "postponed for quiet hours");
        await (await admin.PostJsonAsync($"/api/automations/{workflowId}/enrol", new { customerId = capped })).AssertJsonAsync();
        await InstanceOfAsync(admin, workflowId, capped, i => i["status"]!.GetValue<string>() == "waiting", "postponed for quiet hours too");
        await timers.AdvanceAsync(TimeSpan.FromHours(10));
        await InstanceOfAsync(admin, workflowId, night, i => i["status"]!.GetValue<string>() == "completed", "sent in the morning");
        var stillCapped = await InstanceOfAsync(admin, workflowId, capped,
            i => i["status"]!.GetValue<string>() == "waiting" && i["history"]!.AsArray().Last()!["outcome"]!.GetValue<string>().Contains("frequency cap", StringComparison.Ordinal), "over the cap in the morning");
        await timers.AdvanceAsync(TimeSpan.FromDays(7));
        await InstanceOfAsync(admin, workflowId, capped, i => i["status"]!.GetValue<string>() == "completed", "sent once under the cap");

        // 08:00 in Chicago on 5 March is 14:00 UTC.
        Assert.Equal(new DateTimeOffset(2026, 3, 5, 14, 0, 0, TimeSpan.Zero), postponed["wakeAt"]!.GetValue<DateTimeOffset>());
        Assert.Contains("quiet hours", postponed["history"]!.AsArray().Last()!["outcome"]!.GetValue<string>());
        Assert.Equal("waiting", stillCapped["status"]!.GetValue<string>());
        Assert.Equal(["Late-night boots"], await SubjectsToAsync(admin, night, 1));
        Assert.Contains("Late-night boots", await SubjectsToAsync(admin, capped, 3));
    }

    [Fact]
    public async Task WaitUntilEventOrDays_WakesOnTheEvent_OrAfterTheDays_WhicheverFirst()
    {
        var (app, time, timers) = NewApp(fixture);
        await using var _ = app;
        var admin = app.Admin();
        var workflowId = await CreateActiveAsync(admin, new
        {
            name = "Until " + app.Prefix,
            trigger = new { kind = "manual" },
            nodes = new[]
            {
                Node("start", "trigger", new { next = "wait" }),
                Node("wait", "wait", new { untilEvent = "order.placed", duration = "3.00:00:00", next = "check" }),
                Node("check", "condition", new { test = "ordered", yes = "thanks", no = "nudge" }),
                Node("thanks", "send_email", new { subject = "Thanks for your order", text = "x", next = "done" }),
                Node("nudge", "send_email", new { subject = "Still thinking it over?", text = "x", next = "done" }),
                Node("done", "end"),
            },
        });
        var (buyer, browser) = ($"buyer-{app.Prefix}", $"browser-{app.Prefix}");
        await CustomerAsync(admin, buyer);
        await CustomerAsync(admin, browser);
        await (await admin.PostJsonAsync($"/api/automations/{workflowId}/enrol", new { customerId = buyer })).AssertJsonAsync();
        await (await admin.PostJsonAsync($"/api/automations/{workflowId}/enrol", new { customerId = browser })).AssertJsonAsync();
        await InstanceOfAsync(admin, workflowId, buyer, i => i["status"]!.GetValue<string>() == "waiting", "buyer waiting");
        await InstanceOfAsync(admin, workflowId, browser, i => i["status"]!.GetValue<string>() == "waiting", "browser waiting");

        time.Advance(TimeSpan.FromHours(2));
        await admin.PostEventsAsync(Event(NewId("e"), "order.placed", time.GetUtcNow(), buyer, Order(NewId("o"), buyer, time.GetUtcNow(), 90m)));
        var woken = await InstanceOfAsync(admin, workflowId, buyer, i => i["status"]!.GetValue<string>() == "completed", "woken by the order");
        var stillWaiting = await InstanceOfAsync(admin, workflowId, browser, i => i["status"]!.GetValue<string>() == "waiting", "browser still waiting");
        await timers.AdvanceAsync(TimeSpan.FromDays(3));
        await InstanceOfAsync(admin, workflowId, browser, i => i["status"]!.GetValue<string>() == "completed", "browser after three days");

        Assert.Equal(["Thanks for your order"], await SubjectsToAsync(admin, buyer, 1));
        Assert.Equal(["Still thinking it over?"], await SubjectsToAsync(admin, browser, 1));
        Assert.Contains(woken["history"]!.AsArray(), h => h!["outcome"]!.GetValue<string>() == "order.placed happened");
        Assert.Equal("waiting", stillWaiting["status"]!.GetValue<string>());
    }
}
