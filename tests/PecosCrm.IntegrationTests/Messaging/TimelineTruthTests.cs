using System.Net;
using System.Text.Json.Nodes;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;

namespace PecosCrm.IntegrationTests.Messaging;

/// <summary>What SendGrid's opens and clicks leave on the customer's timeline.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class TimelineTruthTests(AzuriteFixture fixture)
{
    [Fact]
    public async Task OneOpenAndOneClick_MakeOneTimelineEntryEach_ByTheCustomer_NotByTheSender()
    {
        using var signer = new SendGridSigner();
        await using var sendGrid = await RecordingEndpoint.StartAsync();
        await using var app = fixture.NewApp(new Dictionary<string, string?>
        {
            ["Hosting:RunTimers"] = "false",
            ["Messaging:SendGridApiKey"] = "SG.test-key",
            ["Messaging:SendGridApiHost"] = sendGrid.Url,
            ["Messaging:SendGridWebhookPublicKey"] = signer.PublicKey,
        });
        var admin = app.Admin();
        var id = "truth-" + app.Prefix;
        var email = $"{id}@example.com";
        await (await admin.PostJsonAsync("/api/customers", Customer(id, "Wade", "Boone", email, extra: new { consent = new { email = true } }))).AssertJsonAsync(HttpStatusCode.Created);
        var accepted = await (await admin.PostJsonAsync("/api/messages/email", new { customerId = id, subject = "Roper boots", text = "New in" })).AssertJsonAsync(HttpStatusCode.Accepted);
        var messageId = accepted["id"]!.GetValue<string>();
        var sentBy = accepted["sentBy"]!.GetValue<string>();
        await HttpAssertions.EventuallyAsync(async () =>
            (await (await admin.GetAsync($"/api/customers/{id}/messages/{messageId}")).AssertJsonAsync())["status"]!.GetValue<string>() == "sent", "sent");
        var now = DateTimeOffset.UtcNow;

        var response = await app.ClientWithKey(null).SendAsync(signer.Request(new JsonArray(
            SendGridSigner.Event("open", "truth-open-" + app.Prefix, id, messageId, email, now.AddMinutes(1)),
            SendGridSigner.Event("click", "truth-click-" + app.Prefix, id, messageId, email, now.AddMinutes(2), url: "https://pecos.example/boots")), now));
        await admin.WaitForMetricsAsync(id, m => m["metrics"]!["engagement"]!["emailClicks"]!.GetValue<int>() == 1
            && m["metrics"]!["engagement"]!["emailOpens"]!.GetValue<int>() == 1, "engagement counted");
        var timeline = await (await admin.GetAsync($"/api/customers/{id}/timeline?limit=50")).AssertJsonAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var entries = timeline["items"]!.AsArray().Select(e => e!.AsObject()).ToList();
        var engagement = entries.Where(e => e["title"]!.GetValue<string>() is var t
            && (t.Contains("pened", StringComparison.Ordinal) || t.Contains("lick", StringComparison.Ordinal))).ToList();
        Assert.Equal(2, engagement.Count);
        Assert.All(engagement, e => Assert.Equal("customer", e["actor"]!.GetValue<string>()));
        Assert.DoesNotContain(engagement, e => e["actor"]!.GetValue<string>() == sentBy);
    }
}
