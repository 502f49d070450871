using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PecosCrm.Bench.Load;
using PecosCrm.Core;
using PecosCrm.Core.Events;
using PecosCrm.Core.Integrations.Webhooks;
using PecosCrm.Core.Storage;
using PecosCrm.Testing;

namespace PecosCrm.Bench.Scenarios;

/// <summary>
/// Outward webhooks. What publishing adds to applying store events: the same kind of batches
/// (500 events: per customer a <c>customer.created</c>, an <c>order.placed</c> and a page view)
/// applied through the app's <see cref="EventProcessor"/>, first with no subscription, then with one
/// subscribed to <c>customer.*</c> and <c>order.*</c>, storage calls counted per applied event
/// (<see cref="StorageCallCounter"/>). Then the deliveries of those batches: the <c>webhooks</c>
/// queue drained by the app's own <see cref="WebhookDispatcher"/> (receive, deliver, delete) to a
/// local receiver (Kestrel on a loopback port, 200 to every POST), deliveries per second beside
/// Azurite's queue send and receive+delete rates measured first on the same Azurite.
/// </summary>
public sealed class WebhooksScenario : IScenario
{
    private const int BatchSize = 500;
    private const int Batches = 4;
    private const int EventsPerCustomer = 3;

    public string Name => "webhooks";

    public string Description =>
        "Webhooks: storage calls added per applied event by one subscription (4 batches of 500 each way), and deliveries/s to a local receiver beside Azurite's queue rates.";

    public async Task<IReadOnlyList<ResultRow>> RunAsync(TextWriter progress, CancellationToken cancellationToken)
    {
        await using var azurite = await AzuriteProcess.StartAsync();
        var rows = new List<ResultRow>();

        var yardstick = await QueueRates.CreateAsync(azurite.ConnectionString, "bench-yardstick", cancellationToken);
        var send = await LoadRunner.RunAsync(16, yardstick.SendAsync, cancellationToken);
        var depth = await yardstick.FillForReceiveAsync(cancellationToken);
        var receive = await LoadRunner.RunAsync(1, yardstick.ReceiveAndDeleteAsync, cancellationToken, QueueRates.ReceiveDuration);
        await new Azure.Storage.Queues.QueueClient(azurite.ConnectionString, "bench-yardstick").DeleteAsync(cancellationToken);
        rows.Add(ResultRow.From(Name, "Azurite queue send (SDK)", send, "messages/s", QueueRates.SendNote));
        rows.Add(ResultRow.From(Name, "Azurite queue receive+delete (SDK)", receive, "messages/s", QueueRates.ReceiveNote(depth)));
        progress.WriteLine($"queue send {send}; receive+delete {receive}");

        await using var receiver = await Receiver.StartAsync(cancellationToken);
        await using var server = await CrmServer.StartAsync(azurite.ConnectionString, runQueues: false, ["--Webhooks:AllowHttp=true"], cancellationToken);
        using var counter = new StorageCallCounter([azurite.BlobPort, azurite.QueuePort, azurite.TablePort]);
        var processor = server.Services.GetRequiredService<EventProcessor>();
        var events = new BenchEvents("wh" + Guid.NewGuid().ToString("N")[..6]);
        var customer = 0;

        var (without, withoutEvents) = await ApplyAsync(processor, events, () => customer++, counter, cancellationToken);
        using (var http = new HttpClient { BaseAddress = server.BaseAddress })
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", server.AdminKey);
            var created = await http.PostAsJsonAsync("/api/webhooks", new { url = receiver.Url, events = new[] { "customer.*", "order.*" } }, cancellationToken);
            created.EnsureSuccessStatusCode();
        }
        var (with, withEvents) = await ApplyAsync(processor, events, () => customer++, counter, cancellationToken);
        var perWithout = (double)without / withoutEvents;
        var perWith = (double)with / withEvents;
        rows.Add(new ResultRow(Name, "storage calls per applied event, no subscription", 1, perWithout, "calls/event", withoutEvents, null, null,
            $"{Batches} batches of {BatchSize} through EventProcessor.ApplyAllAsync"));
        rows.Add(new ResultRow(Name, "storage calls per applied event, one subscription", 1, perWith, "calls/event", withEvents, null, null,
            $"{perWith - perWithout:+0.000;-0.000} per event added by publishing (2 of every 3 events published: event log, 100 a transaction, and one queue message per batch)"));
        progress.WriteLine($"calls/event without {perWithout:F3}, with {perWith:F3}");

