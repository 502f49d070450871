using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PecosCrm.Core.Storage;
using PecosCrm.Core.Support;
using PecosCrm.Functions.Hosting;
using PecosCrm.IntegrationTests.Infrastructure;

namespace PecosCrm.IntegrationTests.Customers;

/// <summary>One demo store, seeded by the app's own start, shared by the tests that read it.</summary>
public sealed class DemoStoreHost : IAsyncLifetime
{
    public const int Customers = 60;

    private CrmApp? _app;

    public CrmApp App(AzuriteFixture azurite) =>
        _app ??= azurite.NewApp(new Dictionary<string, string?> { ["Demo:Seed"] = "true", ["Demo:Customers"] = Customers.ToString(CultureInfo.InvariantCulture) });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}

[Collection(AzuriteCollection.Name)]
public sealed class DemoDataTests(AzuriteFixture fixture, DemoStoreHost host) : IClassFixture<DemoStoreHost>
{
    [Fact]
    public void Generate_IsDeterministic_SeasonalAndCoversTheCatalogue()
    {
        var now = new DateTimeOffset(2026, 11, 24, 0, 0, 0, TimeSpan.Zero);

        var a = new DemoData(now, 300).Generate();
        var b = new DemoData(now, 300).Generate();

        Assert.Equal(a.Events.Select(e => e.Id), b.Events.Select(e => e.Id));
        Assert.Equal(["Accessories", "Boots", "Denim", "Hats", "Workwear"], a.Products.Select(p => p.Category!).Distinct().Order());
        Assert.All(a.Events, e => Assert.InRange(e.OccurredAt, now.AddYears(-3), now));
        var orders = a.Events.Where(e => e.Type is "order.placed" or "order.delivered").ToList();
        var holiday = orders.Count(e => e.Data.GetProperty("placedAt").GetDateTimeOffset().Month is 11 or 12);
        var summer = orders.Count(e => e.Data.GetProperty("placedAt").GetDateTimeOffset().Month is 6 or 7);
        Assert.True(holiday > summer, $"holiday orders {holiday} should outnumber June-July orders {summer}");
        Assert.Contains(a.Events, e => e.Type == "order.refunded");
        Assert.Contains(a.Events, e => e.Type == "order.cancelled");
        Assert.NotEmpty(a.Links);
    }

    [Fact]
    public async Task FirstStart_SeedsTheStore_ThroughTheApiServices_AndOnlyOnce()
    {
        var app = host.App(fixture);
        var admin = app.Admin();
        var jobs = app.Storage.Table(StorageNames.Tables.Jobs);

        await HttpAssertions.EventuallyAsync(async () => (await jobs.GetEntityIfExistsAsync<TableEntity>("demo", "seeded")).HasValue, "demo data seeded", TimeSpan.FromMinutes(3));

        var customers = await (await admin.GetAsync("/api/customers?limit=500")).AssertJsonAsync();
        Assert.Equal(60, customers["items"]!.AsArray().Count);
        var staff = await (await admin.GetAsync("/api/staff")).AssertJsonAsync();
        Assert.Equal(6, staff["items"]!.AsArray().Count);
        var products = await (await admin.GetAsync("/api/products?limit=500")).AssertJsonAsync();
        Assert.True(products["items"]!.AsArray().Count >= 30);
        var tags = (await (await admin.GetAsync("/api/tags")).AssertJsonAsync())["items"]!;
        Assert.Contains(tags.AsArray(), t => t!["name"]!.GetValue<string>() == "VIP");
        var orders = await (await admin.GetAsync($"/api/orders?from={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddYears(-4).ToString("o"))}&limit=500")).AssertJsonAsync();
        Assert.True(orders["items"]!.AsArray().Count > 60);

        var buyer = customers["items"]!.AsArray().Select(c => c!["id"]!.GetValue<string>()).First();
        var before = (await (await admin.GetAsync($"/api/customers/{buyer}/360")).AssertJsonAsync()).ToJsonString();

        var seeder = app.Services.GetServices<IHostedService>().OfType<DemoSeeder>().Single();
        await seeder.SeedAsync(new DemoData(DateTimeOffset.UtcNow, 60).Generate(), CancellationToken.None);

        var again = await (await admin.GetAsync("/api/customers?limit=500")).AssertJsonAsync();
        Assert.Equal(60, again["items"]!.AsArray().Count);
        var after = await (await admin.GetAsync($"/api/customers/{buyer}/360")).AssertJsonAsync();
        var beforeNode = JsonNode.Parse(before)!;
        Assert.Equal(beforeNode["metrics"]!["orderCount"]!.GetValue<int>(), after["metrics"]!["orderCount"]!.GetValue<int>());
        Assert.Equal(beforeNode["metrics"]!["lifetimeValue"]!.GetValue<decimal>(), after["metrics"]!["lifetimeValue"]!.GetValue<decimal>());
        Assert.Equal(beforeNode["pinnedNotes"]!.AsArray().Count, after["pinnedNotes"]!.AsArray().Count);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/health")).StatusCode);
    }

