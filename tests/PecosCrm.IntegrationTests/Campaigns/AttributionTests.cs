using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PecosCrm.IntegrationTests.Automation;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;

namespace PecosCrm.IntegrationTests.Campaigns;

/// <summary>Revenue goes to an automation or campaign only within the window after one of its messages reached the customer, last touch.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AttributionTests(AzuriteFixture fixture)
{
    /// <summary>10:00 in Denver: outside quiet hours.</summary>
    private static readonly DateTimeOffset Start = new(2026, 3, 10, 16, 0, 0, TimeSpan.Zero);

    private static JsonObject Node(string id, string type, object fields)
    {
        var node = (JsonObject)System.Text.Json.JsonSerializer.SerializeToNode(fields, HttpAssertions.Json)!;
        node["id"] = id;
        node["type"] = type;
        return node;
    }

    [Fact]
    public async Task OrdersBeforeTheFirstEmail_AfterTheWindow_OrAfterAnotherSourcesTouch_AreNotTheAutomations()
    {
        var time = new FakeTimeProvider(Start);
        var timers = new TimerForwarder(time);
        await using var app = fixture.NewApp(AutomationTests.Settings(), time, services: timers.AddTo);
        var admin = app.Admin();
        var customer = "cart-" + app.Prefix;
        await (await admin.PostJsonAsync("/api/customers", Customer(customer, "Cody", "Reyes", $"{customer}@example.com", extra: new { consent = new { email = true } })))
            .AssertJsonAsync(HttpStatusCode.Created);
        var created = await (await admin.PostJsonAsync("/api/automations", new
        {
            name = "Cart " + app.Prefix,
            trigger = new { kind = "manual" },
            nodes = new[]
            {
                Node("start", "trigger", new { next = "wait" }),
                Node("wait", "wait", new { duration = "1.00:00:00", next = "mail" }),
                Node("mail", "send_email", new { subject = "You left something behind", text = "Your cart is waiting.", next = "done" }),
                Node("done", "end", new { }),
            },
        })).AssertJsonAsync(HttpStatusCode.Created);
        var workflowId = created["id"]!.GetValue<string>();
        await (await admin.PostAsync($"/api/automations/{workflowId}/activate", null)).AssertJsonAsync();
        await (await admin.PostJsonAsync($"/api/automations/{workflowId}/enrol", new { customerId = customer })).AssertJsonAsync();
        await HttpAssertions.EventuallyAsync(async () =>
            (await (await admin.GetAsync($"/api/customers/{customer}/automations")).Content.ReadAsStringAsync()).Contains("\"node\":\"wait\"", StringComparison.Ordinal), "waiting a day");

        // Bought an hour after enrolment, before the automation sent anything.
        time.Advance(TimeSpan.FromHours(1));
        await admin.PostEventsAsync(Event(NewId("e"), "order.placed", time.GetUtcNow(), customer, Order("before-" + app.Prefix, customer, time.GetUtcNow(), 156m)));
        await timers.AdvanceAsync(TimeSpan.FromDays(1));
        var seen = "";
        await HttpAssertions.EventuallyAsync(async () =>
        {
            var messages = await (await admin.GetAsync($"/api/customers/{customer}/messages")).AssertJsonAsync();
            seen = messages.ToJsonString() + (await (await admin.GetAsync($"/api/customers/{customer}/automations")).Content.ReadAsStringAsync());
            return messages["items"]!.AsArray().Any(m => m!["status"]!.GetValue<string>() == "sent");
        }, () => "the automation's email sent; seen " + seen);
        var emailSentAt = time.GetUtcNow();
        // Two days after the email: the automation's.
        time.Advance(TimeSpan.FromDays(2));
        await admin.PostEventsAsync(Event(NewId("e"), "order.placed", time.GetUtcNow(), customer, Order("within-" + app.Prefix, customer, time.GetUtcNow(), 80m)));
        // Then a campaign reaches the customer; the next order is the campaign's (last touch).
        time.Advance(TimeSpan.FromHours(1));
        var (campaignId, _) = await CampaignTestKit.CreateAsync(admin, new { name = "Spring " + app.Prefix, audience = new { customerIds = new[] { customer } }, content = CampaignTestKit.Content("Spring boots") });
        await CampaignTestKit.StartAsync(admin, campaignId);
        await CampaignTestKit.WaitForStateAsync(admin, campaignId, "sent");
        time.Advance(TimeSpan.FromHours(2));
        await admin.PostEventsAsync(Event(NewId("e"), "order.placed", time.GetUtcNow(), customer, Order("campaign-" + app.Prefix, customer, time.GetUtcNow(), 25m)));
        // Six days after the automation's email and beyond the campaign's window too: nobody's.
        time.Advance(TimeSpan.FromDays(6));
        await admin.PostEventsAsync(Event(NewId("e"), "order.placed", time.GetUtcNow(), customer, Order("late-" + app.Prefix, customer, time.GetUtcNow(), 40m)));
        await admin.WaitForMetricsAsync(customer, m => m["metrics"]!["orderCount"]!.GetValue<int>() == 4, "the four orders");
        await (await admin.PostAsync("/api/analytics/refresh", null)).AssertJsonAsync();

        var workflow = await (await admin.GetAsync($"/api/automations/{workflowId}/analytics")).AssertJsonAsync();
        var campaign = await CampaignTestKit.ResultsAsync(admin, campaignId);

        Assert.True(emailSentAt > Start.AddHours(1));
        Assert.Equal(80m, workflow["revenueAttributed"]!.GetValue<decimal>());
        Assert.Equal(1, CampaignTestKit.Figure(campaign, "attributedOrders"));
        Assert.Equal(25m, campaign["totals"]!["attributedRevenue"]!.GetValue<decimal>());
        Assert.Equal(5, campaign["attributionDays"]!.GetValue<int>());
    }
}
