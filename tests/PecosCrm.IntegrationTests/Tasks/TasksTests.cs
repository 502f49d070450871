using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PecosCrm.Core.Tasks;
using PecosCrm.IntegrationTests.Infrastructure;

namespace PecosCrm.IntegrationTests.Tasks;

/// <summary>
/// Staff tasks on one app whose clock stands at Tuesday 10 March 2026, 11:00 in the store's zone
/// (America/Denver, 17:00 UTC), with email going to a local endpoint standing in for SendGrid.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TasksTests(AzuriteFixture fixture) : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 3, 10, 17, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Now);
    private RecordingEndpoint _sendGrid = null!;
    private CrmApp _app = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _sendGrid = await RecordingEndpoint.StartAsync();
        _app = fixture.NewApp(new Dictionary<string, string?>
        {
            ["Hosting:RunTimers"] = "false",
            ["Store:TimeZone"] = "America/Denver",
            ["Messaging:SendGridApiKey"] = "SG.test-key",
            ["Messaging:SendGridApiHost"] = _sendGrid.Url,
        }, _time);
        _admin = _app.Admin();
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _sendGrid.DisposeAsync();
    }

    [Fact]
    public async Task MyTasks_TodayOverdueUpcoming_AreStoreDaysAndOpenTasksOnly()
    {
        var me = await StaffClient.CreateAsync(_app, _admin, "agent");
        var colleague = await StaffClient.CreateAsync(_app, _admin, "agent");
        var lateTonight = await CreateAsync(me.Client, "Call Boot Barn", Now.Date.AddHours(28).AddMinutes(30));      // 22:30 local today, 04:30 UTC tomorrow
        var thisMorning = await CreateAsync(me.Client, "Send quote", new DateTimeOffset(2026, 3, 10, 15, 0, 0, TimeSpan.Zero));
        var yesterday = await CreateAsync(me.Client, "Follow up on order 1234", new DateTimeOffset(2026, 3, 9, 20, 0, 0, TimeSpan.Zero));
        var tomorrow = await CreateAsync(me.Client, "Review VIP list", new DateTimeOffset(2026, 3, 11, 18, 0, 0, TimeSpan.Zero));
        var later = await CreateAsync(me.Client, "Trade show prep", new DateTimeOffset(2026, 3, 30, 18, 0, 0, TimeSpan.Zero));
        var done = await CreateAsync(me.Client, "Done already", new DateTimeOffset(2026, 3, 10, 16, 0, 0, TimeSpan.Zero));
        await (await me.Client.PostAsync($"/api/tasks/{done}/complete", null)).AssertJsonAsync();
        await CreateAsync(colleague.Client, "Not mine", new DateTimeOffset(2026, 3, 10, 18, 0, 0, TimeSpan.Zero));

        var today = await ScreenAsync(me.Client, "today");
        var overdue = await ScreenAsync(me.Client, "overdue");
        var upcoming = await ScreenAsync(me.Client, "upcoming");
        var month = await ScreenAsync(me.Client, "upcoming&days=30");

        Assert.Equal([thisMorning, lateTonight], today);
        Assert.Equal([yesterday, thisMorning], overdue);
        Assert.Equal([tomorrow], upcoming);
        Assert.Equal([tomorrow, later], month);
    }

    [Fact]
    public async Task RecurringTask_CompletedTwice_OneNextOccurrenceEach_RetryCreatesNone()
    {
        var me = await StaffClient.CreateAsync(_app, _admin, "agent");
        var first = await (await me.Client.PostJsonAsync("/api/tasks", new
        {
            title = "Weekly call with Rodeo Supply", type = "call", dueAt = new DateTimeOffset(2026, 3, 10, 15, 0, 0, TimeSpan.Zero),
            reminderAt = new DateTimeOffset(2026, 3, 10, 14, 45, 0, TimeSpan.Zero), recurrence = "RRULE:FREQ=WEEKLY;BYDAY=TU",
        })).AssertJsonAsync(HttpStatusCode.Created);
        var firstId = first["id"]!.GetValue<string>();

        var completed = await (await me.Client.PostAsync($"/api/tasks/{firstId}/complete", null)).AssertJsonAsync();
        var retried = await (await me.Client.PostAsync($"/api/tasks/{firstId}/complete", null)).AssertJsonAsync();
        var secondId = completed["nextOccurrenceId"]!.GetValue<string>();
        var second = await (await me.Client.GetAsync($"/api/tasks/{secondId}")).AssertJsonAsync();
        var secondCompleted = await (await me.Client.PostAsync($"/api/tasks/{secondId}/complete", null)).AssertJsonAsync();
        var third = await (await me.Client.GetAsync($"/api/tasks/{secondCompleted["nextOccurrenceId"]}")).AssertJsonAsync();
        var all = await (await me.Client.GetAsync("/api/tasks")).AssertJsonAsync();

        Assert.Equal(secondId, retried["nextOccurrenceId"]!.GetValue<string>());
        Assert.Equal(new DateTimeOffset(2026, 3, 17, 15, 0, 0, TimeSpan.Zero), second["dueAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(new DateTimeOffset(2026, 3, 17, 14, 45, 0, TimeSpan.Zero), second["reminderAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(firstId, second["previousOccurrenceId"]!.GetValue<string>());
        Assert.Equal(new DateTimeOffset(2026, 3, 24, 15, 0, 0, TimeSpan.Zero), third["dueAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(3, all["items"]!.AsArray().Count);
        Assert.Equal(["completed", "completed", "pending"], all["items"]!.AsArray().Select(t => t!["status"]!.GetValue<string>()).Order());
    }

    [Fact]
    public async Task Reminder_FiredByTheTimerOnce_LoggedOnTheTaskAndEmailed()
    {
        var me = await StaffClient.CreateAsync(_app, _admin, "agent");
        var task = await (await me.Client.PostJsonAsync("/api/tasks", new
        {
            title = "Call Western Wear about net terms", dueAt = Now.AddHours(1), reminderAt = Now.AddMinutes(5),
        })).AssertJsonAsync(HttpStatusCode.Created);
        var reminders = _app.Services.GetRequiredService<TaskReminders>();

        var early = await reminders.SendDueAsync();
        _time.Advance(TimeSpan.FromMinutes(6));
        var runs = await Task.WhenAll(reminders.SendDueAsync(), reminders.SendDueAsync());
        var again = await reminders.SendDueAsync();
        var after = await (await me.Client.GetAsync($"/api/tasks/{task["id"]}")).AssertJsonAsync();

        Assert.Equal(0, early);
        Assert.Equal(1, runs.Sum());
        Assert.Equal(0, again);
        var sent = Assert.Single(_sendGrid.Requests, r => r.Body.Contains(me.Email, StringComparison.Ordinal));
        Assert.Contains("Call Western Wear about net terms", sent.Body);
        Assert.Contains(after["log"]!.AsArray(), e => e!["event"]!.GetValue<string>() == "reminder_sent");
        Assert.NotNull(after["reminderSentAt"]);
    }

    [Fact]
    public async Task Update_StaleETagAndBadInput_Refused_ReassignMovesTheTaskBetweenScreens()
    {
        var me = await StaffClient.CreateAsync(_app, _admin, "manager");
        var other = await StaffClient.CreateAsync(_app, _admin, "agent");
        var created = await me.Client.PostJsonAsync("/api/tasks", new { title = "Review Q4 list", dueAt = Now.AddHours(2), relatedType = "customer", relatedId = "c-1" });
        var task = await created.AssertJsonAsync(HttpStatusCode.Created);
        var id = task["id"]!.GetValue<string>();
        var etag = created.Headers.ETag!.ToString();

        var changed = await PatchAsync(me.Client, id, etag, new { priority = "high" });
        var stale = await PatchAsync(me.Client, id, etag, new { priority = "low" });
        var badRule = await me.Client.PostJsonAsync("/api/tasks", new { title = "X", dueAt = Now, recurrence = "FREQ=SOMETIMES" });
        var noDue = await me.Client.PostJsonAsync("/api/tasks", new { title = "X", recurrence = "FREQ=DAILY" });
        var unknown = await me.Client.PostJsonAsync("/api/tasks", new { title = "X", urgent = true });
        var reassigned = await PatchAsync(me.Client, id, changed.Headers.ETag!.ToString(), new { assigneeId = other.Id });
        var mine = await ScreenAsync(me.Client, "today");
        var theirs = await ScreenAsync(other.Client, "today");

        Assert.Equal("high", (await changed.AssertJsonAsync())["priority"]!.GetValue<string>());
        await stale.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        Assert.Contains("recurrence", (await badRule.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!.AsObject().Select(e => e.Key));
        Assert.Contains("dueAt", (await noDue.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!.AsObject().Select(e => e.Key));
        Assert.Contains("urgent", (await unknown.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!.AsObject().Select(e => e.Key));
        Assert.Equal(other.Id, (await reassigned.AssertJsonAsync())["assigneeId"]!.GetValue<string>());
        Assert.DoesNotContain(id, mine);
        Assert.Equal([id], theirs);
    }

    [Fact]
    public async Task Agent_SeesAndChangesOnlyTasksAssignedToOrMadeByThem()
    {
        var agent = await StaffClient.CreateAsync(_app, _admin, "agent");
        var colleague = await StaffClient.CreateAsync(_app, _admin, "agent");
        var manager = await StaffClient.CreateAsync(_app, _admin, "manager");
        var theirs = await CreateAsync(colleague.Client, "Colleague's call", Now.AddHours(3));
        var delegated = await (await agent.Client.PostJsonAsync("/api/tasks", new { title = "For colleague", assigneeId = colleague.Id, dueAt = Now.AddHours(4) }))
            .AssertJsonAsync(HttpStatusCode.Created);

        var read = await agent.Client.GetAsync($"/api/tasks/{theirs}");
        var complete = await agent.Client.PostAsync($"/api/tasks/{theirs}/complete", null);
        var list = await agent.Client.GetAsync($"/api/tasks?assigneeId={colleague.Id}");
        var screen = await agent.Client.GetAsync($"/api/tasks/my?view=today&assigneeId={colleague.Id}");
        var ownDelegated = await agent.Client.GetAsync($"/api/tasks/{delegated["id"]}");
        var managerReads = await manager.Client.GetAsync($"/api/tasks/my?view=today&assigneeId={colleague.Id}");

        await read.AssertProblemAsync(HttpStatusCode.NotFound);
        await complete.AssertProblemAsync(HttpStatusCode.NotFound);
        await list.AssertProblemAsync(HttpStatusCode.Forbidden);
        await screen.AssertProblemAsync(HttpStatusCode.Forbidden);
        await ownDelegated.AssertJsonAsync();
        Assert.Contains(theirs, (await managerReads.AssertJsonAsync())["items"]!.AsArray().Select(t => t!["id"]!.GetValue<string>()));
    }

    private static async Task<string> CreateAsync(HttpClient client, string title, DateTimeOffset due) =>
        (await (await client.PostJsonAsync("/api/tasks", new { title, type = "follow_up", dueAt = due })).AssertJsonAsync(HttpStatusCode.Created))["id"]!.GetValue<string>();

    private static async Task<List<string>> ScreenAsync(HttpClient client, string view) =>
        (await (await client.GetAsync($"/api/tasks/my?view={view}")).AssertJsonAsync())["items"]!.AsArray().Select(t => t!["id"]!.GetValue<string>()).ToList();

    private static async Task<HttpResponseMessage> PatchAsync(HttpClient client, string id, string etag, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/tasks/{id}")
        {
            Content = new StringContent(System.Text.Json.JsonSerializer.Serialize(body, HttpAssertions.Json), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(etag));
        return await client.SendAsync(request);
    }
}
