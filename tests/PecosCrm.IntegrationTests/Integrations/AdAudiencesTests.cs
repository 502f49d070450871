using System.Net;
using System.Security.Cryptography;
using System.Text;
using PecosCrm.IntegrationTests.Analytics;
using PecosCrm.IntegrationTests.Campaigns;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;

namespace PecosCrm.IntegrationTests.Integrations;

[Collection(AzuriteCollection.Name)]
public sealed class AdAudiencesTests(AzuriteFixture fixture)
{
    [Fact]
    public async Task FacebookFile_HoldsTheConsentingMembersHashed_AndLeavesTheOthersOut()
    {
        var app = fixture.App;
        var admin = app.Admin();
        var prefix = NewId("aud");
        var consenting = await CampaignTestKit.CustomersAsync(admin, prefix + "-yes", 2);
        var declined = await CampaignTestKit.CustomersAsync(admin, prefix + "-no", 1, consent: false);
        var segmentId = await ExportsTests.WriteSegmentAsync(app, "Boot Buyers", [.. consenting, .. declined, prefix + "-erased"]);

        var created = await admin.PostJsonAsync("/api/integrations/audiences", new { segmentId, platform = "facebook" });
        var missing = await admin.PostJsonAsync("/api/integrations/audiences", new { segmentId });
        var unknown = await admin.PostJsonAsync("/api/integrations/audiences", new { segmentId = "no-such-segment", platform = "google" });

        var file = await created.AssertJsonAsync(HttpStatusCode.Created);
        Assert.Equal(2, file["rows"]!.GetValue<int>());
        Assert.Equal(2, file["skipped"]!.GetValue<int>());
        using var http = new HttpClient();
        var lines = (await http.GetStringAsync(file["downloadUrl"]!.GetValue<string>())).Trim().Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        Assert.Equal("email,phone,fn,ln,zip,ct,st,country", lines[0]);
        var emails = lines.Skip(1).Select(l => l.Split(',')[0]).Order().ToList();
        Assert.Equal(consenting.Select(id => Sha($"{id}@range.example")).Order(), emails);
        Assert.True((await missing.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!.AsObject().ContainsKey("platform"));
        await unknown.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    private static string Sha(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
}
