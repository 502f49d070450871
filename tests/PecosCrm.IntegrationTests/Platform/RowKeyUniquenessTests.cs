using System.Net;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PecosCrm.Core.Storage;
using PecosCrm.Functions.Automation;
using PecosCrm.Functions.Hosting;
using PecosCrm.IntegrationTests.Infrastructure;
using PecosCrm.Testing;

namespace PecosCrm.IntegrationTests.Platform;

/// <summary>
/// No two rows of a table share a RowKey, whatever their partitions (docs/storage.md): Azurite
/// finds a point read by RowKey first and then walks every row sharing it, so a shared RowKey
/// makes point reads and upserts slower with every partition. The store is filled the way a
/// newcomer's is (the demo seed, with an automation switched on so the seed's customers enrol),
/// then every feature that writes rows of its own runs once, and every table of the account is
/// read back. The test runs on an Azurite of its own, so "every table" is exactly this app's.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RowKeyUniquenessTests
{
    /// <summary>Small but whole: one slice of the seed, every kind of event, links and notes.</summary>
    private const int DemoCustomers = 12;

    [Fact]
    public async Task EveryTable_AfterTheDemoSeedAndEachFeature_HasNoRowKeyTwice()
    {
        await using var azurite = await AzuriteProcess.StartAsync();
        await using var app = new CrmApp(azurite.ConnectionString, new Dictionary<string, string?> { ["Hosting:RunTimers"] = "false" });
        var admin = app.Admin();
        await FillAsync(app, admin);

        var duplicates = new List<string>();
        var scanned = new List<string>();
        var ours = StorageNames.Tables.All.ToDictionary(app.Storage.TableName, t => t);
        var taskHub = AutomationEngine.TaskHubFor(app.Prefix);
        await foreach (var table in app.Storage.Tables.QueryAsync())
        {
            if (!ours.TryGetValue(table.Name, out var name))
            {
                // The Durable Task engine's own task hub (its Instances and History tables) is shaped
                // by the engine, not by us; nothing else may be in the account.
                Assert.StartsWith(taskHub, table.Name, StringComparison.Ordinal);
                continue;
            }
            scanned.Add(name);
            var partitionsByRowKey = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            await foreach (var row in app.Storage.Tables.GetTableClient(table.Name).QueryAsync<TableEntity>(select: ["PartitionKey", "RowKey"]))
            {
                if (!partitionsByRowKey.TryGetValue(row.RowKey, out var partitions))
                {
                    partitionsByRowKey[row.RowKey] = partitions = [];
                }
                partitions.Add(row.PartitionKey);
            }
            duplicates.AddRange(partitionsByRowKey.Where(p => p.Value.Count > 1)
                .Select(p => $"{name}: RowKey '{p.Key}' in partitions {string.Join(", ", p.Value.Take(5).Select(v => $"'{v}'"))}{(p.Value.Count > 5 ? $" and {p.Value.Count - 5} more" : "")}"));
        }

        Assert.True(duplicates.Count == 0, $"{duplicates.Count} RowKeys shared by rows of one table:\n" + string.Join('\n', duplicates.Take(60)));
        Assert.Contains(StorageNames.Tables.AutomationIndex, scanned);
        Assert.Contains(StorageNames.Tables.SegmentMembers, scanned);
        Assert.Contains(StorageNames.Tables.CampaignRecipients, scanned);
        Assert.Contains(StorageNames.Tables.ProductHistory, scanned);
        Assert.Contains(StorageNames.Tables.ProductStats, scanned);
        Assert.Contains(StorageNames.Tables.Wholesale, scanned);
        Assert.Contains(StorageNames.Tables.StaffTasks, scanned);
        Assert.Contains(StorageNames.Tables.Leads, scanned);
        Assert.Contains(StorageNames.Tables.Deals, scanned);
        Assert.Contains(StorageNames.Tables.PipelineSettings, scanned);
        Assert.Contains(StorageNames.Tables.Tickets, scanned);
        Assert.Contains(StorageNames.Tables.KbArticles, scanned);
        Assert.Contains(StorageNames.Tables.Loyalty, scanned);
        Assert.Contains(StorageNames.Tables.WebhookDeliveries, scanned);
        Assert.Contains(StorageNames.Tables.ApiUsage, scanned);
    }

    /// <summary>The demo seed, then once each: a recompute (segments, markers), the analytical copy, marketing spend, a campaign, exports.</summary>
    private static async Task FillAsync(CrmApp app, HttpClient admin)
    {
        await (await admin.PostAsync("/api/automations/welcome-series/activate", null)).AssertJsonAsync();
        var seeder = app.Services.GetServices<IHostedService>().OfType<DemoSeeder>().Single();
        var demo = new DemoData(DateTimeOffset.UtcNow, DemoCustomers).Generate();
        await seeder.SeedAsync(demo, CancellationToken.None);
        var customerIds = demo.Events.Select(e => e.CustomerId).Distinct().ToList();

        await Loyalty.LoyaltyTestKit.FillAsync(admin, customerIds[0]);

        var recompute = await (await admin.PostAsync("/api/jobs/recompute", null)).AssertJsonAsync(HttpStatusCode.Accepted);
        await HttpAssertions.EventuallyAsync(async () => (await (await admin.GetAsync($"/api/jobs/{recompute["id"]}")).AssertJsonAsync())["endedAt"] is not null,
            "recompute finished", TimeSpan.FromMinutes(2));
        await (await admin.PostAsync("/api/analytics/refresh", null)).AssertJsonAsync();
        foreach (var month in new[] { "2026-01", "2026-02" })
        {
            Assert.True((await admin.PutAsync($"/api/analytics/marketing-spend/{month}/email", JsonContent(new { amount = 120.50m }))).IsSuccessStatusCode);
        }

        var campaign = await (await admin.PostJsonAsync("/api/campaigns", new
        {
            name = "Fall boots", audience = new { customerIds = customerIds.Take(6) }, content = new { subject = "New boots are in", html = "<p>Howdy {{customer.first_name}}</p>" },
        })).AssertJsonAsync(HttpStatusCode.Created);
        var campaignId = campaign["id"]!.GetValue<string>();
        await (await admin.PostJsonAsync($"/api/campaigns/{campaignId}/start", new { })).AssertJsonAsync(HttpStatusCode.Accepted);
        await HttpAssertions.EventuallyAsync(async () => (await (await admin.GetAsync($"/api/campaigns/{campaignId}")).AssertJsonAsync())["state"]!.GetValue<string>() == "sent",
            "campaign sent", TimeSpan.FromMinutes(2));

        // A product's images and a store event change it twice more (history rows; the seed's views fill the stats).
        var product = demo.Products[0].Id!;
        using (var form = new MultipartFormDataContent { { new ByteArrayContent(Products.TestImages.Png()), "file", "front.png" } })
        {
            await (await admin.PostAsync($"/api/products/{product}/images", form)).AssertJsonAsync(HttpStatusCode.Created);
        }
        await admin.PostEventsAsync(new System.Text.Json.Nodes.JsonObject
        {
            ["id"] = "e-product-update", ["type"] = "product.updated", ["occurredAt"] = DateTimeOffset.UtcNow,
            ["data"] = new System.Text.Json.Nodes.JsonObject { ["id"] = product, ["price"] = 9.99m },
        });

        await Wholesale.WholesaleAndTaskRows.FillAsync(admin, customerIds, product);
        await Support.SupportSeed.FillAsync(admin, customerIds);

        var export = await (await admin.PostJsonAsync("/api/exports", new { kind = "customers", format = "csv" })).AssertJsonAsync(HttpStatusCode.Accepted);
        var schedule = await (await admin.PostJsonAsync("/api/exports/schedules", new { name = "Daily", kind = "orders", format = "csv", frequency = "daily" })).AssertJsonAsync(HttpStatusCode.Created);
        var run = await (await admin.PostAsync($"/api/exports/schedules/{schedule["id"]}/run", null)).AssertJsonAsync(HttpStatusCode.Accepted);
        foreach (var id in new[] { export["id"]!, run["id"]! })
        {
            await HttpAssertions.EventuallyAsync(async () => (await (await admin.GetAsync($"/api/exports/{id}")).AssertJsonAsync())["state"]!.GetValue<string>() is "succeeded" or "failed",
                $"export {id} finished", TimeSpan.FromMinutes(2));
        }

        await Pipeline.PipelineTestKit.FillAsync(admin);
        await Integrations.IntegrationRows.FillAsync(app, admin);

        // The seed's customers enrolled in the welcome series, and their instances took steps.
        await HttpAssertions.EventuallyAsync(async () =>
        {
            var instances = (await (await admin.GetAsync("/api/automations/welcome-series/instances?limit=500")).AssertJsonAsync())["items"]!.AsArray();
            return instances.Count(i => i!["status"]!.GetValue<string>() != "active") >= 2;
        }, "welcome series instances past their first step", TimeSpan.FromMinutes(3));
    }

    private static StringContent JsonContent(object body) =>
        new(System.Text.Json.JsonSerializer.Serialize(body, HttpAssertions.Json), System.Text.Encoding.UTF8, "application/json");
}
