using System.Net;
using Azure.Data.Tables;
using Azure.Storage.Blobs.Models;
using PecosCrm.Core.Storage;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;

namespace PecosCrm.IntegrationTests.Messaging;

[Collection(AzuriteCollection.Name)]
public sealed class ErasureEverywhereTests(AzuriteFixture fixture)
{
    [Fact]
    public async Task Erase_AfterMessagesInboxAutomationsSegmentsAndCodes_LeavesTheIdAndEmailInNoTableOrBlob()
    {
        await using var app = fixture.NewApp(new Dictionary<string, string?> { ["Hosting:RunTimers"] = "false" });
        var admin = app.Admin();
        var id = "gone-" + app.Prefix;
        var email = $"{id}@example.com";
        await (await admin.PostJsonAsync("/api/customers", Customer(id, "Wyatt", "Earp", email, "(505) 555-0142", extra: new { consent = new { email = true, sms = true } }))).AssertJsonAsync(HttpStatusCode.Created);
        await admin.PostEventsAsync(Event(NewId("e"), "order.placed", DateTimeOffset.UtcNow.AddDays(-2), id, Order(NewId("o"), id, DateTimeOffset.UtcNow.AddDays(-2), 220m)));
        await admin.WaitForMetricsAsync(id, m => m["metrics"]!["orderCount"]!.GetValue<int>() == 1, "order applied");
        var sent = await (await admin.PostJsonAsync("/api/messages/email", new { customerId = id, templateId = "order-confirmation" })).AssertJsonAsync(HttpStatusCode.Accepted);
        await (await admin.PostJsonAsync("/api/messages/email", new { customerId = id, subject = "Later", text = "x", sendAt = DateTimeOffset.UtcNow.AddDays(2) })).AssertJsonAsync(HttpStatusCode.Accepted);
        await (await admin.PostJsonAsync("/api/inbox/contact-form", new { name = "Wyatt Earp", email, subject = "Spurs", message = "Do you sell spurs?" })).AssertJsonAsync(HttpStatusCode.Created);
        var workflow = await (await admin.PostJsonAsync("/api/automations", new
        {
            name = "Hold " + app.Prefix,
            trigger = new { kind = "manual" },
            nodes = new object[]
            {
                new { id = "start", type = "trigger", next = "wait" },
                new { id = "wait", type = "wait", duration = "2.00:00:00", next = "done" },
                new { id = "done", type = "end" },
            },
        })).AssertJsonAsync(HttpStatusCode.Created);
        await (await admin.PostAsync($"/api/automations/{workflow["id"]}/activate", null)).AssertJsonAsync();
        await (await admin.PostJsonAsync($"/api/automations/{workflow["id"]}/enrol", new { customerId = id })).AssertJsonAsync();
        var list = await (await admin.PostJsonAsync("/api/segments", new { name = "List", kind = "static", customerIds = new[] { id } })).AssertJsonAsync(HttpStatusCode.Created);
        var codes = await (await admin.PostJsonAsync($"/api/segments/{list["id"]}/actions", new { action = "discount_codes", discountKind = "percent", value = 10, expiresAt = DateTimeOffset.UtcNow.AddDays(5) })).AssertJsonAsync(HttpStatusCode.Accepted);
        await HttpAssertions.EventuallyAsync(async () =>
            (await (await admin.GetAsync($"/api/segments/actions/{codes["id"]}")).AssertJsonAsync())["state"]!.GetValue<string>() == "succeeded", "codes issued");
        await HttpAssertions.EventuallyAsync(async () =>
            (await (await admin.GetAsync($"/api/customers/{id}/messages/{sent["id"]}")).AssertJsonAsync())["status"]!.GetValue<string>() == "sent", "email sent");

        await (await admin.PostAsync($"/api/customers/{id}/erase", null)).AssertJsonAsync();

        var leftovers = new List<string>();
        foreach (var name in StorageNames.Tables.All.Where(t => t is not (StorageNames.Tables.Suppressions)))
        {
            await foreach (var row in app.Storage.Table(name).QueryAsync<TableEntity>())
            {
                var text = string.Join("|", row.Select(p => p.Value?.ToString()));
                if (text.Contains(id, StringComparison.OrdinalIgnoreCase) || text.Contains(email, StringComparison.OrdinalIgnoreCase))
                {
                    leftovers.Add($"{name}: {row.PartitionKey} / {row.RowKey}");
                }
            }
        }
        foreach (var container in StorageNames.Containers.All)
        {
            var client = app.Storage.Container(container);
            await foreach (var blob in client.GetBlobsAsync(BlobTraits.None, BlobStates.None, null, default))
            {
                if (blob.Name.EndsWith(".parquet", StringComparison.Ordinal) || blob.Name.EndsWith(".xlsx", StringComparison.Ordinal))
                {
                    continue;
                }
                var content = (await client.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToString();
                if (content.Contains(id, StringComparison.OrdinalIgnoreCase) || content.Contains(email, StringComparison.OrdinalIgnoreCase))
                {
                    leftovers.Add($"blob {container}/{blob.Name}");
                }
            }
        }
        var preview = await (await admin.PostJsonAsync("/api/segments/preview", new { rules = new { match = "all", rules = new[] { new { field = "email", op = "eq", value = email } } } })).AssertJsonAsync();

        Assert.Empty(leftovers);
        Assert.Equal(0, preview["count"]!.GetValue<long>());
    }
}
