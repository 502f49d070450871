using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;

namespace PecosCrm.IntegrationTests.Messaging;

[Collection(AzuriteCollection.Name)]
public sealed class InboxTests(AzuriteFixture fixture)
{
    private const string ParseKey = "parse-secret";
    private const string SmsToken = "twilio-token";

    private static Dictionary<string, string?> Settings(RecordingEndpoint? sms = null) => new()
    {
        ["Hosting:RunTimers"] = "false",
        ["Messaging:InboundParseKey"] = ParseKey,
        ["Messaging:SmsAuthToken"] = SmsToken,
        ["Messaging:PublicBaseUrl"] = "https://crm.example",
        ["Messaging:SmsAccountSid"] = sms is null ? null : "AC123",
        ["Messaging:SmsApiBaseUrl"] = sms?.Url,
        ["Messaging:SmsFrom"] = "+15055550100",
    };

    private static MultipartFormDataContent Email(string from, string subject, string text) => new()
    {
        { new StringContent(from), "from" },
        { new StringContent("support@pecosrivertraders.example"), "to" },
        { new StringContent(subject), "subject" },
        { new StringContent(text), "text" },
    };

    private static HttpRequestMessage Sms(string from, string body, string token = SmsToken)
    {
        var form = new Dictionary<string, string> { ["From"] = from, ["To"] = "+15055550100", ["Body"] = body, ["MessageSid"] = "SM" + Guid.NewGuid().ToString("N") };
        var data = new StringBuilder("https://crm.example/api/webhooks/sms/inbound");
        foreach (var (key, value) in form.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            data.Append(key).Append(value);
        }
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/sms/inbound") { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("X-Twilio-Signature", Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(data.ToString()))));
        return request;
    }

    [Fact]
    public async Task InboundEmail_MatchedThreadedAssignedReadArchived_AndAnsweredByEmail()
    {
        await using var app = fixture.NewApp(Settings());
        var admin = app.Admin();
        var anonymous = app.ClientWithKey(null);
        var id = "inbox-" + app.Prefix;
        var address = $"{id}@example.com";
        await (await admin.PostJsonAsync("/api/customers", Customer(id, "John", "Smith", address))).AssertJsonAsync(HttpStatusCode.Created);
        var agent = await (await admin.PostJsonAsync("/api/staff", new { name = "Rosa Vega", email = $"rosa-{app.Prefix}@pecos.example", role = "agent" })).AssertJsonAsync(HttpStatusCode.Created);

        var refused = await anonymous.PostAsync("/api/webhooks/sendgrid/inbound?key=wrong", Email(address, "Boot sizing", "Hi"));
        var first = await (await anonymous.PostAsync($"/api/webhooks/sendgrid/inbound?key={ParseKey}", Email($"John Smith <{address}>", "Question about boot sizing", "Do the ropers run large?"))).AssertJsonAsync();
        var second = await (await anonymous.PostAsync($"/api/webhooks/sendgrid/inbound?key={ParseKey}", Email(address, "RE: Question about boot sizing", "Also, wide widths?"))).AssertJsonAsync();
        var conversationId = first["conversation"]!.GetValue<string>();
        var inbox = await (await admin.GetAsync("/api/inbox")).AssertJsonAsync();
        var assigned = await (await admin.PostJsonAsync($"/api/inbox/{conversationId}/assign", new { staffId = agent["id"] })).AssertJsonAsync();
        var badAssign = await (await admin.PostJsonAsync($"/api/inbox/{conversationId}/assign", new { staffId = "nobody" })).AssertProblemAsync(HttpStatusCode.BadRequest);
        var read = await (await admin.PostAsync($"/api/inbox/{conversationId}/read", null)).AssertJsonAsync();
        var replied = await (await admin.PostJsonAsync($"/api/inbox/{conversationId}/reply", new { text = "They run true to size; wide widths are in stock." })).AssertJsonAsync();
        var thread = await (await admin.GetAsync($"/api/inbox/{conversationId}")).AssertJsonAsync();
        await (await admin.PostAsync($"/api/inbox/{conversationId}/archive", null)).AssertJsonAsync();
        var open = await (await admin.GetAsync("/api/inbox")).AssertJsonAsync();
        var archived = await (await admin.GetAsync("/api/inbox?status=archived")).AssertJsonAsync();
        var log = await (await admin.GetAsync($"/api/customers/{id}/messages?channel=email")).AssertJsonAsync();
        JsonNode? outbox = null;
        await HttpAssertions.EventuallyAsync(async () =>
        {
            outbox = await (await admin.GetAsync("/api/outbox")).AssertJsonAsync();
            return outbox["items"]!.AsArray().Count == 1;
        }, "reply sent");

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(conversationId, second["conversation"]!.GetValue<string>());
        var listed = inbox["items"]!.AsArray().Single()!;
        Assert.Equal(id, listed["customerId"]!.GetValue<string>());
        Assert.Equal(2, listed["unread"]!.GetValue<int>());
        Assert.Equal(2, inbox["unread"]!.GetValue<int>());
        Assert.Equal(agent["id"]!.GetValue<string>(), assigned["assignedTo"]!.GetValue<string>());
        Assert.Contains("staffId", badAssign["errors"]!.AsObject().Select(e => e.Key));
        Assert.Equal(0, read["unread"]!.GetValue<int>());
        Assert.Equal(0, replied["unread"]!.GetValue<int>());
        Assert.Equal(["inbound", "inbound", "outbound"], thread["messages"]!.AsArray().Select(m => m!["direction"]!.GetValue<string>()));
        Assert.Empty(open["items"]!.AsArray());
        Assert.Single(archived["items"]!.AsArray());
        Assert.Equal(3, log["items"]!.AsArray().Count);
        Assert.Equal("Re: Question about boot sizing", outbox!["items"]![0]!["subject"]!.GetValue<string>());
        Assert.Equal(address, outbox["items"]![0]!["to"]!.GetValue<string>());
    }

