using System.Net.Http.Json;
using System.Net;
using Microsoft.Extensions.Time.Testing;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Support.SupportTestKit;

namespace PecosCrm.IntegrationTests.Support;

[Collection(AzuriteCollection.Name)]
public sealed class SlaTests(AzuriteFixture fixture)
{
    [Fact]
    public async Task UrgentTicket_OverChristmasAndAWeekend_CountsBusinessHours_AndPausesWhilePending()
    {
        // Thursday 24 December 2026, 16:00 in Denver (UTC-7); Friday is a holiday.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 24, 23, 0, 0, TimeSpan.Zero));
        await using var app = fixture.NewApp(Settings(), time);
        var admin = app.Admin();
        var customer = await CustomerAsync(admin, "sla-" + app.Prefix);
        await (await admin.PutAsJsonAsync("/api/support/sla-policies", BusinessHoursPolicy(), HttpAssertions.Json)).AssertJsonAsync();
        var badPolicy = await (await admin.PutAsJsonAsync("/api/support/sla-policies", new { policies = new[] { new { id = "x", name = "X", targets = new { urgent = new { firstResponseMinutes = 0 } } } } }, HttpAssertions.Json))
            .AssertProblemAsync(HttpStatusCode.BadRequest);

        var created = await TicketAsync(admin, customer, "Boots never arrived", "urgent", description: "Order 1234 has not come.");
        var id = created["id"]!.GetValue<string>();
        time.SetUtcNow(new DateTimeOffset(2026, 12, 28, 16, 40, 0, TimeSpan.Zero)); // Monday 09:40: 100 business minutes
        var near = await GetAsync(admin, id);
        await (await admin.PostAsync("/api/support/sweep", null)).AssertJsonAsync();
        var nearList = await (await admin.GetAsync("/api/tickets?breach=near_breach&priority=urgent")).AssertJsonAsync();
        time.SetUtcNow(new DateTimeOffset(2026, 12, 28, 16, 45, 0, TimeSpan.Zero));
        await (await admin.PostJsonAsync($"/api/tickets/{id}/replies", new { text = "Checking with the carrier now." })).AssertJsonAsync(HttpStatusCode.Created);
        time.SetUtcNow(new DateTimeOffset(2026, 12, 28, 17, 0, 0, TimeSpan.Zero)); // 10:00: 120 minutes of resolution time used
        await (await admin.PatchAsJsonAsync($"/api/tickets/{id}", new { status = "pending_customer" }, HttpAssertions.Json)).AssertJsonAsync();
        time.SetUtcNow(new DateTimeOffset(2026, 12, 30, 17, 0, 0, TimeSpan.Zero)); // two days waiting on the customer
        var pending = await GetAsync(admin, id);
        await (await admin.PostJsonAsync($"/api/tickets/{id}/messages", new { text = "Still nothing on my porch." })).AssertJsonAsync(HttpStatusCode.Created);
        var resumed = await GetAsync(admin, id);

        Assert.Contains("policies[0].targets.urgent.firstResponseMinutes", badPolicy["errors"]!.AsObject().Select(e => e.Key));
        Assert.Matches(@"^PRT-\d+$", id);
        Assert.True(created["sla"]!["businessHours"]!.GetValue<bool>());
        // 60 minutes on Thursday, none on Christmas or the weekend, 60 on Monday: due Monday 10:00 MST.
        Assert.Equal(new DateTimeOffset(2026, 12, 28, 17, 0, 0, TimeSpan.Zero), created["sla"]!["firstResponse"]!["dueAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(100, near["ticket"]!["sla"]!["firstResponse"]!["elapsedMinutes"]!.GetValue<double>());
        Assert.Equal("near_breach", near["ticket"]!["sla"]!["state"]!.GetValue<string>());
        Assert.Contains(id, nearList["items"]!.AsArray().Select(t => t!["id"]!.GetValue<string>()));
        Assert.True(pending["ticket"]!["sla"]!["paused"]!.GetValue<bool>());
        Assert.Equal("met", pending["ticket"]!["sla"]!["firstResponse"]!["state"]!.GetValue<string>());
        Assert.Null(pending["ticket"]!["sla"]!["resolution"]!["dueAt"]);
        Assert.Equal(120, pending["ticket"]!["sla"]!["resolution"]!["elapsedMinutes"]!.GetValue<double>());
        Assert.Equal("open", resumed["ticket"]!["status"]!.GetValue<string>());
        Assert.False(resumed["ticket"]!["sla"]!["paused"]!.GetValue<bool>());
        Assert.Equal(120, resumed["ticket"]!["sla"]!["resolution"]!["elapsedMinutes"]!.GetValue<double>());
        // 480 minutes left: Wednesday 10:00-17:00 (420), then Thursday 09:00-10:00.
        Assert.Equal(new DateTimeOffset(2026, 12, 31, 17, 0, 0, TimeSpan.Zero), resumed["ticket"]!["sla"]!["resolution"]!["dueAt"]!.GetValue<DateTimeOffset>());
        // The customer wrote at 10:00 on Wednesday: the next response is due two business hours later.
        Assert.Equal(new DateTimeOffset(2026, 12, 30, 19, 0, 0, TimeSpan.Zero), resumed["ticket"]!["sla"]!["nextResponse"]!["dueAt"]!.GetValue<DateTimeOffset>());
    }

    [Fact]
    public async Task UrgentUnansweredForAnHour_EscalationFiresOnce_ReassignsRaisesAndEmailsTheManager()
    {
        // Monday 2 March 2026, 09:00 in Denver (UTC-7).
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 16, 0, 0, TimeSpan.Zero));
        await using var app = fixture.NewApp(Settings(), time);
        var admin = app.Admin();
        var customer = await CustomerAsync(admin, "esc-" + app.Prefix);
        var manager = await StaffAsync(admin, "Mae Holt", $"mae-{app.Prefix}@pecos.example", "manager");
        await (await admin.PutAsJsonAsync("/api/support/sla-policies", BusinessHoursPolicy(), HttpAssertions.Json)).AssertJsonAsync();
        var rules = new
        {
            rules = new[]
            {
                new
                {
                    id = "high-unanswered", name = "High and unanswered for an hour", enabled = true,
                    conditions = new { priorities = new[] { "high", "urgent" } },
                    clock = "first_response", afterMinutes = 60,
                    actions = new { assignTo = manager["id"]!.GetValue<string>(), raisePriority = true, notifyStaffIds = new[] { manager["id"]!.GetValue<string>() } },
                },
            },
        };
        await (await admin.PutAsJsonAsync("/api/support/escalation-rules", rules, HttpAssertions.Json)).AssertJsonAsync();
        var ticket = await TicketAsync(admin, customer, "Wrong size shipped", "high");
        var quiet = await TicketAsync(admin, customer, "Just a question", "low");
        var id = ticket["id"]!.GetValue<string>();

        time.Advance(TimeSpan.FromMinutes(59));
        var early = await (await admin.PostAsync("/api/support/sweep", null)).AssertJsonAsync();
        time.Advance(TimeSpan.FromMinutes(2));
        var fired = await (await admin.PostAsync("/api/support/sweep", null)).AssertJsonAsync();
        time.Advance(TimeSpan.FromMinutes(30));
        var again = await (await admin.PostAsync("/api/support/sweep", null)).AssertJsonAsync();
        var detail = await GetAsync(admin, id);
        var other = await GetAsync(admin, quiet["id"]!.GetValue<string>());
        var outbox = await (await admin.GetAsync("/api/outbox")).AssertJsonAsync();

        Assert.Equal(0, early["escalations"]!.GetValue<int>());
        Assert.Equal(1, fired["escalations"]!.GetValue<int>());
        Assert.Equal(0, again["escalations"]!.GetValue<int>());
        Assert.Equal("urgent", detail["ticket"]!["priority"]!.GetValue<string>());
        Assert.Equal(manager["id"]!.GetValue<string>(), detail["ticket"]!["assigneeId"]!.GetValue<string>());
        var escalations = detail["log"]!.AsArray().Where(l => l!["kind"]!.GetValue<string>() == "escalation").ToList();
        Assert.Single(escalations);
        Assert.Contains("reassigned to Mae Holt", escalations[0]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain(other["log"]!.AsArray(), l => l!["kind"]!.GetValue<string>() == "escalation");
        var emails = outbox["items"]!.AsArray().Where(m => m!["to"]!.GetValue<string>() == manager["email"]!.GetValue<string>()).ToList();
        Assert.Single(emails);
        Assert.Contains(id, emails[0]!["subject"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
