using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PecosCrm.Core.Messaging;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;

namespace PecosCrm.IntegrationTests.Messaging;

[Collection(AzuriteCollection.Name)]
public sealed class MessagingTests(AzuriteFixture fixture)
{
    private static Dictionary<string, string?> SendGridSettings(RecordingEndpoint sendGrid, string? publicKey = null) => new()
    {
        ["Hosting:RunTimers"] = "false",
        ["Messaging:SendGridApiKey"] = "SG.test-key",
        ["Messaging:SendGridApiHost"] = sendGrid.Url,
        ["Messaging:FirstRetryDelay"] = "00:00:00.200",
        ["Messaging:SendGridWebhookPublicKey"] = publicKey,
        ["Messaging:PublicBaseUrl"] = "https://crm.example",
    };

    private static async Task<string> CustomerAsync(HttpClient admin, string id, bool consent = true, string? timeZone = null)
    {
        await (await admin.PostJsonAsync("/api/customers", Customer(id, "Wade", "Boone", $"{id}@example.com", extra: new { consent = new { email = consent }, timeZone }))).AssertJsonAsync(HttpStatusCode.Created);
        return id;
    }

    private static async Task<JsonNode> WaitForStatusAsync(HttpClient admin, string customerId, string messageId, params string[] statuses)
    {
        JsonNode? message = null;
        await HttpAssertions.EventuallyAsync(async () =>
        {
            message = await (await admin.GetAsync($"/api/customers/{customerId}/messages/{messageId}")).AssertJsonAsync();
            return statuses.Contains(message["status"]!.GetValue<string>());
        }, "message status " + string.Join("/", statuses));
        return message!;
    }

    [Fact]
    public async Task MarketingEmail_ThroughSendGrid_CarriesCustomArgsAndOneClickUnsubscribe_AfterTwoTransientFailures()
    {
        await using var sendGrid = await RecordingEndpoint.StartAsync();
        sendGrid.Answer(429, 503);
        await using var app = fixture.NewApp(SendGridSettings(sendGrid));
        var admin = app.Admin();
        var id = await CustomerAsync(admin, "mail-" + app.Prefix);

        var accepted = await (await admin.PostJsonAsync("/api/messages/email", new
        {
            customerId = id, subject = "New boots for fall", html = "<p>Hi Wade, the <b>Cattleman</b> is back.</p>", purpose = "marketing",
        })).AssertJsonAsync(HttpStatusCode.Accepted);
        var messageId = accepted["id"]!.GetValue<string>();
        var sent = await WaitForStatusAsync(admin, id, messageId, "sent", "failed");
        var timeline = await (await admin.GetAsync($"/api/customers/{id}/timeline?type=email")).AssertJsonAsync();

        Assert.Equal("sent", sent["status"]!.GetValue<string>());
        Assert.Equal(3, sent["attempts"]!.GetValue<int>());
        Assert.Equal(3, sendGrid.Requests.Count);
        var request = sendGrid.Requests.Last();
        Assert.Equal("/v3/mail/send", request.Path);
        Assert.Equal("Bearer SG.test-key", request.Headers["Authorization"]);
        var mail = JsonNode.Parse(request.Body)!;
        Assert.Equal($"{id}@example.com", mail["personalizations"]![0]!["to"]![0]!["email"]!.GetValue<string>());
        var personalization = mail["personalizations"]![0]!;
        Assert.Equal(messageId, personalization["custom_args"]!["pecos_message_id"]!.GetValue<string>());
        Assert.Equal(id, personalization["custom_args"]!["pecos_customer_id"]!.GetValue<string>());
        Assert.StartsWith("<https://crm.example/api/unsubscribe/", personalization["headers"]!["List-Unsubscribe"]!.GetValue<string>());
        Assert.Equal("List-Unsubscribe=One-Click", personalization["headers"]!["List-Unsubscribe-Post"]!.GetValue<string>());
        Assert.Contains("Cattleman", mail["content"]!.AsArray().First(c => c!["type"]!.GetValue<string>() == "text/plain")!["value"]!.GetValue<string>());
        Assert.Contains(timeline["items"]!.AsArray(), e => e!["title"]!.GetValue<string>() == "Email sent: New boots for fall");
    }

    [Fact]
    public async Task PermanentFailure_MarksFailedWithReason_AndIsNotRetried()
    {
        await using var sendGrid = await RecordingEndpoint.StartAsync();
        sendGrid.Answer(400);
        await using var app = fixture.NewApp(SendGridSettings(sendGrid));
        var admin = app.Admin();
        var id = await CustomerAsync(admin, "perm-" + app.Prefix);

        var accepted = await (await admin.PostJsonAsync("/api/messages/email", new { customerId = id, subject = "Your order", text = "Thanks!" })).AssertJsonAsync(HttpStatusCode.Accepted);
        var failed = await WaitForStatusAsync(admin, id, accepted["id"]!.GetValue<string>(), "failed", "sent");

        Assert.Equal("failed", failed["status"]!.GetValue<string>());
        Assert.Contains("SendGrid answered 400", failed["error"]!.GetValue<string>());
        Assert.Single(sendGrid.Requests);
    }