    [Fact]
    public void SupportScripts_CoverTheDesk_AndNameOnlyWhatExists()
    {
        var scripts = DemoSupport.Tickets;
        var staff = DemoData.Staff.Select(s => s.Name).ToHashSet();
        var articles = DemoSupport.Articles.Select(a => a.Key).ToHashSet();

        Assert.InRange(scripts.Count, 35, 45);
        Assert.Equal(Enum.GetValues<TicketPriority>(), scripts.Select(s => s.Priority).Distinct().Order());
        Assert.Equal(Enum.GetValues<TicketCategory>(), scripts.Select(s => s.Category).Distinct().Order());
        Assert.Equal(Enum.GetValues<TicketChannel>(), scripts.Select(s => s.Channel).Distinct().Order());
        Assert.Contains(scripts, s => s.Assignee is null);
        Assert.All(scripts.Select(s => s.Assignee).Concat(scripts.SelectMany(s => s.Steps).Select(s => s.By)).OfType<string>(), name => Assert.Contains(name, staff));
        Assert.All(scripts.SelectMany(s => s.Steps).OfType<DemoSupport.LinkArticle>(), l => Assert.Contains(l.Article, articles));
        Assert.Equal(scripts.Count, scripts.Select(s => s.Subject).Distinct().Count());
        Assert.InRange(DemoSupport.Articles.Count(a => a.State == ArticleState.Published), 10, 14);
        Assert.Contains(DemoSupport.Articles, a => a.State == ArticleState.Draft);
    }

    [Fact]
    public void SupportRemaining_AfterAnInterruption_ResumesAfterTheLastMessageWritten()
    {
        var script = DemoSupport.Tickets[0];

        var fresh = DemoSupport.Remaining(script, 1);
        var afterFirstReply = DemoSupport.Remaining(script, 2);
        var afterLastMessage = DemoSupport.Remaining(script, 4);

        Assert.IsType<DemoSupport.LinkArticle>(script.Steps[0]);
        Assert.Equal(script.Steps, fresh);
        Assert.Equal(script.Steps.Skip(2), afterFirstReply);
        Assert.Equal([script.Steps[^1]], afterLastMessage);
    }

    [Fact]
    public async Task FirstStart_SeedsTheSupportDesk_OnDemoCustomers_AndSeedingAgainAddsNothing()
    {
        var app = host.App(fixture);
        var admin = app.Admin();
        var jobs = app.Storage.Table(StorageNames.Tables.Jobs);

        await HttpAssertions.EventuallyAsync(async () => (await jobs.GetEntityIfExistsAsync<TableEntity>("demo", "support-seeded")).HasValue, "demo support desk seeded", TimeSpan.FromMinutes(5));

        var tickets = await TicketsAsync(admin);
        Assert.InRange(tickets.Count, 35, DemoSupport.Tickets.Count);
        Assert.Equal(["closed", "in_progress", "open", "pending_customer", "resolved"], tickets.Select(t => t["status"]!.GetValue<string>()).Distinct().Order());
        Assert.All(tickets, t => Assert.StartsWith("cust-", t["customerId"]!.GetValue<string>(), StringComparison.Ordinal));
        Assert.Contains(tickets, t => t["assigneeId"] is null);
        Assert.Contains(tickets, t => t["csat"] is not null && t["articleIds"]!.AsArray().Count > 0);
        var withOrder = tickets.First(t => t["orderId"] is not null);
        var order = await (await admin.GetAsync($"/api/orders/{withOrder["orderId"]}")).AssertJsonAsync();
        Assert.Equal(withOrder["customerId"]!.GetValue<string>(), order["customerId"]!.GetValue<string>());
        var answered = tickets.First(t => t["status"]!.GetValue<string>() == "resolved" && t["sla"]!["firstResponse"]!["achievedAt"] is not null);
        var detail = await (await admin.GetAsync($"/api/tickets/{answered["id"]}")).AssertJsonAsync();
        Assert.Contains(detail["messages"]!.AsArray(), m => m!["author"]!.GetValue<string>() == "staff" && !m["internal"]!.GetValue<bool>());
        var hits = await (await admin.GetAsync("/api/kb/search?q=" + Uri.EscapeDataString("how do I measure my head for a hat"))).AssertJsonAsync();
        Assert.Equal("Hat sizing: measuring your head and reading hat sizes", hits["items"]![0]!["title"]!.GetValue<string>());
        var articles = (await (await admin.GetAsync("/api/kb/articles?limit=500")).AssertJsonAsync())["items"]!.AsArray();
        Assert.Equal(DemoSupport.Articles.Count, articles.Count);

        Assert.True(await app.Services.GetRequiredService<DemoSupportSeeder>().SeedAsync(DemoStoreHost.Customers, CancellationToken.None));

        var again = await TicketsAsync(admin);
        Assert.Equal(tickets.Select(t => t["id"]!.GetValue<string>()).Order(), again.Select(t => t["id"]!.GetValue<string>()).Order());
        Assert.Equal(tickets.Select(t => t["updatedAt"]!.GetValue<DateTimeOffset>()).Order(), again.Select(t => t["updatedAt"]!.GetValue<DateTimeOffset>()).Order());
        Assert.Equal(articles.Count, (await (await admin.GetAsync("/api/kb/articles?limit=500")).AssertJsonAsync())["items"]!.AsArray().Count);
    }

    /// <summary>Every ticket, as the desk's status lists show them.</summary>
    private static async Task<List<JsonNode>> TicketsAsync(HttpClient admin)
    {
        var tickets = new List<JsonNode>();
        foreach (var status in new[] { "open", "in_progress", "pending_customer", "resolved", "closed" })
        {
            tickets.AddRange((await (await admin.GetAsync($"/api/tickets?status={status}&limit=500")).AssertJsonAsync())["items"]!.AsArray().Select(t => t!));
        }
        return tickets;
    }
}
