using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.DependencyInjection;
using PecosCrm.Core.Loyalty;
using PecosCrm.Core.Storage;
using PecosCrm.Functions.Automation;
using PecosCrm.IntegrationTests.Infrastructure;
using PecosCrm.Testing;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;

namespace PecosCrm.IntegrationTests.Customers;

/// <summary>
/// The GDPR export and erasure ask each feature for what it holds (docs/privacy.md). A customer is
/// given data in as many features as the API reaches, then erased, and every table and blob of the
/// account is read back: no row or file may still carry their id or email, and no segment finds them. The test runs on an Azurite of its own,
/// so "every table" is exactly this app's.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class PersonalDataErasureTests
{
    [Fact]
    public async Task Erase_CustomerKnownToEveryFeature_LeavesTheirIdAndEmailInNoTable()
    {
        await using var azurite = await AzuriteProcess.StartAsync();
        await using var app = new CrmApp(azurite.ConnectionString, new Dictionary<string, string?> { ["Hosting:RunTimers"] = "false", ["Messaging:InboundParseKey"] = "erase-parse-key" });
        var admin = app.Admin();
        var id = "everywhere-" + app.Prefix;
        var friend = "neighbour-" + app.Prefix;
        var email = $"{id}@ranch.example";
        var at = DateTimeOffset.UtcNow.AddDays(-3);
        await (await admin.PostJsonAsync("/api/customers", Customer(friend, "Colt"))).AssertJsonAsync(HttpStatusCode.Created);
        await (await admin.PostJsonAsync("/api/customers", Customer(id, "Opal", "Hart", email, "(505) 555-0177", extra: new { consent = new { email = true, sms = true } }))).AssertJsonAsync(HttpStatusCode.Created);
        await admin.PostEventsAsync(Event(NewId("e"), "order.placed", at, id, Order(NewId("o"), id, at, 180m)));
        await admin.WaitForMetricsAsync(id, m => m["metrics"]!["orderCount"]!.GetValue<int>() == 1, "order applied");
        await (await admin.PostJsonAsync($"/api/customers/{id}/notes", new { body = "Prefers square toes", pinned = true })).AssertJsonAsync(HttpStatusCode.Created);
        var tag = await (await admin.PostJsonAsync("/api/tags", new { name = "Ranch " + app.Prefix })).AssertJsonAsync(HttpStatusCode.Created);
        await (await admin.PutAsync($"/api/customers/{id}/tags/{tag["id"]!.GetValue<string>()}", null)).AssertJsonAsync();
        await (await admin.PostJsonAsync($"/api/customers/{id}/related", new { customerId = friend, relationship = "family" })).AssertJsonAsync(HttpStatusCode.Created);
        await app.Services.GetRequiredService<PointsLedger>().ChangeAsync(id, 250, "welcome-" + id, "welcome bonus", "test");
        var referral = await (await admin.PostJsonAsync($"/api/loyalty/customers/{id}/referral", new { deviceFingerprint = "dev-" + id })).AssertJsonAsync();
        await (await admin.PostJsonAsync("/api/loyalty/referrals", new { code = referral["code"]!.GetValue<string>(), email = "pal@elsewhere.example" })).AssertJsonAsync(HttpStatusCode.Created);
        var sent = await (await admin.PostJsonAsync("/api/messages/email", new { customerId = id, subject = "Howdy", text = "Your boots shipped." })).AssertJsonAsync(HttpStatusCode.Accepted);
        await (await admin.PostJsonAsync("/api/messages/email", new { customerId = id, subject = "Later", text = "x", sendAt = DateTimeOffset.UtcNow.AddDays(2) })).AssertJsonAsync(HttpStatusCode.Accepted);
        await (await admin.PostJsonAsync("/api/inbox/contact-form", new { name = "Opal Hart", email, subject = "Spurs", message = "Do you sell spurs?" })).AssertJsonAsync(HttpStatusCode.Created);
        using (var mail = new MultipartFormDataContent { { new StringContent(email), "from" }, { new StringContent("shop@pecos.example"), "to" }, { new StringContent("My receipt"), "subject" }, { new StringContent("Attached."), "text" } })
        {
            // An attached file that holds the customer's email: the blob scan below finds it if erasure leaves it.
            mail.Add(new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes($"%PDF-1.4 receipt for {email}")), "attachment1", "receipt.pdf");
            await (await app.ClientWithKey(null).PostAsync("/api/webhooks/sendgrid/inbound?key=erase-parse-key", mail)).AssertJsonAsync();
        }
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
        var list = await (await admin.PostJsonAsync("/api/segments", new { name = "List " + app.Prefix, kind = "static", customerIds = new[] { id } })).AssertJsonAsync(HttpStatusCode.Created);
        var codes = await (await admin.PostJsonAsync($"/api/segments/{list["id"]}/actions", new { action = "discount_codes", discountKind = "percent", value = 10, expiresAt = DateTimeOffset.UtcNow.AddDays(5) })).AssertJsonAsync(HttpStatusCode.Accepted);
        await HttpAssertions.EventuallyAsync(async () =>
            (await (await admin.GetAsync($"/api/segments/actions/{codes["id"]}")).AssertJsonAsync())["state"]!.GetValue<string>() == "succeeded", "codes issued");
        await HttpAssertions.EventuallyAsync(async () =>
            (await (await admin.GetAsync($"/api/customers/{id}/messages/{sent["id"]}")).AssertJsonAsync())["status"]!.GetValue<string>() == "sent", "email sent");
        await (await admin.PutAsync($"/api/customers/{id}/preferences", JsonContent.Create(new { transactionalEmail = false }))).AssertJsonAsync();

        var export = await admin.GetAsync($"/api/customers/{id}/gdpr-export");
        var erase = await admin.PostAsync($"/api/customers/{id}/erase", null);

        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        using (var zip = new ZipArchive(await export.Content.ReadAsStreamAsync()))
        {
            foreach (var (file, expected) in new[]
            {
                ("profile.json", "Opal"), ("orders.json", "180"), ("notes.json", "square toes"), ("tags.json", tag["id"]!.GetValue<string>()),
                ("related-contacts.json", friend), ("preferences.json", "TransactionalEmail"), ("loyalty-points.json", "welcome bonus"), ("loyalty-points.json", "ordpts|"), ("loyalty-referrals.json", "pal@elsewhere.example"),
                ("messages.json", "Howdy"), ("conversations.json", "Spurs"), ("conversation-messages.json", "receipt.pdf"), ("segments.json", list["id"]!.GetValue<string>()),
                ("discount-codes.json", "Code"), ("automations.json", workflow["id"]!.GetValue<string>()), ("lookup-index.json", email), ("store-events.json", "order.placed"),
            })
            {
                using var reader = new StreamReader(zip.GetEntry(file)?.Open() ?? throw new Xunit.Sdk.XunitException($"{file} is missing"));
                Assert.Contains(expected, await reader.ReadToEndAsync(), StringComparison.Ordinal);
            }
        }
        var report = await erase.AssertJsonAsync();
        Assert.Equal(1, report["ordersPseudonymised"]!.GetValue<int>());
        var leftovers = new List<string>();
        var ours = StorageNames.Tables.All.ToDictionary(app.Storage.TableName, t => t);
        var taskHub = AutomationEngine.TaskHubFor(app.Prefix);
        var scanned = new List<string>();
        await foreach (var table in app.Storage.Tables.QueryAsync())
        {
            if (!ours.TryGetValue(table.Name, out var name))
            {
                // The Durable Task engine's own task hub is shaped by the engine; nothing else may be in the account.
                Assert.StartsWith(taskHub, table.Name, StringComparison.Ordinal);
                continue;
            }
            scanned.Add(name);
            await foreach (var row in app.Storage.Tables.GetTableClient(table.Name).QueryAsync<TableEntity>())
            {
                var texts = row.Select(p => p.Value).OfType<string>().Append(row.PartitionKey).Append(row.RowKey);
                if (!texts.Any(t => t.Contains(id, StringComparison.OrdinalIgnoreCase) || t.Contains(email, StringComparison.OrdinalIgnoreCase)))
                {
                    continue;
                }
                // Kept on purpose (docs/privacy.md): the suppression list keeps the address, so the
                // person is never mailed again. Audit entries are scrubbed to the pseudonym, so they
                // are no exception.
                if (name == StorageNames.Tables.Suppressions)
                {
                    continue;
                }
                leftovers.Add($"{name}: '{row.PartitionKey}' / '{row.RowKey}'");
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

        Assert.True(leftovers.Count == 0, $"{leftovers.Count} rows still name the customer:\n" + string.Join('\n', leftovers));
        Assert.Equal(0, preview["count"]!.GetValue<long>());
        Assert.Superset(new HashSet<string> { StorageNames.Tables.Customers, StorageNames.Tables.CustomerIndex, StorageNames.Tables.Conversations, StorageNames.Tables.AutomationIndex, StorageNames.Tables.SegmentMembers, StorageNames.Tables.Audit }, scanned.ToHashSet());
        await (await admin.GetAsync($"/api/customers/{id}/gdpr-export")).AssertProblemAsync(HttpStatusCode.NotFound);
    }
}