    [Fact]
    public async Task SuppressedOrNonConsenting_MarketingIsSkippedWithTheReason_TransactionalStillGoesToUnsubscribed()
    {
        await using var app = fixture.NewApp(new Dictionary<string, string?> { ["Hosting:RunTimers"] = "false" });
        var admin = app.Admin();
        var bounced = await CustomerAsync(admin, "bounced-" + app.Prefix);
        var noConsent = await CustomerAsync(admin, "quiet-" + app.Prefix, consent: false);
        var unsubscribed = await CustomerAsync(admin, "unsub-" + app.Prefix);
        await (await admin.PostJsonAsync("/api/suppressions", new { address = $"{bounced}@example.com", reason = "bounced" })).AssertJsonAsync(HttpStatusCode.Created);
        await (await admin.PostJsonAsync("/api/suppressions/import", new { addresses = new[] { $"{unsubscribed}@EXAMPLE.com" }, reason = "unsubscribed" })).AssertJsonAsync();
        var badImport = await (await admin.PostJsonAsync("/api/suppressions/import", new { addresses = new[] { "not-an-address" } })).AssertProblemAsync(HttpStatusCode.BadRequest);

        var toBounced = await (await admin.PostJsonAsync("/api/messages/email", new { customerId = bounced, subject = "Sale", text = "20% off", purpose = "marketing" })).AssertJsonAsync(HttpStatusCode.Accepted);
        var toQuiet = await (await admin.PostJsonAsync("/api/messages/email", new { customerId = noConsent, subject = "Sale", text = "20% off", purpose = "marketing" })).AssertJsonAsync(HttpStatusCode.Accepted);
        var toUnsubMarketing = await (await admin.PostJsonAsync("/api/messages/email", new { customerId = unsubscribed, subject = "Sale", text = "20% off", purpose = "marketing" })).AssertJsonAsync(HttpStatusCode.Accepted);
        var toUnsubOrder = await (await admin.PostJsonAsync("/api/messages/email", new { customerId = unsubscribed, subject = "Order shipped", text = "On its way" })).AssertJsonAsync(HttpStatusCode.Accepted);
        var sent = await WaitForStatusAsync(admin, unsubscribed, toUnsubOrder["id"]!.GetValue<string>(), "sent");
        var outbox = await (await admin.GetAsync("/api/outbox")).AssertJsonAsync();
        var export = await (await admin.GetAsync("/api/suppressions/export")).Content.ReadAsStringAsync();

        Assert.Equal("skipped", toBounced["status"]!.GetValue<string>());
        Assert.Contains("suppressed (bounced", toBounced["error"]!.GetValue<string>());
        Assert.Equal("skipped", toQuiet["status"]!.GetValue<string>());
        Assert.Contains("not consented", toQuiet["error"]!.GetValue<string>());
        Assert.Equal("skipped", toUnsubMarketing["status"]!.GetValue<string>());
        Assert.Equal("sent", sent["status"]!.GetValue<string>());
        var items = outbox["items"]!.AsArray();
        Assert.Single(items);
        Assert.Equal("Order shipped", items[0]!["subject"]!.GetValue<string>());
        Assert.Contains($"{unsubscribed}@example.com,unsubscribed,true", export);
        Assert.Contains("addresses", badImport["errors"]!.AsObject().Select(e => e.Key));
    }

