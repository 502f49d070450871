using System.Net;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PecosCrm.Core.Loyalty;
using PecosCrm.Core.Storage;
using PecosCrm.IntegrationTests.Campaigns;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;

namespace PecosCrm.IntegrationTests.Messaging;

/// <summary>Text typed in place (one-off emails, campaigns, automation steps and task titles) is filled like a template and checked like one.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class MergeFieldsTests(AzuriteFixture fixture)
{
    private static readonly Dictionary<string, string?> NoTimers = new() { ["Hosting:RunTimers"] = "false" };

    private static async Task<string> CustomerAsync(CrmApp app, string id, long points = 0)
    {
        await (await app.Admin().PostJsonAsync("/api/customers", Customer(id, "Wade", "Boone", $"{id}@example.com", extra: new { consent = new { email = true } })))
            .AssertJsonAsync(HttpStatusCode.Created);
        if (points > 0)
        {
            await app.Services.GetRequiredService<PointsLedger>().ChangeAsync(id, points, "seed-" + id, "opening balance", "test");
        }
        return id;
    }

    private static async Task<List<JsonNode>> OutboxToAsync(HttpClient admin, string customerId, int expect)
    {
        List<JsonNode> mine = [];
        await HttpAssertions.EventuallyAsync(async () =>
        {
            var outbox = await (await admin.GetAsync("/api/outbox?limit=500")).AssertJsonAsync();
            mine = outbox["items"]!.AsArray().Where(i => i!["to"]!.GetValue<string>() == $"{customerId}@example.com").Select(i => i!).ToList();
            return mine.Count >= expect;
        }, $"{expect} emails to {customerId}");
        return mine;
    }

    private static string[] Errors(JsonObject problem, string field) =>
        problem["errors"]![field]!.AsArray().Select(e => e!.GetValue<string>()).ToArray();

    [Fact]
    public async Task OneOffEmail_FillsMergeFields_AndTheLoyaltyBalance()
    {
        await using var app = fixture.NewApp(NoTimers);
        var admin = app.Admin();
        var id = await CustomerAsync(app, "oneoff-" + app.Prefix, points: 1200);

        await (await admin.PostJsonAsync("/api/messages/email", new
        {
            customerId = id, subject = "Howdy {{customer.first_name}}", html = "<p>{{customer.first_name}}, you hold {{loyalty.points}} points.</p>",
        })).AssertJsonAsync(HttpStatusCode.Accepted);
        var sent = Assert.Single(await OutboxToAsync(admin, id, 1));

        Assert.Equal("Howdy Wade", sent["subject"]!.GetValue<string>());
        Assert.Contains("Wade, you hold 1200 points.", sent["html"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain("{{", sent["text"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OneOffEmail_UnknownVariable_Is400NamingTheFieldAndTheVariable()
    {
        var app = fixture.App;
        var id = await CustomerAsync(app, NewId("badvar"));

        var response = await app.Admin().PostJsonAsync("/api/messages/email", new { customerId = id, subject = "Howdy {{customer.frist_name}}", text = "Hi" });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains(Errors(problem, "subject"), e => e.Contains("customer.frist_name", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Campaign_AbSubjectsAndBody_AreFilledForEachRecipient_AndBadVariablesAreRefusedOnSave()
    {
        await using var app = fixture.NewApp(NoTimers);
        var admin = app.Admin();
        var customers = await CampaignTestKit.CustomersAsync(admin, "merge-" + app.Prefix, 4);
        var bad = await admin.PostJsonAsync("/api/campaigns", new
        {
            name = "Bad", audience = new { customerIds = customers },
            content = CampaignTestKit.Content(subject: "Hi {{customer.nickname}}"),
        });
        var (id, _) = await CampaignTestKit.CreateAsync(admin, new
        {
            name = "Variants " + app.Prefix,
            audience = new { customerIds = customers },
            content = CampaignTestKit.Content(subject: "Boots", html: "<p>Howdy {{customer.first_name}} from {{store.name}}</p>"),
            abTest = new
            {
                variants = new[] { new { subject = "Variant A for {{customer.first_name}}" }, new { subject = "Variant B for {{customer.first_name}}" } },
                testShare = 0.5, metric = "open", decideAfter = "01:00:00",
            },
        });

        await CampaignTestKit.StartAsync(admin, id);
        await CampaignTestKit.WaitForStateAsync(admin, id, "testing");
        var sent = await CampaignTestKit.OutboxAsync(admin, id);

        var problem = await bad.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains(Errors(problem, "content.subject"), e => e.Contains("customer.nickname", StringComparison.Ordinal));
        Assert.NotEmpty(sent);
        Assert.All(sent, s =>
        {
            Assert.Matches("^Variant [AB] for Rider[0-9]$", s["subject"]!.GetValue<string>());
            Assert.Contains("Howdy Rider", s["html"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.DoesNotContain("{{", s["html"]!.GetValue<string>(), StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Automation_InlineEmailStepAndTaskTitle_AreFilled_AndABadTaskTitleIsRefusedOnSave()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 10, 17, 0, 0, TimeSpan.Zero));
        await using var app = fixture.NewApp(new Dictionary<string, string?> { ["Hosting:RunTimers"] = "false" }, time);
        var admin = app.Admin();
        var id = await CustomerAsync(app, "flow-" + app.Prefix, points: 1200);
        JsonObject Node(string nodeId, string type, object fields)
        {
            var node = (JsonObject)System.Text.Json.JsonSerializer.SerializeToNode(fields, HttpAssertions.Json)!;
            node["id"] = nodeId;
            node["type"] = type;
            return node;
        }
        object Flow(string title) => new
        {
            name = "Merge " + app.Prefix + title.Length,
            trigger = new { kind = "manual" },
            nodes = new[]
            {
                Node("start", "trigger", new { next = "mail" }),
                Node("mail", "send_email", new { subject = "{{customer.first_name}}, a gift", text = "You hold {{loyalty.points}} points.", next = "task" }),
                Node("task", "action", new { action = "create_task", taskTitle = title, next = "done" }),
                Node("done", "end", new { }),
            },
        };
        var refused = await admin.PostJsonAsync("/api/automations", Flow("Call {{customer.frist_name}}"));
        var created = await (await admin.PostJsonAsync("/api/automations", Flow("Call {{customer.first_name}} {{customer.last_name}}"))).AssertJsonAsync(HttpStatusCode.Created);
        var workflowId = created["id"]!.GetValue<string>();
        await (await admin.PostAsync($"/api/automations/{workflowId}/activate", null)).AssertJsonAsync();

        await (await admin.PostJsonAsync($"/api/automations/{workflowId}/enrol", new { customerId = id })).AssertJsonAsync();
        var sent = Assert.Single(await OutboxToAsync(admin, id, 1));
        List<TableEntity> tasks = [];
        await HttpAssertions.EventuallyAsync(async () =>
        {
            tasks = [];
            await foreach (var row in app.Storage.Table(StorageNames.Tables.Tasks).QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"CustomerId eq {id}")))
            {
                tasks.Add(row);
            }
            return tasks.Count > 0;
        }, "the task");

        var problem = await refused.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains(Errors(problem, "nodes[task].taskTitle"), e => e.Contains("customer.frist_name", StringComparison.Ordinal));
        Assert.Equal("Wade, a gift", sent["subject"]!.GetValue<string>());
        Assert.Contains("You hold 1200 points.", sent["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("Call Wade Boone", Assert.Single(tasks).GetString("Title"));
    }
}
