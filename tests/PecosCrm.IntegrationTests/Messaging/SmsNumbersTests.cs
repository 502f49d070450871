using System.Net;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;

namespace PecosCrm.IntegrationTests.Messaging;

/// <summary>SMS numbers in E.164, read in the store's country when they have no country code.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class SmsNumbersTests(AzuriteFixture fixture)
{
    private static async Task<string> CustomerAsync(HttpClient admin, string id, string phone)
    {
        await (await admin.PostJsonAsync("/api/customers", Customer(id, "Wade", "Boone", $"{id}@example.com", phone, extra: new { consent = new { email = true, sms = true } })))
            .AssertJsonAsync(HttpStatusCode.Created);
        return id;
    }

    [Fact]
    public async Task Sms_GoesToTheNumberInE164_AndANumberSmsCannotReachIsA400()
    {
        var admin = fixture.App.Admin();
        var good = await CustomerAsync(admin, NewId("sms-ok"), "(432) 555-0147");
        var local = await CustomerAsync(admin, NewId("sms-local"), "555-0147");

        var sent = await (await admin.PostJsonAsync("/api/messages/sms", new { customerId = good, text = "Howdy {{customer.first_name}}, your boots shipped." })).AssertJsonAsync(HttpStatusCode.Accepted);
        var refused = await admin.PostJsonAsync("/api/messages/sms", new { customerId = local, text = "Howdy" });

        Assert.Equal("+14325550147", sent["to"]!.GetValue<string>());
        Assert.Equal("Howdy Wade, your boots shipped.", sent["text"]!.GetValue<string>());
        var problem = await refused.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("E.164", problem["errors"]!["customerId"]![0]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SmsSuppressions_AreKeptInE164_MatchAnyWritingOfTheNumber_AndRefuseWhatIsNotANumber()
    {
        var admin = fixture.App.Admin();
        var suffix = Random.Shared.Next(1000, 9999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var customer = await CustomerAsync(admin, NewId("sms-sup"), $"432.555.{suffix}");

        var added = await (await admin.PostJsonAsync("/api/suppressions", new { channel = "sms", address = $"(432) 555-{suffix}", reason = "manual" })).AssertJsonAsync(HttpStatusCode.Created);
        var bad = await admin.PostJsonAsync("/api/suppressions", new { channel = "sms", address = "call me maybe" });
        var blocked = await (await admin.PostJsonAsync("/api/messages/sms", new { customerId = customer, text = "Order shipped" })).AssertJsonAsync(HttpStatusCode.Accepted);

        Assert.Equal($"+1432555{suffix}", added["address"]!.GetValue<string>());
        var problem = await bad.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("E.164", problem["errors"]!["address"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("skipped", blocked["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task StoreCountry_IsTheDefaultRegion()
    {
        await using var app = fixture.NewApp(new Dictionary<string, string?> { ["Hosting:RunTimers"] = "false", ["Store:Country"] = "GB" });
        var admin = app.Admin();
        var id = await CustomerAsync(admin, "sms-gb-" + app.Prefix, "020 7946 0958");

        var sent = await (await admin.PostJsonAsync("/api/messages/sms", new { customerId = id, text = "Cheerio" })).AssertJsonAsync(HttpStatusCode.Accepted);

        Assert.Equal("+442079460958", sent["to"]!.GetValue<string>());
    }
}
