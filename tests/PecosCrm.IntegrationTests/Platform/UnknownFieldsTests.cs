using System.Net;
using System.Text.Json.Nodes;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;

namespace PecosCrm.IntegrationTests.Platform;

/// <summary>A request body naming a field its request does not take is refused, not half-read.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class UnknownFieldsTests(AzuriteFixture fixture)
{
    private static Dictionary<string, string?> SendGridSettings(RecordingEndpoint sendGrid) => new()
    {
        ["Hosting:RunTimers"] = "false",
        ["Messaging:SendGridApiKey"] = "SG.test-key",
        ["Messaging:SendGridApiHost"] = sendGrid.Url,
        ["Messaging:InboundParseKey"] = "parse-secret",
        ["Messaging:PublicBaseUrl"] = "https://crm.example",
    };

    [Fact]
    public async Task UnknownField_AnswersA400NamingIt_AndWritesNothing()
    {
        var app = fixture.App;
        var admin = app.Admin();
        var id = NewId("unknown");

        var customer = await (await admin.PostJsonAsync("/api/customers", Customer(id, extra: new { nickname = "Dusty" }))).AssertProblemAsync(HttpStatusCode.BadRequest);
        var staff = await (await admin.PostJsonAsync("/api/staff", new { name = "Rosa Vega", email = $"{id}@pecos.example", role = "agent", isBoss = true }))
            .AssertProblemAsync(HttpStatusCode.BadRequest);
        var nested = await (await admin.PostJsonAsync("/api/inbox/chat", new
        {
            email = $"{id}@riders.example", name = "Dusty", lines = new[] { new { from = "customer", text = "Hi", at = DateTimeOffset.UtcNow, colour = "red" } },
        })).AssertProblemAsync(HttpStatusCode.BadRequest);
        var missing = await admin.GetAsync($"/api/customers/{id}");

        Assert.Equal("is not a known field", customer["errors"]!["nickname"]![0]!.GetValue<string>());
        Assert.Contains("nickname", customer["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("is not a known field", staff["errors"]!["isBoss"]![0]!.GetValue<string>());
        Assert.Equal("is not a known field", nested["errors"]!["lines[0].colour"]![0]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task StoreEvents_StillTakeExtraDataFields()
    {
        var app = fixture.App;
        var admin = app.Admin();
        var id = NewId("extra-data");
        var data = new JsonObject { ["firstName"] = "Dusty", ["lastName"] = "Rhodes", ["email"] = $"{id}@riders.example", ["favouriteHorse"] = "Trigger" };

        var accepted = await admin.PostEventsAsync(Event(NewId("evt"), "customer.created", DateTimeOffset.UtcNow, id, data));

        Assert.Equal(1, accepted["accepted"]!.GetValue<int>());
    }

    [Fact]
    public async Task InternalNote_IsShownToStaffInTheThread_AndNeverSentToTheCustomer()
    {
        await using var sendGrid = await RecordingEndpoint.StartAsync();
        await using var app = fixture.NewApp(SendGridSettings(sendGrid));
        var admin = app.Admin();
        var id = "note-" + app.Prefix;
        var address = $"{id}@example.com";
        await (await admin.PostJsonAsync("/api/customers", Customer(id, "Wade", "Boone", address, extra: new { consent = new { email = true } }))).AssertJsonAsync(HttpStatusCode.Created);
        var form = new MultipartFormDataContent
        {
            { new StringContent(address), "from" },
            { new StringContent("Return label"), "subject" },
            { new StringContent("Where is my return label?"), "text" },
        };
        var inbound = await (await app.ClientWithKey(null).PostAsync("/api/webhooks/sendgrid/inbound?key=parse-secret", form)).AssertJsonAsync();
        var conversationId = inbound["conversation"]!.GetValue<string>();

        var internalReply = await (await admin.PostJsonAsync($"/api/inbox/{conversationId}/reply", new { text = "Customer is a serial returner.", @internal = true }))
            .AssertProblemAsync(HttpStatusCode.BadRequest);
        var note = await (await admin.PostJsonAsync($"/api/inbox/{conversationId}/notes", new { text = "Customer is a serial returner." })).AssertJsonAsync(HttpStatusCode.Created);
        var emptyNote = await (await admin.PostJsonAsync($"/api/inbox/{conversationId}/notes", new { text = " " })).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await admin.PostJsonAsync($"/api/inbox/{conversationId}/reply", new { text = "Your label is on its way." })).AssertJsonAsync();
        await HttpAssertions.EventuallyAsync(() => Task.FromResult(!sendGrid.Requests.IsEmpty), "the reply reaches SendGrid");
        var thread = await (await admin.GetAsync($"/api/inbox/{conversationId}")).AssertJsonAsync();
        var log = await (await admin.GetAsync($"/api/customers/{id}/messages")).AssertJsonAsync();

        Assert.Equal("is not a known field", internalReply["errors"]!["internal"]![0]!.GetValue<string>());
        Assert.True(note["internal"]!.GetValue<bool>());
        Assert.NotNull(emptyNote["errors"]!["text"]);
        var recorded = Assert.Single(sendGrid.Requests);
        Assert.Contains("Your label is on its way.", recorded.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("serial returner", recorded.Body, StringComparison.Ordinal);
        var messages = thread["messages"]!.AsArray();
        Assert.Equal(3, messages.Count);
        var shownNote = Assert.Single(messages, m => m!["internal"]!.GetValue<bool>());
        Assert.Equal("Customer is a serial returner.", shownNote!["text"]!.GetValue<string>());
        Assert.DoesNotContain(log["items"]!.AsArray(), m => m!.ToJsonString().Contains("serial returner", StringComparison.Ordinal));
    }
}