    [Fact]
    public async Task Webhook_SignedEventsApplyOnce_BadSignatureUnsignedAndStaleAre401()
    {
        using var signer = new SendGridSigner();
        using var stranger = new SendGridSigner();
        await using var sendGrid = await RecordingEndpoint.StartAsync();
        await using var app = fixture.NewApp(SendGridSettings(sendGrid, signer.PublicKey));
        var admin = app.Admin();
        var anonymous = app.ClientWithKey(null);
        var id = await CustomerAsync(admin, "hook-" + app.Prefix);
        var email = $"{id}@example.com";
        var accepted = await (await admin.PostJsonAsync("/api/messages/email", new { customerId = id, subject = "Roper boots", text = "New in", purpose = "marketing" })).AssertJsonAsync(HttpStatusCode.Accepted);
        var messageId = accepted["id"]!.GetValue<string>();
        await WaitForStatusAsync(admin, id, messageId, "sent");
        var now = DateTimeOffset.UtcNow;
        var events = new JsonArray(
            SendGridSigner.Event("delivered", "ev-1-" + app.Prefix, id, messageId, email, now),
            SendGridSigner.Event("open", "ev-2-" + app.Prefix, id, messageId, email, now.AddMinutes(5)),
            SendGridSigner.Event("open", "ev-2-" + app.Prefix, id, messageId, email, now.AddMinutes(5)),
            SendGridSigner.Event("click", "ev-3-" + app.Prefix, id, messageId, email, now.AddMinutes(6), url: "https://pecos.example/boots"));

        var unsigned = await anonymous.SendAsync(signer.Request(events, now, sign: false));
        var forged = await anonymous.SendAsync(signer.Request(events, now, otherKey: stranger));
        var stale = await anonymous.SendAsync(signer.Request(events, now.AddHours(-1)));
        var ok = await anonymous.SendAsync(signer.Request(events, now));
        var again = await anonymous.SendAsync(signer.Request((JsonArray)events.DeepClone(), now));
        // The events of a batch are applied side by side, so wait for all of them, not for the furthest status.
        JsonNode? clicked = null;
        await HttpAssertions.EventuallyAsync(async () =>
        {
            clicked = await (await admin.GetAsync($"/api/customers/{id}/messages/{messageId}")).AssertJsonAsync();
            return clicked["steps"]!.AsObject().Count(s => s.Key is "delivered" or "opened" or "clicked") == 3;
        }, "delivered, opened and clicked");
        await admin.WaitForMetricsAsync(id, m => m["metrics"]!["engagement"]!["emailClicks"]!.GetValue<int>() == 1
            && m["metrics"]!["engagement"]!["emailOpens"]!.GetValue<int>() == 1, "engagement counted");
        var metrics = await (await admin.GetAsync($"/api/customers/{id}/metrics")).AssertJsonAsync();
        var timeline = await (await admin.GetAsync($"/api/customers/{id}/timeline?type=email&limit=50")).AssertJsonAsync();
        var bounce = await anonymous.SendAsync(signer.Request(new JsonArray(SendGridSigner.Event("bounce", "ev-4-" + app.Prefix, id, messageId, email, now.AddMinutes(7), type: "bounce")), now));
        Assert.Equal(HttpStatusCode.OK, bounce.StatusCode);
        JsonNode? suppressed = null;
        await HttpAssertions.EventuallyAsync(async () =>
        {
            suppressed = await (await admin.GetAsync("/api/suppressions")).AssertJsonAsync();
            return suppressed["items"]!.AsArray().Count == 1;
        }, "bounce suppressed");

        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("clicked", clicked!["status"]!.GetValue<string>());
        Assert.Equal(1, metrics["metrics"]!["engagement"]!["emailOpens"]!.GetValue<int>());
        Assert.Equal(1, metrics["metrics"]!["engagement"]!["emailClicks"]!.GetValue<int>());
        var titles = timeline["items"]!.AsArray().Select(e => e!["title"]!.GetValue<string>()).ToList();
        Assert.Single(titles, t => t == "Opened email \"Roper boots\"");
        Assert.Single(titles, t => t == "Clicked a link in \"Roper boots\"");
        Assert.Equal(email, suppressed!["items"]![0]!["address"]!.GetValue<string>());
        Assert.Equal("bounced", suppressed["items"]![0]!["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task OneClickUnsubscribe_FromTheLink_StopsMarketing_AndAForgedTokenIsRefused()
    {
        await using var app = fixture.NewApp(new Dictionary<string, string?> { ["Hosting:RunTimers"] = "false" });
        var admin = app.Admin();
        var anonymous = app.ClientWithKey(null);
        var id = await CustomerAsync(admin, "oneclick-" + app.Prefix);
        var first = await (await admin.PostJsonAsync("/api/messages/email", new { customerId = id, subject = "Hat sale", text = "Felt hats", purpose = "marketing" })).AssertJsonAsync(HttpStatusCode.Accepted);
        await WaitForStatusAsync(admin, id, first["id"]!.GetValue<string>(), "sent");
        var outbox = await (await admin.GetAsync("/api/outbox")).AssertJsonAsync();
        var link = outbox["items"]![0]!["headers"]!["List-Unsubscribe"]!.GetValue<string>().Trim('<', '>');
        var path = new Uri(link).AbsolutePath;

        var page = await anonymous.GetAsync(path);
        var forged = await anonymous.PostAsync(path[..^3] + "xyz", new StringContent("List-Unsubscribe=One-Click", Encoding.UTF8, "application/x-www-form-urlencoded"));
        var oneClick = await anonymous.PostAsync(path, new StringContent("List-Unsubscribe=One-Click", Encoding.UTF8, "application/x-www-form-urlencoded"));
        var preferences = await (await admin.GetAsync($"/api/customers/{id}/preferences")).AssertJsonAsync();
        var second = await (await admin.PostJsonAsync("/api/messages/email", new { customerId = id, subject = "Another sale", text = "More hats", purpose = "marketing" })).AssertJsonAsync(HttpStatusCode.Accepted);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<form method=\"post\"", await page.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, oneClick.StatusCode);
        Assert.False(preferences["marketingEmail"]!.GetValue<bool>());
        Assert.True(preferences["transactionalEmail"]!.GetValue<bool>());
        Assert.Equal("skipped", second["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task ScheduledAtLocalNineInTheCustomersZone_CanBeCancelled_OrIsSentWhenDue()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.Zero));
        await using var app = fixture.NewApp(new Dictionary<string, string?> { ["Hosting:RunTimers"] = "false" }, time);
        var admin = app.Admin();
        var id = await CustomerAsync(admin, "local-" + app.Prefix, timeZone: "America/Chicago");

        var keep = await (await admin.PostJsonAsync("/api/messages/email", new { customerId = id, subject = "Morning", text = "Coffee and boots", localTime = "09:00" })).AssertJsonAsync(HttpStatusCode.Accepted);
        var drop = await (await admin.PostJsonAsync("/api/messages/email", new { customerId = id, subject = "Dropped", text = "Never mind", sendAt = time.GetUtcNow().AddHours(1) })).AssertJsonAsync(HttpStatusCode.Accepted);
        var cancelled = await (await admin.PostAsync($"/api/customers/{id}/messages/{drop["id"]}/cancel", null)).AssertJsonAsync();
        var cancelAgain = await admin.PostAsync($"/api/customers/{id}/messages/{drop["id"]}/cancel", null);
        var badTime = await (await admin.PostJsonAsync("/api/messages/email", new { customerId = id, subject = "x", text = "y", localTime = "9am" })).AssertProblemAsync(HttpStatusCode.BadRequest);
        var messages = app.Services.GetRequiredService<MessageService>();
        var early = await messages.DispatchDueAsync();
        time.Advance(TimeSpan.FromHours(3));
        var due = await messages.DispatchDueAsync();
        var sent = await WaitForStatusAsync(admin, id, keep["id"]!.GetValue<string>(), "sent");
        var suggestion = await (await admin.GetAsync($"/api/customers/{id}/send-time")).AssertJsonAsync();

        // 09:00 in Chicago on 10 March 2026 (daylight time since 8 March, UTC-5) is 14:00 UTC.
        Assert.Equal(new DateTimeOffset(2026, 3, 10, 14, 0, 0, TimeSpan.Zero), keep["scheduledAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal("scheduled", keep["status"]!.GetValue<string>());
        Assert.Equal("cancelled", cancelled["status"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Conflict, cancelAgain.StatusCode);
        Assert.Contains("localTime", badTime["errors"]!.AsObject().Select(e => e.Key));
        Assert.Equal(0, early);
        Assert.Equal(1, due);
        Assert.Equal("sent", sent["status"]!.GetValue<string>());
        Assert.Equal("default", suggestion["basis"]!.GetValue<string>());
        Assert.Equal("09:00", suggestion["localTime"]!.GetValue<string>());
    }

    [Fact]
    public async Task ManualLog_PhoneCallAndInboundSms_ShowInTheLogAndTimeline()
    {
        await using var app = fixture.NewApp(new Dictionary<string, string?> { ["Hosting:RunTimers"] = "false" });
        var admin = app.Admin();
        var id = await CustomerAsync(admin, "log-" + app.Prefix);

        await (await admin.PostJsonAsync($"/api/customers/{id}/messages", new { channel = "phone", direction = "inbound", subject = "Sizing question", content = "Asked about half sizes in ropers." })).AssertJsonAsync(HttpStatusCode.Created);
        await (await admin.PostJsonAsync($"/api/customers/{id}/messages", new { channel = "sms", direction = "outbound", content = "Your boots shipped!" })).AssertJsonAsync(HttpStatusCode.Created);
        var bad = await (await admin.PostJsonAsync($"/api/customers/{id}/messages", new { channel = "pigeon", direction = "inbound", content = "coo" })).AssertProblemAsync(HttpStatusCode.BadRequest);
        var log = await (await admin.GetAsync($"/api/customers/{id}/messages")).AssertJsonAsync();
        var phone = await (await admin.GetAsync($"/api/customers/{id}/messages?channel=phone")).AssertJsonAsync();

        Assert.Equal(2, log["items"]!.AsArray().Count);
        Assert.Equal("received", phone["items"]![0]!["status"]!.GetValue<string>());
        Assert.NotNull(bad["errors"]);
    }
}
