using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MiniExcelLibs;
using PecosCrm.Core.Reports;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;

namespace PecosCrm.IntegrationTests.Reports;

/// <summary>
/// Reports through the API over orders seeded as store events and copied to the analytical copy.
/// The store's clock is Denver's (the default): an order at 05:00 UTC on 1 March is February's.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ReportsTests(AzuriteFixture fixture)
{
    private static readonly Dictionary<string, string?> NoTimers = new() { ["Hosting:RunTimers"] = "false" };

    private static DateTimeOffset Utc(int month, int day, int hour) => new(2025, month, day, hour, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Reports_RunOverSeededOrders_KeepSnapshots_RefuseBadDefinitions_AndFollowRoles()
    {
        await using var app = fixture.NewApp(NoTimers);
        var admin = app.Admin();
        var (a, b, c) = ($"a-{app.Prefix}", $"b-{app.Prefix}", $"c-{app.Prefix}");
        await SeedAsync(admin,
            (a, Utc(2, 10, 15), 100m, "Boots", "web", null),
            (a, Utc(3, 5, 15), 200m, "Hats", "web", "SPRING"),
            (b, Utc(3, 10, 15), 50m, "Boots", "pos", null),
            (c, Utc(3, 1, 5), 80m, "Boots", "web", null));
        var revenueByMonth = new
        {
            name = "Revenue by month", metric = "revenue", dimensions = new[] { "month" }, filters = Array.Empty<object>(),
            dateRange = new { from = "2025-02-01", to = "2025-03-31" }, chart = "line",
        };

        var created = await admin.PostJsonAsync("/api/reports", revenueByMonth);
        var report = await created.AssertJsonAsync(HttpStatusCode.Created);
        var id = report["id"]!.GetValue<string>();
        var run = await (await admin.PostAsync($"/api/reports/{id}/run", null)).AssertJsonAsync(HttpStatusCode.Created);
        var snapshotId = run["id"]!.GetValue<string>();
        var byChannel = await Preview(admin, "orders", ["channel"], "pie");
        var newByChannel = await Preview(admin, "new_customers", ["channel"], "table");
        var unitsByCategory = await Preview(admin, "units", ["category"], "bar", new { field = "coupon", op = "not_in", values = new[] { "none" } });

        Assert.Equal([("2025-02", 180m), ("2025-03", 250m)], Rows(run["result"]!, "month"));
        Assert.Equal(430m, run["result"]!["total"]!.GetValue<decimal>());
        Assert.Equal("USD", run["result"]!["currency"]!.GetValue<string>());
        Assert.Equal("line", run["result"]!["chart"]!.GetValue<string>());
        Assert.NotNull(run["result"]!["freshness"]!["asOf"]);
        Assert.Equal([("pos", 1m), ("web", 1m)], Rows(byChannel, "channel"));
        Assert.Equal([("pos", 1m)], Rows(newByChannel, "channel"));
        Assert.Equal([("hats", 1m)], Rows(unitsByCategory, "category"));

        // A new definition: the snapshot keeps what ran then.
        var replaced = await admin.SendAsync(new HttpRequestMessage(HttpMethod.Put, $"/api/reports/{id}")
        {
            Content = JsonContent(revenueByMonth with { name = "Orders by month", metric = "orders" }),
            Headers = { { "If-Match", created.Headers.ETag!.ToString() } },
        });
        var stale = await admin.SendAsync(new HttpRequestMessage(HttpMethod.Put, $"/api/reports/{id}")
        {
            Content = JsonContent(revenueByMonth with { name = "Lost" }),
            Headers = { { "If-Match", created.Headers.ETag!.ToString() } },
        });
        var second = await (await admin.PostAsync($"/api/reports/{id}/run", null)).AssertJsonAsync(HttpStatusCode.Created);
        var first = await (await admin.GetAsync($"/api/reports/{id}/snapshots/{snapshotId}")).AssertJsonAsync();
        var snapshots = await (await admin.GetAsync($"/api/reports/{id}/snapshots?limit=10")).AssertJsonAsync();

        Assert.Equal("orders", (await replaced.AssertJsonAsync())["metric"]!.GetValue<string>());
        await stale.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal([("2025-02", 2m), ("2025-03", 2m)], Rows(second["result"]!, "month"));
        Assert.Equal("revenue", first["definition"]!["metric"]!.GetValue<string>());
        Assert.Equal("Revenue by month", first["reportName"]!.GetValue<string>());
        Assert.Equal([("2025-02", 180m), ("2025-03", 250m)], Rows(first["result"]!, "month"));
        Assert.Equal([second["id"]!.GetValue<string>(), snapshotId], snapshots["items"]!.AsArray().Select(s => s!["id"]!.GetValue<string>()));

        // Bad definitions: each problem named, nothing saved.
        var unknown = await admin.PostJsonAsync("/api/reports", new
        {
            name = "Bad", metric = "profit", dimensions = new[] { "colour", "month" }, filters = new[] { new { field = "mood", values = new[] { "x" } } },
            dateRange = new { relative = "last_7_days" }, chart = "pie",
        });
        var unknownField = await admin.PostJsonAsync("/api/reports", new { name = "Bad", metric = "orders", dimensions = new[] { "month" }, dateRange = new { relative = "last_7_days" }, chart = "line", colour = "red" });
        var missingSegment = await admin.PostJsonAsync("/api/reports", new
        {
            name = "Bad", metric = "orders", dimensions = new[] { "month" }, filters = new[] { new { field = "segment", values = new[] { "no-such-segment" } } },
            dateRange = new { relative = "last_7_days" }, chart = "line",
        });
        var list = await (await admin.GetAsync("/api/reports")).AssertJsonAsync();

        var errors = (await unknown.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!.AsObject();
        Assert.Equal(["chart", "dimensions[0]", "filters[0].field", "metric"], errors.Select(e => e.Key).Order());
        Assert.Contains("'profit'", errors["metric"]![0]!.GetValue<string>());
        Assert.Equal("is not a known field", (await unknownField.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!["colour"]![0]!.GetValue<string>());
        Assert.Contains("no such segment", (await missingSegment.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!["filters[0].values"]![0]!.GetValue<string>());
        Assert.Equal([id], list["items"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()));

        // Roles: a viewer reads and runs, an agent sees nothing, neither saves.
        var viewer = (await StaffClient.CreateAsync(app, admin, "viewer")).Client;
        var agent = (await StaffClient.CreateAsync(app, admin, "agent")).Client;
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync($"/api/reports/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await viewer.PostAsync($"/api/reports/{id}/run", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostJsonAsync("/api/reports", revenueByMonth)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.DeleteAsync($"/api/reports/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.GetAsync("/api/reports")).StatusCode);
        var audit = await (await admin.GetAsync($"/api/audit?entityType=report&entityId={id}")).AssertJsonAsync();
        Assert.Equal(["report.created", "report.ran", "report.ran", "report.ran", "report.updated"],
            audit["items"]!.AsArray().Select(e => e!["action"]!.GetValue<string>()).Order());
    }

    [Fact]
    public async Task ScheduledRuns_TimerTwice_EmailEachReportOnce_WithTheRowsAttached()
    {
        await using var sendGrid = await RecordingEndpoint.StartAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = fixture.NewApp(new Dictionary<string, string?>(NoTimers)
        {
            ["Messaging:SendGridApiKey"] = "SG.test-key",
            ["Messaging:SendGridApiHost"] = sendGrid.Url,
        }, time);
        var admin = app.Admin();
        var (a, b) = ($"a-{app.Prefix}", $"b-{app.Prefix}");
        await SeedAsync(admin, (a, Utc(3, 5, 15), 200m, "Hats", "web", null), (b, Utc(3, 10, 15), 50.25m, "Boots", "pos", null));
        object Definition(string name, string format) => new
        {
            name, metric = "revenue", dimensions = new[] { "channel" }, dateRange = new { from = "2025-03-01", to = "2025-03-31" }, chart = "bar",
            schedule = new { frequency = "weekly", dayOfWeek = "monday", hour = 7, recipients = new[] { "owner@pecos.example" }, format },
        };
        var csvReport = await (await admin.PostJsonAsync("/api/reports", Definition("Weekly channels", "csv"))).AssertJsonAsync(HttpStatusCode.Created);
        var xlsxReport = await (await admin.PostJsonAsync("/api/reports", Definition("Weekly channels xlsx", "xlsx"))).AssertJsonAsync(HttpStatusCode.Created);
        var due = csvReport["nextRunAt"]!.GetValue<DateTimeOffset>();
        var schedules = app.Services.GetRequiredService<ReportSchedules>();

        var early = await schedules.RunDueAsync();
        time.SetUtcNow(due.AddMinutes(2));
        var firstSweep = await schedules.RunDueAsync();
        var secondSweep = await schedules.RunDueAsync();

        Assert.Empty(early);
        Assert.Equal(DayOfWeek.Monday, TimeZoneInfo.ConvertTime(due, TimeZoneInfo.FindSystemTimeZoneById("America/Denver")).DayOfWeek);
        Assert.Equal(7, TimeZoneInfo.ConvertTime(due, TimeZoneInfo.FindSystemTimeZoneById("America/Denver")).Hour);
        Assert.Equal(2, firstSweep.Count);
        Assert.Empty(secondSweep);
        var emails = sendGrid.Requests.Select(r => JsonNode.Parse(r.Body)!).ToList();
        Assert.Equal(2, emails.Count);
        var csvMail = emails.Single(e => Subject(e).StartsWith("Weekly channels:", StringComparison.Ordinal));
        var csvFile = csvMail["attachments"]![0]!;
        Assert.Equal("weekly-channels-2025-03-31.csv", csvFile["filename"]!.GetValue<string>());
        var csv = Encoding.UTF8.GetString(Convert.FromBase64String(csvFile["content"]!.GetValue<string>()));
        Assert.Equal(["channel,revenue", "web,200", "pos,50.25", "Total,250.25"], csv.Split(["\r\n", "\n"], StringSplitOptions.RemoveEmptyEntries));
        var xlsxMail = emails.Single(e => Subject(e).StartsWith("Weekly channels xlsx:", StringComparison.Ordinal));
        using var xlsx = new MemoryStream(Convert.FromBase64String(xlsxMail["attachments"]![0]!["content"]!.GetValue<string>()));
        var sheet = xlsx.Query(useHeaderRow: true).Cast<IDictionary<string, object>>().ToList();
        Assert.Equal(["web", "pos", "Total"], sheet.Select(r => Convert.ToString(r["channel"], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal([200m, 50.25m, 250.25m], sheet.Select(r => Convert.ToDecimal(r["revenue"], System.Globalization.CultureInfo.InvariantCulture)));
        var snapshots = await (await admin.GetAsync($"/api/reports/{csvReport["id"]}/snapshots")).AssertJsonAsync();
        var snapshot = Assert.Single(snapshots["items"]!.AsArray())!;
        Assert.Equal("schedule", snapshot["trigger"]!.GetValue<string>());
        Assert.NotNull(snapshot["emailedAt"]);
        var after = await (await admin.GetAsync($"/api/reports/{csvReport["id"]}")).AssertJsonAsync();
        Assert.Equal(due.AddDays(7), after["nextRunAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(snapshot["id"]!.GetValue<string>(), after["lastSnapshotId"]!.GetValue<string>());
    }

    private static async Task SeedAsync(HttpClient admin, params (string Customer, DateTimeOffset At, decimal Total, string Category, string Channel, string? Coupon)[] orders)
    {
        var events = orders.Select(o =>
        {
            var order = Order(NewId("o"), o.Customer, o.At, o.Total, o.Category, coupon: o.Coupon);
            order["channel"] = o.Channel;
            return Event(NewId("e"), "order.placed", o.At, o.Customer, order);
        }).ToArray();
        await admin.PostEventsAsync(events);
        await HttpAssertions.EventuallyAsync(async () =>
        {
            await admin.PostAsync("/api/analytics/refresh", null);
            return (await (await admin.GetAsync("/api/analytics/freshness")).AssertJsonAsync())["ordersInCopy"]!.GetValue<long>() == orders.Length;
        }, "orders in the copy");
    }

    private static async Task<JsonNode> Preview(HttpClient admin, string metric, string[] dimensions, string chart, object? filter = null) =>
        await (await admin.PostJsonAsync("/api/reports/preview", new
        {
            name = "Preview", metric, dimensions, filters = filter is null ? Array.Empty<object>() : [filter],
            dateRange = new { from = "2025-03-01", to = "2025-03-31" }, chart,
        })).AssertJsonAsync();

    private static List<(string, decimal)> Rows(JsonNode result, string dimension) =>
        result["rows"]!.AsArray().Select(r => (r!["dimensions"]![dimension]!.GetValue<string>(), r["value"]!.GetValue<decimal>())).ToList();

    /// <summary>SendGrid's request carries the subject on the message or on its personalization.</summary>
    private static string Subject(JsonNode email) => (email["subject"] ?? email["personalizations"]![0]!["subject"])!.GetValue<string>();

    private static StringContent JsonContent(object body) =>
        new(System.Text.Json.JsonSerializer.Serialize(body, HttpAssertions.Json), Encoding.UTF8, "application/json");
}