    [Fact]
    public async Task ContactFormFromAStranger_OpensAConversation_AndTheReplyGoesStraightOut()
    {
        await using var app = fixture.NewApp(Settings());
        var admin = app.Admin();

        var created = await (await admin.PostJsonAsync("/api/inbox/contact-form", new { name = "Mike Wilson", email = $"mike-{app.Prefix}@ranch.example", subject = "Wholesale inquiry", message = "Do you sell to feed stores?" })).AssertJsonAsync(HttpStatusCode.Created);
        var bad = await (await admin.PostJsonAsync("/api/inbox/contact-form", new { name = "No Email", message = "hello" })).AssertProblemAsync(HttpStatusCode.BadRequest);
        var replied = await (await admin.PostJsonAsync($"/api/inbox/{created["id"]}/reply", new { text = "Yes, we have a wholesale program." })).AssertJsonAsync();
        var outbox = await (await admin.GetAsync("/api/outbox")).AssertJsonAsync();

        Assert.Null(created["customerId"]);
        Assert.Equal("contact_form", created["source"]!.GetValue<string>());
        Assert.Contains("email", bad["errors"]!.AsObject().Select(e => e.Key));
        Assert.Equal("Re: Wholesale inquiry", outbox["items"]![0]!["subject"]!.GetValue<string>());
        Assert.Equal(created["id"]!.GetValue<string>(), outbox["items"]![0]!["customArgs"]!["pecos_conversation_id"]!.GetValue<string>());
        Assert.Equal(0, replied["unread"]!.GetValue<int>());
    }

    [Fact]
    public async Task InboundSms_SignedByTwilio_MatchedByPhone_ReplyGoesThroughTheSmsProvider()
    {
        await using var twilio = await RecordingEndpoint.StartAsync();
        await using var app = fixture.NewApp(Settings(twilio));
        var admin = app.Admin();
        var anonymous = app.ClientWithKey(null);
        var id = "sms-" + app.Prefix;
        await (await admin.PostJsonAsync("/api/customers", Customer(id, "Lisa", "Brown", $"{id}@example.com", "(505) 555-0199", extra: new { consent = new { email = true, sms = false } }))).AssertJsonAsync(HttpStatusCode.Created);

        var forged = await anonymous.SendAsync(Sms("+15055550199", "Where is my order?", token: "wrong-token"));
        var received = await anonymous.SendAsync(Sms("+15055550199", "Where is my order?"));
        var inbox = await (await admin.GetAsync("/api/inbox")).AssertJsonAsync();
        var conversation = inbox["items"]![0]!;
        await (await admin.PostJsonAsync($"/api/inbox/{conversation["id"]}/reply", new { text = "It ships tomorrow!" })).AssertJsonAsync();
        var marketing = await (await admin.PostJsonAsync("/api/messages/sms", new { customerId = id, text = "Boot sale!", purpose = "marketing" })).AssertJsonAsync(HttpStatusCode.Accepted);
        await HttpAssertions.EventuallyAsync(() => Task.FromResult(!twilio.Requests.IsEmpty), "SMS sent to the provider");

        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, received.StatusCode);
        Assert.Equal("sms", conversation["channel"]!.GetValue<string>());
        Assert.Equal(id, conversation["customerId"]!.GetValue<string>());
        var sent = twilio.Requests.Single();
        Assert.Equal("/2010-04-01/Accounts/AC123/Messages.json", sent.Path);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"AC123:{SmsToken}")), sent.Headers["Authorization"]);
        Assert.Contains("Body=It+ships+tomorrow%21", sent.Body);
        Assert.Contains("To=%2B15055550199", sent.Body);
        Assert.Equal("skipped", marketing["status"]!.GetValue<string>());
        Assert.Contains("not consented to marketing SMS", marketing["error"]!.GetValue<string>());
    }
}
