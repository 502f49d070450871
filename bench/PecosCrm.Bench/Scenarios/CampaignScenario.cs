using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Azure.Data.Tables;
using PecosCrm.Core.Analytics;
using PecosCrm.Core.Messaging;
using PecosCrm.Bench.Load;
using PecosCrm.Core.Storage;
using PecosCrm.Testing;

namespace PecosCrm.Bench.Scenarios;

/// <summary>
/// A campaign to a list of consenting customers, seeded straight into storage, sent through the app
/// (queue poller on) to a local SendGrid-compatible endpoint: messages per second, the time from
/// <c>POST /start</c> to the campaign's <c>sent</c>, storage calls per recipient, and the process's
/// peak working set. The customer-features file is built before the start, as the store's regular
/// refresh would have it (the campaign start only brings it up to date). Azurite's 100-entity batch
/// insert rate, measured on the same Azurite before the app starts, is the yardstick: the target is
/// half of it divided by the entities a recipient costs. Then SendGrid's event webhook: a delivered
/// event for every message and an open for every fourth, posted signed in batches of 1,000, and the
/// time until all are applied (the campaign's results show them).
/// The size is 50,000 recipients unless <c>PECOSCRM_BENCH_CAMPAIGN_RECIPIENTS</c> says otherwise.
/// </summary>
public sealed class CampaignScenario : IScenario
{
    public const string SizeVariable = "PECOSCRM_BENCH_CAMPAIGN_RECIPIENTS";
    private const int DefaultSize = 50_000;
    private const int EventsPerPost = 1_000;
    private const int Posters = 4;
    private const int OpenEvery = 4;
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(60);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Entities a recipient costs: the recipient row added at the start, its claim and its record
    /// (updates in 100-row transactions), the message row and its two timeline rows (one transaction
    /// in the customer's partition), and the touch (100-row transactions).
    /// </summary>
    private const int EntitiesPerRecipient = 7;

    public string Name => "campaign-50k";

    public string Description =>
        $"A campaign to 50,000 seeded customers (or ${SizeVariable}) sent to a local SendGrid-compatible endpoint: messages/s, end-to-end time, peak memory; then signed webhook events, 1,000 a POST, until applied.";

