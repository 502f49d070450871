using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using PecosCrm.Core.Audit;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;

namespace PecosCrm.IntegrationTests.Platform;

/// <summary>Reads of a customer's data leave audit entries: who, which customer, when.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AuditReadsTests(AzuriteFixture fixture)
{
    private static async Task<JsonArray> EntriesAsync(HttpClient admin, string customerId) =>
        (await (await admin.GetAsync($"/api/audit?entityType=customer&entityId={customerId}")).AssertJsonAsync())["items"]!.AsArray();

    [Fact]
    public async Task ProfileAnd360ViewsAndGdprExport_LeaveAuditEntries_NamingWhoAndWhen()
    {
        await using var app = fixture.NewApp(new Dictionary<string, string?> { ["Hosting:RunTimers"] = "false", ["Audit:FlushInterval"] = "00:00:00.200" });
        var admin = app.Admin();
        var staff = await (await admin.PostJsonAsync("/api/staff", new { name = "Rosa Vega", email = $"rosa-{app.Prefix}@pecos.example", role = "agent" })).AssertJsonAsync(HttpStatusCode.Created);
        var key = await (await admin.PostJsonAsync("/api/keys", new { name = "Rosa", owner = "staff", staffId = staff["id"] })).AssertJsonAsync(HttpStatusCode.Created);
        var rosa = app.ClientWithKey(key["secret"]!.GetValue<string>());
        var id = "viewed-" + app.Prefix;
        await (await admin.PostJsonAsync("/api/customers", Customer(id))).AssertJsonAsync(HttpStatusCode.Created);
        var before = DateTimeOffset.UtcNow;

        await (await rosa.GetAsync($"/api/customers/{id}/360")).AssertJsonAsync();
        await (await rosa.GetAsync($"/api/customers/{id}")).AssertJsonAsync();
        var export = await admin.GetAsync($"/api/customers/{id}/gdpr-export");
        JsonArray entries = [];
        await HttpAssertions.EventuallyAsync(async () =>
        {
            entries = await EntriesAsync(admin, id);
            return entries.Count(e => e!["action"]!.GetValue<string>() == "customer.viewed") == 2;
        }, () => "two views in the audit log: " + entries.ToJsonString());

        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        var views = entries.Where(e => e!["action"]!.GetValue<string>() == "customer.viewed").ToList();
        Assert.All(views, v => Assert.Equal(staff["id"]!.GetValue<string>(), v!["actor"]!["id"]!.GetValue<string>()));
        Assert.All(views, v => Assert.Equal("Rosa Vega", v!["actor"]!["name"]!.GetValue<string>()));
        Assert.All(views, v => Assert.True(v!["at"]!.GetValue<DateTimeOffset>() >= before.AddSeconds(-5)));
        Assert.Equal(["360", "profile"], views.Select(v => JsonNode.Parse(v!["newValues"]!.GetValue<string>())!["view"]!.GetValue<string>()).Order());
        Assert.Contains(entries, e => e!["action"]!.GetValue<string>() == "customer.gdpr_exported");
    }

    [Fact]
    public async Task Views_AreBufferedOffTheRequestPath_AndWrittenWhenTheAppStops()
    {
        var settings = new Dictionary<string, string?> { ["Hosting:RunTimers"] = "false", ["Audit:FlushInterval"] = "01:00:00" };
        string prefix, key;
        var ids = new List<string>();
        await using (var app = fixture.NewApp(settings))
        {
            (prefix, key) = (app.Prefix, app.AdminKey);
            var admin = app.Admin();
            for (var i = 0; i < 3; i++)
            {
                var id = $"buffered{i}-{app.Prefix}";
                ids.Add(id);
                await (await admin.PostJsonAsync("/api/customers", Customer(id))).AssertJsonAsync(HttpStatusCode.Created);
                await (await admin.GetAsync($"/api/customers/{id}/360")).AssertJsonAsync();
            }

            // Nothing written yet: the views wait in memory for the next flush.
            Assert.Equal(3, app.Services.GetRequiredService<AuditReads>().Pending);
            foreach (var id in ids)
            {
                Assert.DoesNotContain(await EntriesAsync(admin, id), e => e!["action"]!.GetValue<string>() == "customer.viewed");
            }
        }

        await using var restarted = fixture.NewApp(settings, prefix: prefix);
        var client = restarted.ClientWithKey(key);
        foreach (var id in ids)
        {
            var viewed = Assert.Single(await EntriesAsync(client, id), e => e!["action"]!.GetValue<string>() == "customer.viewed");
            Assert.Equal(id, viewed!["entityId"]!.GetValue<string>());
        }
        var all = (await (await client.GetAsync("/api/audit?entityType=customer&limit=500")).AssertJsonAsync())["items"]!.AsArray();
        Assert.Equal(3, all.Count(e => e!["action"]!.GetValue<string>() == "customer.viewed"));
    }
}