        var dispatcher = server.Services.GetRequiredService<WebhookDispatcher>();
        var queue = server.Services.GetRequiredService<StorageAccount>().Queue(StorageNames.Queues.Webhooks);
        var before = counter.Snapshot();
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var messages = (await queue.ReceiveMessagesAsync(QueueRates.ReceiveBatch, TimeSpan.FromMinutes(5), cancellationToken)).Value;
            if (messages.Length == 0)
            {
                break;
            }
            foreach (var message in messages)
            {
                var work = JsonSerializer.Deserialize<WebhookWork>(message.Body.ToString(), CrmJson.Options)!;
                await dispatcher.RunAsync(work, cancellationToken);
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
            }
        }
        watch.Stop();
        var delivered = receiver.Count;
        var deliveryCalls = StorageCallCounter.Between(before, counter.Snapshot()).Values.Sum();
        var rate = delivered / watch.Elapsed.TotalSeconds;
        rows.Add(new ResultRow(Name, "webhook deliveries to a local receiver", 8, rate, "deliveries/s", delivered, null, null,
            $"{rate / send.ItemsPerSecond:F2} × queue send, {rate / receive.ItemsPerSecond:F2} × queue receive+delete; {(double)deliveryCalls / delivered:F3} storage calls per delivery; {delivered} of {withEvents * 2 / EventsPerCustomer} expected"));
        progress.WriteLine($"{delivered} deliveries in {watch.Elapsed.TotalSeconds:F1} s: {rate:F0}/s, {deliveryCalls} storage calls");
        return rows;
    }

    private static async Task<(long Calls, int Events)> ApplyAsync(
        EventProcessor processor, BenchEvents events, Func<int> nextCustomer, StorageCallCounter counter, CancellationToken cancellationToken)
    {
        var calls = 0L;
        var applied = 0;
        var at = DateTimeOffset.UtcNow.AddDays(-1);
        var random = new Random(7);
        for (var b = 0; b < Batches; b++)
        {
            var batch = new List<StoreEvent>();
            while (batch.Count + EventsPerCustomer <= BatchSize)
            {
                var id = $"whc-{nextCustomer():D6}";
                batch.Add(Parse(events.Created(id, batch.Count, at)));
                batch.Add(Parse(events.OrderPlaced(id, at.AddMinutes(1), random)));
                batch.Add(Parse(events.PageViewed(id, at.AddMinutes(2), random)));
            }
            var before = counter.Snapshot();
            await processor.ApplyAllAsync(batch, cancellationToken);
            calls += StorageCallCounter.Between(before, counter.Snapshot()).Values.Sum();
            applied += batch.Count;
        }
        return (calls, applied);
    }

    private static StoreEvent Parse(BenchEvent e) => JsonSerializer.Deserialize<StoreEvent>(e.Json, CrmJson.Options)!;

    /// <summary>A webhook receiver on a loopback port that answers 200 and counts.</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private int _count;

        private Receiver(WebApplication app) => _app = app;

        public int Count => Volatile.Read(ref _count);

        public string Url { get; private set; } = "";

        public static async Task<Receiver> StartAsync(CancellationToken cancellationToken)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var receiver = new Receiver(app);
            app.Run(async context =>
            {
                await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
                Interlocked.Increment(ref receiver._count);
                context.Response.StatusCode = 200;
            });
            await app.StartAsync(cancellationToken);
            receiver.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/hooks";
            return receiver;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
