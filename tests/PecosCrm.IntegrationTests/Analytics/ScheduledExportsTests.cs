using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PecosCrm.Core.Exports;
using PecosCrm.Core.Storage;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;

namespace PecosCrm.IntegrationTests.Analytics;

[Collection(AzuriteCollection.Name)]
public sealed class ScheduledExportsTests(AzuriteFixture fixture)
{
    private static readonly Dictionary<string, string?> NoTimers = new() { ["Hosting:RunTimers"] = "false" };

    [Fact]
    public async Task WeeklyInDenver_NextRunIsTheLocalTimeInUtc_AcrossTheDaylightSavingChange()
    {
        // Wednesday 5 March 2025, 05:00 in Denver (MST, UTC-7); clocks go forward on Sunday 9 March.
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 3, 5, 12, 0, 0, TimeSpan.Zero));
        await using var app = fixture.NewApp(NoTimers, time);
        var admin = app.Admin();

        var friday = await CreateAsync(admin, new { name = "Friday", kind = "customers", format = "csv", frequency = "weekly", dayOfWeek = "friday", timeZone = "America/Denver" });
        var monday = await CreateAsync(admin, new { name = "Monday", kind = "customers", format = "csv", frequency = "weekly", dayOfWeek = "monday", timeOfDay = "06:00", timeZone = "America/Denver" });
        time.SetUtcNow(new DateTimeOffset(2025, 3, 10, 12, 1, 0, TimeSpan.Zero));
        var started = await RunDueAsync(app);
        var after = await (await admin.GetAsync($"/api/exports/schedules/{monday["id"]}")).AssertJsonAsync();

        Assert.Equal("06:00", friday["timeOfDay"]!.GetValue<string>());
        Assert.Equal(new DateTimeOffset(2025, 3, 7, 13, 0, 0, TimeSpan.Zero), friday["nextRunAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(new DateTimeOffset(2025, 3, 10, 12, 0, 0, TimeSpan.Zero), monday["nextRunAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(2, started.Count);
        Assert.Equal(new DateTimeOffset(2025, 3, 17, 12, 0, 0, TimeSpan.Zero), after["nextRunAt"]!.GetValue<DateTimeOffset>());
    }

    [Fact]
    public async Task RunDue_PastTheRunTime_StartsExactlyOneExport_ListedUnderTheScheduleWithDownload()
    {
        // Ten minutes behind the real clock, so the download link (signed with this clock) is valid when used.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(-10));
        await using var app = fixture.NewApp(NoTimers, time);
        var admin = app.Admin();
        var customerId = NewId("sched");
        await (await admin.PostJsonAsync("/api/customers", Customer(customerId, "=SUM(A1)", "Rider"))).AssertJsonAsync(HttpStatusCode.Created);
        var at = time.GetUtcNow().AddMinutes(5);
        var schedule = await CreateAsync(admin, new
        {
            name = "Daily customers", kind = "customers", format = "csv", fields = new[] { "id", "firstName" }, frequency = "daily",
            timeOfDay = at.ToString("HH:mm", CultureInfo.InvariantCulture), timeZone = "UTC",
        });
        var id = schedule["id"]!.GetValue<string>();
        var runAt = schedule["nextRunAt"]!.GetValue<DateTimeOffset>();

        var early = await RunDueAsync(app);
        time.SetUtcNow(runAt.AddSeconds(30));
        var first = await RunDueAsync(app);
        var second = await RunDueAsync(app);

        Assert.Empty(early);
        var job = Assert.Single(first);
        Assert.Empty(second);
        Assert.Equal(id, job.ScheduleId);
        var runs = await (await admin.GetAsync($"/api/exports/schedules/{id}/runs")).AssertJsonAsync();
        Assert.Equal(job.Id, Assert.Single(runs["items"]!.AsArray())!["id"]!.GetValue<string>());
        var done = await ExportsTests.WaitForExportAsync(admin, job.Id);
        var byQuery = await (await admin.GetAsync($"/api/exports?scheduleId={id}")).AssertJsonAsync();
        var listed = Assert.Single(byQuery["items"]!.AsArray())!;
        Assert.Equal("succeeded", listed["state"]!.GetValue<string>());
        Assert.Equal(id, listed["scheduleId"]!.GetValue<string>());
        using var http = new HttpClient();
        var csv = await http.GetStringAsync(listed["downloadUrl"]!.GetValue<string>());
        Assert.Contains($"{customerId},'=SUM(A1)", csv);
        Assert.Equal(1, done["rows"]!.GetValue<long>());
        var after = await (await admin.GetAsync($"/api/exports/schedules/{id}")).AssertJsonAsync();
        Assert.Equal(job.Id, after["lastExportId"]!.GetValue<string>());
        Assert.Equal(runAt.AddDays(1), after["nextRunAt"]!.GetValue<DateTimeOffset>());
        Assert.Null(after["lastError"]);
    }

    [Fact]
    public async Task RunDue_OrdersSchedule_CoversTheLookbackBeforeTheRunTime()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(-10));
        await using var app = fixture.NewApp(NoTimers, time);
        var admin = app.Admin();
        var schedule = await CreateAsync(admin, new { name = "Week of orders", kind = "orders", format = "json", frequency = "weekly", dayOfWeek = "tuesday", timeOfDay = "07:30" });
        var runAt = schedule["nextRunAt"]!.GetValue<DateTimeOffset>();

        time.SetUtcNow(runAt.AddMinutes(3));
        var job = Assert.Single(await RunDueAsync(app));

        Assert.Equal(7, schedule["ordersLookbackDays"]!.GetValue<int>());
        Assert.Equal(runAt, job.To);
        Assert.Equal(runAt.AddDays(-7), job.From);
    }

    [Fact]
    public async Task RunDue_InterruptedBetweenClaimAndStart_NextSweepStartsTheOccurrenceOnce()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(-10));
        await using var app = fixture.NewApp(NoTimers, time);
        var admin = app.Admin();
        var schedule = await CreateAsync(admin, new { name = "Resumed", kind = "customers", format = "json", frequency = "daily", timeOfDay = "04:15" });
        var id = schedule["id"]!.GetValue<string>();
        var occurrence = schedule["nextRunAt"]!.GetValue<DateTimeOffset>();
        time.SetUtcNow(occurrence.AddMinutes(1));
        // What the claim writes before the process stops: the next run moved on, the occurrence pending.
        var table = app.Storage.Table(StorageNames.Tables.ExportSchedules);
        var row = (await table.GetEntityAsync<TableEntity>("schedules", id)).Value;
        row["PendingOccurrence"] = occurrence;
        row["NextRunAt"] = occurrence.AddDays(1);
        await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace);

        var resumed = await RunDueAsync(app);
        var again = await RunDueAsync(app);
        // As if the start had got through and the process stopped before the claim was cleared.
        row = (await table.GetEntityAsync<TableEntity>("schedules", id)).Value;
        row["PendingOccurrence"] = occurrence;
        await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace);
        var found = await RunDueAsync(app);

        var job = Assert.Single(resumed);
        Assert.Empty(again);
        Assert.Empty(found);
        Assert.Equal(ExportService.RunId(new ExportOrigin(id, occurrence)), job.Id);
        var runs = await (await admin.GetAsync($"/api/exports/schedules/{id}/runs")).AssertJsonAsync();
        Assert.Equal(job.Id, Assert.Single(runs["items"]!.AsArray())!["id"]!.GetValue<string>());
        row = (await table.GetEntityAsync<TableEntity>("schedules", id)).Value;
        Assert.False(row.ContainsKey("PendingOccurrence"));
        Assert.Equal(occurrence.AddDays(1), row.GetDateTimeOffset("NextRunAt"));
    }

    [Fact]
    public async Task DeactivatedSchedule_DoesNotRun()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = fixture.NewApp(NoTimers, time);
        var admin = app.Admin();
        var created = await admin.PostJsonAsync("/api/exports/schedules", new { name = "Paused", kind = "customers", format = "csv", frequency = "daily" });
        var id = (await created.AssertJsonAsync(HttpStatusCode.Created))["id"]!.GetValue<string>();

        var paused = await (await admin.SendAsync(Patch(id, created.Headers.ETag!.ToString(), new { active = false }))).AssertJsonAsync();
        time.Advance(TimeSpan.FromDays(3));
        var started = await RunDueAsync(app);

        Assert.False(paused["active"]!.GetValue<bool>());
        Assert.Null(paused["nextRunAt"]);
        Assert.Empty(started);
        var runs = await (await admin.GetAsync($"/api/exports/schedules/{id}/runs")).AssertJsonAsync();
        Assert.Empty(runs["items"]!.AsArray());
    }

    [Fact]
    public async Task Patch_WithStaleIfMatch_Is412_AndChangesNothing()
    {
        var admin = fixture.App.Admin();
        var created = await admin.PostJsonAsync("/api/exports/schedules", new { name = "Etag", kind = "orders", format = "xlsx", frequency = "daily" });
        var id = (await created.AssertJsonAsync(HttpStatusCode.Created))["id"]!.GetValue<string>();
        var first = created.Headers.ETag!.ToString();

        var fresh = await admin.SendAsync(Patch(id, first, new { name = "Renamed", timeOfDay = "08:45" }));
        var stale = await admin.SendAsync(Patch(id, first, new { name = "Lost update" }));

        var renamed = await fresh.AssertJsonAsync();
        Assert.Equal("08:45", renamed["timeOfDay"]!.GetValue<string>());
        await stale.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        var current = await (await admin.GetAsync($"/api/exports/schedules/{id}")).AssertJsonAsync();
        Assert.Equal("Renamed", current["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task BadSchedules_NameEachField_AndWriteNothing()
    {
        await using var app = fixture.NewApp(NoTimers);
        var admin = app.Admin();
        var segmentId = await ExportsTests.WriteSegmentAsync(app, "Real");

        var many = await admin.PostJsonAsync("/api/exports/schedules", new
        {
            kind = "customers", format = "csv", fields = new[] { "password" }, frequency = "weekly", timeOfDay = "25:00", timeZone = "Mars/Olympus",
            ordersLookbackDays = 3, segmentId,
        });
        var daily = await admin.PostJsonAsync("/api/exports/schedules", new { name = "d", kind = "orders", format = "csv", frequency = "daily", dayOfWeek = "monday", ordersLookbackDays = 0 });
        var noSegment = await admin.PostJsonAsync("/api/exports/schedules", new { name = "s", kind = "segment", format = "csv", frequency = "daily" });
        var unknownSegment = await admin.PostJsonAsync("/api/exports/schedules", new { name = "s", kind = "segment", segmentId = "gone", format = "csv", frequency = "daily" });
        var hourly = await admin.PostJsonAsync("/api/exports/schedules", new { name = "h", kind = "customers", format = "csv", frequency = "hourly" });

        var errors = (await many.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!.AsObject();
        Assert.Equal(["dayOfWeek", "fields", "name", "ordersLookbackDays", "segmentId", "timeOfDay", "timeZone"], errors.Select(e => e.Key).Order());
        Assert.Contains("Mars/Olympus", errors["timeZone"]![0]!.GetValue<string>());
        var dailyErrors = (await daily.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!.AsObject();
        Assert.Equal(["dayOfWeek", "ordersLookbackDays"], dailyErrors.Select(e => e.Key).Order());
        Assert.Contains("required", (await noSegment.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!["segmentId"]![0]!.GetValue<string>());
        Assert.Contains("no such segment", (await unknownSegment.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!["segmentId"]![0]!.GetValue<string>());
        Assert.True((await hourly.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!.AsObject().ContainsKey("frequency"));
        var list = await (await admin.GetAsync("/api/exports/schedules")).AssertJsonAsync();
        Assert.Empty(list["items"]!.AsArray());
    }

    [Fact]
    public async Task SegmentSchedule_RunNow_ExportsTheMembers_AndDeletedScheduleIsGone()
    {
        var app = fixture.App;
        var admin = app.Admin();
        var member = NewId("member");
        await (await admin.PostJsonAsync("/api/customers", Customer(member, "Cody", "Vance"))).AssertJsonAsync(HttpStatusCode.Created);
        var segmentId = await ExportsTests.WriteSegmentAsync(app, "Weekly Wranglers", member);
        var schedule = await CreateAsync(admin, new { name = "Wranglers", kind = "segment", segmentId, format = "csv", frequency = "weekly", dayOfWeek = "sunday", active = false });
        var id = schedule["id"]!.GetValue<string>();

        var started = await (await admin.PostAsync($"/api/exports/schedules/{id}/run", null)).AssertJsonAsync(HttpStatusCode.Accepted);
        var done = await ExportsTests.WaitForExportAsync(admin, started["id"]!.GetValue<string>());
        var deleted = await admin.DeleteAsync($"/api/exports/schedules/{id}");
        var gone = await admin.GetAsync($"/api/exports/schedules/{id}");

        Assert.Equal(id, done["scheduleId"]!.GetValue<string>());
        Assert.Equal("Weekly Wranglers", done["segmentName"]!.GetValue<string>());
        Assert.Equal(1, done["rows"]!.GetValue<long>());
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await gone.AssertProblemAsync(HttpStatusCode.NotFound);
        var history = await (await admin.GetAsync($"/api/exports?scheduleId={id}")).AssertJsonAsync();
        Assert.Single(history["items"]!.AsArray());
    }

    private static async Task<JsonNode> CreateAsync(HttpClient admin, object schedule) =>
        await (await admin.PostJsonAsync("/api/exports/schedules", schedule)).AssertJsonAsync(HttpStatusCode.Created);

    private static Task<IReadOnlyList<ExportJob>> RunDueAsync(CrmApp app) =>
        app.Services.GetRequiredService<ExportScheduleService>().RunDueAsync();

    private static HttpRequestMessage Patch(string id, string ifMatch, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/exports/schedules/{id}") { Content = JsonContent(body) };
        request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return request;
    }

    private static HttpContent JsonContent(object body) => System.Net.Http.Json.JsonContent.Create(body, options: HttpAssertions.Json);
}