    public async Task<IReadOnlyList<ResultRow>> RunAsync(TextWriter progress, CancellationToken cancellationToken)
    {
        var size = int.TryParse(Environment.GetEnvironmentVariable(SizeVariable), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : DefaultSize;
        var clock = Stopwatch.StartNew();
        await using var azurite = await AzuriteProcess.StartAsync();
        var yardstick = await LoadRunner.RunAsync(4, new TableInserter(await AzuriteScenario.CreateTableAsync(new TableServiceClient(azurite.ConnectionString), "yardstick", cancellationToken)).InsertBatchAsync, cancellationToken);
        progress.WriteLine($"{"Azurite 100-entity batch insert",-36} {yardstick}");
        var target = 0.5 * yardstick.ItemsPerSecond / EntitiesPerRecipient;
        await using var sendGrid = await FakeSendGrid.StartAsync(clock, cancellationToken);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await using var server = await CrmServer.StartAsync(azurite.ConnectionString, runQueues: true,
        [
            "--Messaging:SendGridApiKey=bench-key",
            $"--Messaging:SendGridApiHost={sendGrid.BaseAddress.ToString().TrimEnd('/')}",
            $"--Messaging:SendGridWebhookPublicKey={Convert.ToBase64String(key.ExportSubjectPublicKeyInfo())}",
        ], cancellationToken);
        using var api = new CrmApiClient(server);
        using var storageCalls = new StorageCallCounter([azurite.BlobPort, azurite.QueuePort, azurite.TablePort]);

        var ids = Enumerable.Range(0, size).Select(i => $"cmp-c{i:D6}").ToList();
        var seedingClock = Stopwatch.StartNew();
        await ConsentingCustomers.SeedAsync(server, ids, cancellationToken);
        var seeding = seedingClock.Elapsed;
        progress.WriteLine($"seeded {size:N0} customers in {seeding.TotalSeconds:F1} s");
        var featuresClock = Stopwatch.StartNew();
        using (StorageCallCounter.Bench())
        {
            // As the store would have it: the file exists, customers created since are marked changed, and the regular refresh builds them in.
            var features = server.Services.GetRequiredService<CustomerFeatures>();
            await features.RebuildAsync(cancellationToken: cancellationToken);
            await CustomerFeatures.MarkChangedAsync(server.Services.GetRequiredService<StorageAccount>(), ids, cancellationToken);
            var built = await features.RebuildAsync(cancellationToken: cancellationToken);
            if (built != size)
            {
                throw new InvalidOperationException($"The features file took {built:N0} customers of {size:N0}.");
            }
        }
        progress.WriteLine($"customer-features file built in {featuresClock.Elapsed.TotalSeconds:F1} s");

        using var created = await api.SendJsonAsync(HttpMethod.Post, "/api/campaigns", new
        {
            name = "Bench campaign",
            audience = new { customerIds = ids },
            content = new { subject = "New boots, {{customer.first_name}}", html = "<p>Howdy {{customer.first_name}}, the fall boots are in.</p>" },
        }, HttpStatusCode.Created, cancellationToken);
        var id = created.RootElement.GetProperty("id").GetString()!;

        var peak = new PeakMemory();
        var callsBefore = storageCalls.Snapshot();
        var kindsBefore = storageCalls.SnapshotKinds();
        var start = clock.Elapsed;
        using (StorageCallCounter.Cause("start"))
        using (await api.SendJsonAsync(HttpMethod.Post, $"/api/campaigns/{id}/start", new { }, HttpStatusCode.Accepted, cancellationToken))
        {
        }
        var sentAt = await Polling.UntilAsync(clock, progress, Poll, Timeout, async ct =>
        {
            var campaign = await api.GetAsync($"/api/campaigns/{id}", ct);
            using var doc = JsonDocument.Parse(campaign);
            var root = doc.RootElement;
            var state = root.GetProperty("state").GetString();
            var done = root.TryGetProperty("progress", out var p) && p.ValueKind == JsonValueKind.Object ? p.GetProperty("sent").GetInt32() : 0;
            return (state == "sent", $"{state}, {done:N0} sent, {sendGrid.Count:N0} at the endpoint");
        }, cancellationToken);
        var between = StorageCallCounter.Between(callsBefore, storageCalls.Snapshot());
        var sendCalls = between.GetValueOrDefault(StorageCallCounter.Background) + between.GetValueOrDefault("start");
        var kinds = string.Join(", ", StorageCallCounter.Between(kindsBefore, storageCalls.SnapshotKinds()).Where(k => k.Value > 0).OrderByDescending(k => k.Value)
            .Select(k => string.Create(CultureInfo.InvariantCulture, $"{k.Key} {k.Value / (double)size:F3}")));
        var endToEnd = sentAt - start;
        var (first, last) = sendGrid.Window;
        var window = last - first;
        var rate = sendGrid.Count / Math.Max(window.TotalSeconds, 0.001);
        var peakSend = peak.Stop();
        progress.WriteLine($"{"campaign sent",-36} {rate,10:N0}/s  {sendGrid.Count:N0} emails in {sendGrid.Requests:N0} requests, {endToEnd.TotalSeconds:F1} s end to end, peak working set {peakSend / 1048576.0:N0} MiB");
        progress.WriteLine($"{"",-36} {sendCalls / (double)size:F2} storage calls per recipient ({kinds}); target {target:N0}/s ({(rate >= target ? "met" : "missed")})");
        if (sendGrid.Count != size)
        {
            throw new InvalidOperationException($"The endpoint took {sendGrid.Count:N0} emails for {size:N0} recipients.");
        }

        var events = sendGrid.Sent.SelectMany((e, i) => i % OpenEvery == 0 ? new[] { Event("delivered", e), Event("open", e) } : [Event("delivered", e)]).ToList();
        var bodies = events.Chunk(EventsPerPost).Select(c => Encoding.UTF8.GetBytes(new JsonArray([.. c]).ToJsonString())).ToList();
        var expectedOpens = (size + OpenEvery - 1) / OpenEvery;
        using var webhook = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        peak = new PeakMemory();
        var postStart = clock.Elapsed;
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Posters).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i < bodies.Count; i = Interlocked.Increment(ref next))
            {
                await PostSignedAsync(webhook, key, bodies[i], cancellationToken);
            }
        }));
        var posted = clock.Elapsed - postStart;
        progress.WriteLine($"{"webhook POST",-36} {events.Count / posted.TotalSeconds,10:N0}/s  {events.Count:N0} events in {bodies.Count:N0} POSTs");
        var queue = server.Services.GetRequiredService<StorageAccount>().Queue(StorageNames.Queues.MessageEvents);
        var appliedAt = await Polling.UntilAsync(clock, progress, Poll, Timeout, async ct =>
        {
            using var bench = StorageCallCounter.Bench();
            var left = (await queue.GetPropertiesAsync(ct)).Value.ApproximateMessagesCount;
            return (left == 0, $"{left:N0} event batches left");
        }, cancellationToken);
        var resultsClock = Stopwatch.StartNew();
        var results = await api.GetAsync($"/api/campaigns/{id}/results", cancellationToken);
        var resultsTime = resultsClock.Elapsed;
        var peakEvents = peak.Stop();
        using (var doc = JsonDocument.Parse(results))
        {
            var totals = doc.RootElement.GetProperty("totals");
            var (delivered, opened) = (totals.GetProperty("delivered").GetInt32(), totals.GetProperty("opened").GetInt32());
            if (delivered != size || opened != expectedOpens)
            {
                throw new InvalidOperationException($"Results show {delivered:N0} delivered and {opened:N0} opened; expected {size:N0} and {expectedOpens:N0}.");
            }
        }
        var applied = appliedAt - postStart;
        progress.WriteLine($"{"webhook applied",-36} {events.Count / applied.TotalSeconds,10:N0}/s  {applied.TotalSeconds:F1} s; results read in {resultsTime.TotalSeconds:F1} s");

        var recipients = string.Create(CultureInfo.InvariantCulture, $"{size:N0} recipients");
        return
        [
            ResultRow.From(Name, "Azurite 100-entity batch insert (SDK, no app)", yardstick, "entities/s",
                string.Create(CultureInfo.InvariantCulture, $"on this Azurite before the app starts; yardstick: 0.5 × this / {EntitiesPerRecipient} entities per recipient = {target:N0} messages/s")),
            new ResultRow(Name, $"campaign send, {recipients}", 1, rate, "messages/s", sendGrid.Count, null, null,
                string.Create(CultureInfo.InvariantCulture,
                    $"first to last email at the endpoint {window.TotalSeconds:F1} s, {sendGrid.Requests:N0} requests (personalizations); POST /start to state sent {endToEnd.TotalSeconds:F1} s (first email after {(first - start).TotalSeconds:F1} s: the audience frozen, recipients and slices written); " +
                    $"target {target:N0}/s {(rate >= target ? "met" : "missed")}; {sendCalls / (double)size:F2} storage calls per recipient from POST /start to sent ({kinds}); peak working set {peakSend / 1048576.0:N0} MiB (bench, app and its DuckDB; Azurite is a process of its own); " +
                    $"seeding {size:N0} profiles straight into storage took {seeding.TotalSeconds:F0} s")),
            new ResultRow(Name, "webhook POST, 1,000 events per request", Posters, events.Count / posted.TotalSeconds, "events/s", events.Count, null, null,
                string.Create(CultureInfo.InvariantCulture, $"{bodies.Count:N0} signed POSTs, each stored as a blob and queued before the 200; a delivered event per message and an open for every {OpenEvery}th")),
            new ResultRow(Name, "webhook events applied end to end", Posters, events.Count / applied.TotalSeconds, "events/s", events.Count, null, null,
                string.Create(CultureInfo.InvariantCulture,
                    $"first POST to the event queue empty: {applied.TotalSeconds:F1} s; results ({size:N0} recipient rows read, revenue query) in {resultsTime.TotalSeconds:F1} s showed every delivery and open; " +
                    $"peak working set {peakEvents / 1048576.0:N0} MiB")),
        ];
    }

    private static JsonNode Event(string kind, SentEmail email) => new JsonObject
    {
        ["email"] = email.To,
        ["event"] = kind,
        ["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        ["sg_event_id"] = "sg-" + Guid.NewGuid().ToString("N"),
        [CustomArgs.MessageId] = email.MessageId,
        [CustomArgs.CustomerId] = email.CustomerId,
    };

    private static async Task PostSignedAsync(HttpClient client, ECDsa key, byte[] body, CancellationToken cancellationToken)
    {
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = key.SignData([.. Encoding.UTF8.GetBytes(timestamp), .. body], HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/sendgrid/events") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add(SendGridEvents.SignatureHeader, Convert.ToBase64String(signature));
        request.Headers.Add(SendGridEvents.TimestampHeader, timestamp);
        using var response = await client.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"The webhook answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }
}
