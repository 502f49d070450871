using System.Net;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;

namespace PecosCrm.IntegrationTests.Analytics;

/// <summary>One store time zone (Store:TimeZone, America/Denver by default) for every local date, schedule and report.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class StoreTimeZoneTests(AzuriteFixture fixture)
{
    // Sunday June 1, 2025 at 23:30 in Denver (MDT, UTC-6); already Monday June 2 in UTC and in Chicago.
    private static readonly DateTimeOffset LateSunday = new(2025, 6, 2, 5, 30, 0, TimeSpan.Zero);

    [Fact]
    public async Task RevenueByWeekdayAndMonth_EmailDates_CsvExportsAndSchedules_AllReadTheStoreClock()
    {
        await using var app = fixture.NewApp(new Dictionary<string, string?> { ["Hosting:RunTimers"] = "false" });
        var admin = app.Admin();
        var customer = "tz-" + app.Prefix;
        await (await admin.PostJsonAsync("/api/customers", Customer(customer, "Wade"))).AssertJsonAsync(HttpStatusCode.Created);
        // Monday June 30 at 21:00 in Denver: July 1 in UTC.
        var lateJune = new DateTimeOffset(2025, 7, 1, 3, 0, 0, TimeSpan.Zero);
        await admin.PostEventsAsync(
            Event(NewId("e"), "order.placed", LateSunday, customer, Order("tz-o1", customer, LateSunday, 20m, number: "7001")),
            Event(NewId("e"), "order.placed", lateJune, customer, Order("tz-o2", customer, lateJune, 30m, number: "7002")));
        await admin.WaitForMetricsAsync(customer, m => m["metrics"]!["orderCount"]!.GetValue<int>() == 2, "both orders");
        await HttpAssertions.EventuallyAsync(async () =>
        {
            await admin.PostAsync("/api/analytics/refresh", null);
            return (await (await admin.GetAsync("/api/analytics/freshness")).AssertJsonAsync())["ordersInCopy"]!.GetValue<long>() == 2;
        }, "orders in the copy");
        var template = await (await admin.PostJsonAsync("/api/templates", new
        {
            name = "Placed on " + app.Prefix, category = "order", subject = "Order {{order.number}}", html = "<p>Placed {{order.placed_at}}</p>",
        })).AssertJsonAsync(HttpStatusCode.Created);

        var revenue = await (await admin.GetAsync("/api/analytics/revenue?from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z")).AssertJsonAsync();
        var preview = await (await admin.PostJsonAsync($"/api/templates/{template["id"]!.GetValue<string>()}/preview", new { customerId = customer, orderId = "tz-o1" })).AssertJsonAsync();
        var export = await (await admin.PostJsonAsync("/api/exports", new { kind = "orders", format = "csv", fields = new[] { "id", "placedAt" } })).AssertJsonAsync(HttpStatusCode.Accepted);
        var job = await ExportsTests.WaitForExportAsync(admin, export["id"]!.GetValue<string>());
        using var http = new HttpClient();
        var csv = await http.GetStringAsync(job["downloadUrl"]!.GetValue<string>());
        var schedule = await (await admin.PostJsonAsync("/api/exports/schedules", new { name = "Daily " + app.Prefix, kind = "customers", format = "csv", frequency = "daily", timeOfDay = "06:00" }))
            .AssertJsonAsync(HttpStatusCode.Created);

        Assert.Equal(["Sunday", "Monday"], revenue["byWeekday"]!.AsArray().Select(d => d!["key"]!.GetValue<string>()));
        Assert.Equal(["2025-06"], revenue["byMonth"]!.AsArray().Select(m => m!["key"]!.GetValue<string>()));
        Assert.Contains("Placed June 1, 2025", preview["html"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("tz-o1,2025-06-01T23:30:00-06:00", csv, StringComparison.Ordinal);
        Assert.Equal("America/Denver", schedule["timeZone"]!.GetValue<string>());
        var next = schedule["nextRunAt"]!.GetValue<DateTimeOffset>();
        Assert.Equal(6, TimeZoneInfo.ConvertTime(next, TimeZoneInfo.FindSystemTimeZoneById("America/Denver")).Hour);
    }

    [Fact]
    public async Task StoreTimeZoneSetting_MovesTheReports()
    {
        await using var app = fixture.NewApp(new Dictionary<string, string?> { ["Hosting:RunTimers"] = "false", ["Store:TimeZone"] = "Asia/Tokyo" });
        var admin = app.Admin();
        var customer = "tokyo-" + app.Prefix;
        await (await admin.PostJsonAsync("/api/customers", Customer(customer, "Kenji"))).AssertJsonAsync(HttpStatusCode.Created);
        // 14:30 on Monday in Tokyo.
        await admin.PostEventsAsync(Event(NewId("e"), "order.placed", LateSunday, customer, Order("tk-o1", customer, LateSunday, 20m)));
        await HttpAssertions.EventuallyAsync(async () =>
        {
            await admin.PostAsync("/api/analytics/refresh", null);
            return (await (await admin.GetAsync("/api/analytics/freshness")).AssertJsonAsync())["ordersInCopy"]!.GetValue<long>() == 1;
        }, "the order in the copy");

        var revenue = await (await admin.GetAsync("/api/analytics/revenue?from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z")).AssertJsonAsync();

        Assert.Equal(["Monday"], revenue["byWeekday"]!.AsArray().Select(d => d!["key"]!.GetValue<string>()));
    }
}
