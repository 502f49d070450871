using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using PecosCrm.Bench.Load;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Events;
using PecosCrm.Core.Storage;
using PecosCrm.Testing;

namespace PecosCrm.Bench.Scenarios;

/// <summary>
/// <c>GET /api/customers/{id}/360</c> over customers with a history, seeded through the events API
/// and the notes and tags endpoints, against a point read of a card with the SDK at the same
/// concurrency (interleaved, as in api-overhead), and the same view of a customer with 1,000 orders
/// against one with 5, to show whether its cost grows with the history. Then the view at 1,000 and
/// at 100,000 customers (cards seeded straight into storage, each size on a fresh Azurite and app),
/// to show whether it grows with the customers.
/// </summary>
public sealed class Customer360Scenario : IScenario
{
    private const int Customers = 300;
    private const int MinOrders = 5;
    private const int MaxOrders = 20;
    private const int MinLogins = 2;
    private const int MaxLogins = 6;
    private const int LongOrders = 1_000;
    private const int ShortOrders = 5;
    private const int HistoryLogins = 5;
    private const int Posters = 4;

    /// <summary>Orders applied at the end to the long history and to a new customer, to time an order event against the history it lands on.</summary>
    private const int GrowthOrders = 100;
    private const int Rounds = 3;
    private const string LongId = "c360-long";
    private const string ShortId = "c360-short";
    private static readonly int[] Concurrencies = [1, 16, 64];
    private static readonly TimeSpan Slice = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ApplyTimeout = TimeSpan.FromMinutes(5);

    /// <summary>The cause the view's storage calls are counted under.</summary>
    private const string ViewCause = "360 view";

    /// <summary>The customers of the small store in the size comparison, and the concurrency and rounds it is measured at.</summary>
    private const int SmallStore = 1_000;
    private const int SizeConcurrency = 16;
    private const int SizeRounds = 5;

    /// <summary>The customers of the large store; <c>PECOSCRM_BENCH_360_CUSTOMERS</c> sets another for a quick run.</summary>
    private static int LargeStore =>
        int.TryParse(Environment.GetEnvironmentVariable("PECOSCRM_BENCH_360_CUSTOMERS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > SmallStore ? n : 100_000;

    public string Name => "customer360";

    public string Description =>
        "GET /api/customers/{id}/360 over 300 customers with orders, logins, notes and a tag, against an SDK point read of a card, at concurrency 1, 16, 64; 1,000 orders against 5; and 1,000 customers against 100,000 (cards seeded into storage).";

    public async Task<IReadOnlyList<ResultRow>> RunAsync(TextWriter progress, CancellationToken cancellationToken)
    {
        var rows = new List<ResultRow>();
        await MeasureHistoryAsync(rows, progress, cancellationToken);
        await MeasureSizesAsync(rows, progress, cancellationToken);
        return rows;
    }

    private async Task MeasureHistoryAsync(List<ResultRow> rows, TextWriter progress, CancellationToken cancellationToken)
    {
        await using var azurite = await AzuriteProcess.StartAsync();
        await using var server = await CrmServer.StartAsync(azurite.ConnectionString, runQueues: true, cancellationToken);
        using var api = new CrmApiClient(server);
        progress.WriteLine($"app listening on {server.BaseAddress}");

        var ids = Enumerable.Range(0, Customers).Select(i => $"c360-{i}").ToList();
        var events = new BenchEvents("h");
        var waiter = new AppliedWaiter(api, progress);
        var seeding = await SeedAsync(api, waiter, events, ids, progress, cancellationToken);
        await CheckViewAsync(api, LongId, LongOrders, seeding.TagId, cancellationToken);
        await CheckViewAsync(api, ShortId, ShortOrders, seeding.TagId, cancellationToken);

        // The app's own table client, so the raw reads share the app's storage connection settings.
        var table = server.Services.GetRequiredService<StorageAccount>().Table(StorageNames.Tables.Customers);
        Func<CancellationToken, Task<int>> pointRead = async ct =>
        {
            var id = ids[Random.Shared.Next(ids.Count)];
            await table.GetEntityAsync<TableEntity>(id, CustomerKeys.Card(id), cancellationToken: ct);
            return 1;
        };
        long views = 0;
        Func<CancellationToken, Task<int>> view = async ct =>
        {
            await api.GetAsync($"/api/customers/{ids[Random.Shared.Next(ids.Count)]}/360", ViewCause, ct);
            Interlocked.Increment(ref views);
            return 1;
        };
        Func<CancellationToken, Task<int>>[] operations = [pointRead, view];

        // Until tiered JIT has recompiled the hot paths, whichever runs first looks slow.
        await LoadRunner.InterleaveAsync(operations, 16, 1, Slice, cancellationToken);
        using var storageCalls = new StorageCallCounter([azurite.BlobPort, azurite.QueuePort, azurite.TablePort]);
        foreach (var concurrency in Concurrencies)
        {
            var callsBefore = storageCalls.Snapshot().GetValueOrDefault(ViewCause);
            var viewsBefore = Interlocked.Read(ref views);
            var results = await LoadRunner.InterleaveAsync(operations, concurrency, Rounds, Slice, cancellationToken);
            var (raw, api360) = (results[0], results[1]);
            var perView = (storageCalls.Snapshot().GetValueOrDefault(ViewCause) - callsBefore) / (double)(Interlocked.Read(ref views) - viewsBefore);
            progress.WriteLine($"{"SDK point read (card)",-34} {raw}");
            progress.WriteLine($"{"GET /api/customers/{id}/360",-34} {api360}  {perView:F3} storage calls per view");
            rows.Add(ResultRow.From(Name, "SDK point read (card)", raw, "reads/s", $"the app's TableClient, random customer of {Customers}"));
            rows.Add(ResultRow.From(Name, "GET /api/customers/{id}/360", api360, "requests/s",
                string.Create(CultureInfo.InvariantCulture,
                    $"{api360.ItemsPerSecond / raw.ItemsPerSecond:F2} × the SDK point read at c={concurrency}; {perView:F3} storage calls per view measured " +
                    $"(one point read of the card, plus the tag catalogue and RFM map when their cache has expired)")));
        }

        // Counted, to show that the view makes the same calls whatever the history.
        long longViews = 0;
        long shortViews = 0;
        Func<CancellationToken, Task<int>> longView = async ct =>
        {
            await api.GetAsync($"/api/customers/{LongId}/360", LongId, ct);
            Interlocked.Increment(ref longViews);
            return 1;
        };
        Func<CancellationToken, Task<int>> shortView = async ct =>
        {
            await api.GetAsync($"/api/customers/{ShortId}/360", ShortId, ct);
            Interlocked.Increment(ref shortViews);
            return 1;
        };
        var history = await LoadRunner.InterleaveAsync([longView, shortView], 1, Rounds, Slice, cancellationToken);
        var (longResult, shortResult) = (history[0], history[1]);
        var calls = storageCalls.Snapshot();
        var longCalls = calls.GetValueOrDefault(LongId) / (double)longViews;
        var shortCalls = calls.GetValueOrDefault(ShortId) / (double)shortViews;
        progress.WriteLine($"{$"GET 360, {LongOrders:N0} orders",-34} {longResult}  {longCalls:F1} storage calls per view");
        progress.WriteLine($"{$"GET 360, {ShortOrders} orders",-34} {shortResult}  {shortCalls:F1} storage calls per view");
        var ratio = (longResult.Percentile(50) ?? 0) / (shortResult.Percentile(50) ?? 1);
        rows.Add(ResultRow.From(Name, $"GET 360, customer with {LongOrders:N0} orders", longResult, "requests/s",
            string.Create(CultureInfo.InvariantCulture,
                $"p50 {ratio:F2} × the {ShortOrders}-order customer's; {longCalls:F2} storage calls per view against {shortCalls:F2}: the card holds the newest orders and timeline entries, whatever the history")));
        rows.Add(ResultRow.From(Name, $"GET 360, customer with {ShortOrders} orders", shortResult, "requests/s",
            $"same logins, notes and tag as the {LongOrders:N0}-order customer"));
        var (longSeconds, newSeconds) = await TimeOrdersAsync(api, waiter, events, seeding.Long, cancellationToken);
        progress.WriteLine($"{GrowthOrders} orders applied in {longSeconds:F1} s on top of {LongOrders:N0}, in {newSeconds:F1} s for a new customer");
        rows.Add(new ResultRow(Name, $"apply {GrowthOrders} orders, customer with {LongOrders:N0}", 1, GrowthOrders / longSeconds, "events/s", GrowthOrders, null, null,
            string.Create(CultureInfo.InvariantCulture,
                $"one batch, POST to visible; {longSeconds * 1000 / GrowthOrders:F0} ms per order, {longSeconds / newSeconds:F1} × a new customer's: the batch is folded onto one read of the card, whatever the history")));
        rows.Add(new ResultRow(Name, $"apply {GrowthOrders} orders, new customer", 1, GrowthOrders / newSeconds, "events/s", GrowthOrders, null, null,
            string.Create(CultureInfo.InvariantCulture,
                $"one batch, POST to visible; {newSeconds * 1000 / GrowthOrders:F0} ms per order (a customer's events of a batch are folded onto one card, written in transactions of about 70 rows)")));
        rows.Add(new ResultRow(Name, "seeding through the API", Posters, seeding.Events / seeding.Seconds, "events/s", seeding.Events, null, null,
            string.Create(CultureInfo.InvariantCulture,
                $"{seeding.Events:N0} events for {Customers + 2} customers ({MinOrders}-{MaxOrders} orders, {MinLogins}-{MaxLogins} logins each, plus the two above) applied in {seeding.Seconds:F1} s, " +
                $"of which the {LongOrders:N0}-order customer's {LongOrders + HistoryLogins + 1:N0} events, first and alone, took {seeding.LongSeconds:F1} s; then 2 notes and a tag each in {seeding.RelationSeconds:F1} s")));
    }

    /// <summary>
    /// The view at <see cref="SmallStore"/> and at <see cref="LargeStore"/> customers, each on a fresh
    /// Azurite and app (queue poller off) with cards seeded straight into storage, against an SDK
    /// point read of a card, interleaved at <see cref="SizeConcurrency"/>.
    /// </summary>
    private async Task MeasureSizesAsync(List<ResultRow> rows, TextWriter progress, CancellationToken cancellationToken)
    {
        LoadResult? small = null;
        foreach (var count in new[] { SmallStore, LargeStore })
        {
            await using var azurite = await AzuriteProcess.StartAsync();
            await using var server = await CrmServer.StartAsync(azurite.ConnectionString, runQueues: false, cancellationToken);
            using var api = new CrmApiClient(server);
            using var tagResponse = await api.SendJsonAsync(HttpMethod.Post, "/api/tags",
                new { name = "Bench VIP", color = "#b5651d", description = "Tagged by the bench" }, HttpStatusCode.Created, cancellationToken);
            var tagId = tagResponse.RootElement.GetProperty("id").GetString() ?? throw new InvalidOperationException("POST /api/tags returned no id.");
            var seeding = Stopwatch.StartNew();
            await SeededCards.SeedAsync(server, count, tagId, cancellationToken);
            var seeded = seeding.Elapsed;
            progress.WriteLine($"seeded {count:N0} cards in {seeded.TotalSeconds:F1} s ({count / seeded.TotalSeconds:N0}/s)");
            var now = DateTimeOffset.UtcNow;
            foreach (var n in new[] { 0, count - 1 })
            {
                var card = SeededCards.Card(n, tagId, now);
                await CheckViewAsync(api, SeededCards.Id(n), card.OrderCount, tagId, cancellationToken);
            }

            var table = server.Services.GetRequiredService<StorageAccount>().Table(StorageNames.Tables.Customers);
            Func<CancellationToken, Task<int>> pointRead = async ct =>
            {
                var id = SeededCards.Id(Random.Shared.Next(count));
                await table.GetEntityAsync<TableEntity>(id, CustomerKeys.Card(id), cancellationToken: ct);
                return 1;
            };
            long views = 0;
            Func<CancellationToken, Task<int>> view = async ct =>
            {
                await api.GetAsync($"/api/customers/{SeededCards.Id(Random.Shared.Next(count))}/360", ViewCause, ct);
                Interlocked.Increment(ref views);
                return 1;
            };
            await LoadRunner.InterleaveAsync([pointRead, view], SizeConcurrency, 1, Slice, cancellationToken);
            using var storageCalls = new StorageCallCounter([azurite.BlobPort, azurite.QueuePort, azurite.TablePort]);
            Interlocked.Exchange(ref views, 0);
            var results = await LoadRunner.InterleaveAsync([pointRead, view], SizeConcurrency, SizeRounds, Slice, cancellationToken);
            var (raw, api360) = (results[0], results[1]);
            var perView = storageCalls.Snapshot().GetValueOrDefault(ViewCause) / (double)Interlocked.Read(ref views);
            progress.WriteLine($"{$"SDK point read, {count:N0} cards",-34} {raw}");
            progress.WriteLine($"{$"GET 360, {count:N0} customers",-34} {api360}  {perView:F3} storage calls per view");
            var seededNote = string.Create(CultureInfo.InvariantCulture,
                $"{count:N0} cards seeded straight into storage ({seeded.TotalSeconds:F0} s), fresh Azurite and app");
            rows.Add(ResultRow.From(Name, $"SDK point read (card), {count:N0} customers", raw, "reads/s", $"random customer of {count:N0}; {seededNote}"));
            var versus = small is null
                ? ""
                : string.Create(CultureInfo.InvariantCulture,
                    $"; p50 {api360.Percentile(50) / small.Percentile(50):F2} ×, p99 {api360.Percentile(99) / small.Percentile(99):F2} × the {SmallStore:N0}-customer view's");
            rows.Add(ResultRow.From(Name, $"GET 360, {count:N0} customers", api360, "requests/s",
                string.Create(CultureInfo.InvariantCulture,
                    $"random customer of {count:N0}; {api360.ItemsPerSecond / raw.ItemsPerSecond:F2} × the SDK point read beside it; {perView:F3} storage calls per view{versus}; {seededNote}")));
            small ??= api360;
        }
    }

    /// <summary>
    /// Posts every customer's history and waits until it is applied, then adds two notes (one
    /// pinned) and a tag to each. The long history goes first and alone, one batch after the other:
    /// its events are applied one by one, each costing more than the last, and Azurite answers each
    /// of their queries by scanning the whole table, so it is quickest while the table is small;
    /// and two batches of one customer side by side would only fight over its metrics row. The
    /// others follow, each customer's events in one batch where they fit, as a store that sends a
    /// customer's backlog at once would.
    /// </summary>
    private static async Task<Seeding> SeedAsync(
        CrmApiClient api, AppliedWaiter waiter, BenchEvents events, IReadOnlyList<string> ids, TextWriter progress, CancellationToken cancellationToken)
    {
        using var tagResponse = await api.SendJsonAsync(HttpMethod.Post, "/api/tags",
            new { name = "Bench VIP", color = "#b5651d", description = "Tagged by the bench" }, HttpStatusCode.Created, cancellationToken);
        var tagId = tagResponse.RootElement.GetProperty("id").GetString() ?? throw new InvalidOperationException("POST /api/tags returned no id.");

        var random = new Random(3);
        var histories = ids.Select((id, i) => History(events, id, i, random.Next(MinOrders, MaxOrders + 1), random.Next(MinLogins, MaxLogins + 1), random)).ToList();
        histories.Add(History(events, ShortId, Customers, ShortOrders, HistoryLogins, random));
        var longHistory = History(events, LongId, Customers + 1, LongOrders, HistoryLogins, random);

        // Whole customers per batch, as many as fit in one.
        var batches = new List<List<BenchEvent>> { new() };
        foreach (var history in histories)
        {
            if (batches[^1].Count + history.Count > EventValidator.MaxBatchSize)
            {
                batches.Add([]);
            }
            batches[^1].AddRange(history);
        }
        var tally = new ActivityTally();
        tally.AddRange(histories.SelectMany(h => h));
        tally.AddRange(longHistory);

        var clock = Stopwatch.StartNew();
        var longChunks = new List<double>();
        var sent = new ActivityTally();
        foreach (var chunk in longHistory.Chunk(EventValidator.MaxBatchSize))
        {
            var started = clock.Elapsed;
            sent.AddRange(chunk);
            await api.PostEventsAsync(BenchEvents.Body(chunk), cancellationToken);
            await waiter.WaitAsync(sent.Expected, clock, ApplyTimeout, cancellationToken);
            longChunks.Add((clock.Elapsed - started).TotalSeconds);
        }
        var longSeconds = clock.Elapsed.TotalSeconds;
        await Parallel.ForEachAsync(batches.Select(b => BenchEvents.Body(b)), new ParallelOptions { MaxDegreeOfParallelism = Posters, CancellationToken = cancellationToken },
            async (body, ct) => await api.PostEventsAsync(body, ct));
        var applied = await waiter.WaitAsync(tally.Expected, clock, ApplyTimeout, cancellationToken);
        progress.WriteLine($"seeded {tally.Events:N0} events for {tally.Expected.Count:N0} customers in {applied.TotalSeconds:F1} s, " +
            $"the {LongOrders:N0}-order customer's first, in {longSeconds:F1} s ({string.Join(", ", longChunks.Select(s => s.ToString("F1", CultureInfo.InvariantCulture) + " s"))} per batch)");

        var relations = Stopwatch.StartNew();
        await Parallel.ForEachAsync(tally.Expected.Keys, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (id, ct) =>
        {
            (await api.SendJsonAsync(HttpMethod.Post, $"/api/customers/{id}/notes", new { body = "Prefers wide-fit boots; call before shipping.", pinned = true }, HttpStatusCode.Created, ct)).Dispose();
            (await api.SendJsonAsync(HttpMethod.Post, $"/api/customers/{id}/notes", new { body = "Asked about the spring catalogue.", pinned = false }, HttpStatusCode.Created, ct)).Dispose();
            (await api.SendJsonAsync(HttpMethod.Put, $"/api/customers/{id}/tags/{tagId}", null, HttpStatusCode.OK, ct)).Dispose();
        });
        progress.WriteLine($"added 2 notes and a tag to each in {relations.Elapsed.TotalSeconds:F1} s");
        return new Seeding(tagId, tally.Events, applied.TotalSeconds, relations.Elapsed.TotalSeconds, longSeconds, tally.Expected[LongId]);
    }

    /// <summary>
    /// Times one batch of <see cref="GrowthOrders"/> orders for a new customer, then one for the long
    /// history, each from its POST until the metrics show it. The new customer's creation goes first
    /// and on its own: it wakes the queue poller, which backs off to 5 s while the queue is idle.
    /// </summary>
    private static async Task<(double LongSeconds, double NewSeconds)> TimeOrdersAsync(
        CrmApiClient api, AppliedWaiter waiter, BenchEvents events, MetricsSnapshot longBefore, CancellationToken cancellationToken)
    {
        const string newId = "c360-new";
        var random = new Random(4);
        var at = DateTimeOffset.UtcNow.AddDays(-1);
        await api.PostEventsAsync(BenchEvents.Body([events.Created(newId, Customers + 2, at)]), cancellationToken);
        await waiter.WaitAsync(new Dictionary<string, MetricsSnapshot> { [newId] = MetricsSnapshot.Zero }, Stopwatch.StartNew(), ApplyTimeout, cancellationToken);

        async Task<double> TimeAsync(string id, MetricsSnapshot expected)
        {
            var orders = Enumerable.Range(1, GrowthOrders).Select(k => events.OrderPlaced(id, at.AddMinutes(k), random)).ToList();
            var clock = Stopwatch.StartNew();
            await api.PostEventsAsync(BenchEvents.Body(orders), cancellationToken);
            var done = await waiter.WaitAsync(new Dictionary<string, MetricsSnapshot> { [id] = expected }, clock, ApplyTimeout, cancellationToken);
            return done.TotalSeconds;
        }

        var newSeconds = await TimeAsync(newId, MetricsSnapshot.Zero with { OrderCount = GrowthOrders });
        var longSeconds = await TimeAsync(LongId, longBefore with { OrderCount = longBefore.OrderCount + GrowthOrders });
        return (longSeconds, newSeconds);
    }

    /// <summary>A customer's events in time order: created, then orders and logins shuffled, spread over the last 1,000 days.</summary>
    private static List<BenchEvent> History(BenchEvents events, string id, int n, int orders, int logins, Random random)
    {
        var kinds = Enumerable.Repeat(true, orders).Concat(Enumerable.Repeat(false, logins)).OrderBy(_ => random.Next()).ToList();
        var start = DateTimeOffset.UtcNow.AddDays(-1_001);
        var step = TimeSpan.FromDays(1_000.0 / kinds.Count);
        var history = new List<BenchEvent> { events.Created(id, n, start) };
        for (var k = 0; k < kinds.Count; k++)
        {
            var at = start + step * (k + 1);
            history.Add(kinds[k] ? events.OrderPlaced(id, at, random) : events.Login(id, at));
        }
        return history;
    }

    /// <summary>Fails the run unless the view shows what was seeded, so the figures are of a full view, not an empty one.</summary>
    private static async Task CheckViewAsync(CrmApiClient api, string id, int orders, string tagId, CancellationToken cancellationToken)
    {
        using var view = JsonDocument.Parse(await api.GetAsync($"/api/customers/{id}/360", cancellationToken));
        var root = view.RootElement;
        var orderCount = root.GetProperty("metrics").GetProperty("orderCount").GetInt32();
        var recent = root.GetProperty("recentOrders").GetArrayLength();
        var pinned = root.GetProperty("pinnedNotes").GetArrayLength();
        var tagged = root.GetProperty("tags").EnumerateArray().Any(t => t.GetProperty("tagId").GetString() == tagId);
        var activity = root.GetProperty("recentActivity").GetArrayLength();
        if (orderCount != orders || recent != Math.Min(orders, Customer360Reader.RecentOrders) || pinned != 1 || !tagged || activity != Customer360Reader.RecentActivity)
        {
            throw new InvalidOperationException(
                $"The 360 of {id} shows {orderCount} orders ({recent} recent), {pinned} pinned notes, tagged {tagged}, {activity} activity entries; expected {orders}, 1, true, {Customer360Reader.RecentActivity}.");
        }
    }

    private sealed record Seeding(string TagId, int Events, double Seconds, double RelationSeconds, double LongSeconds, MetricsSnapshot Long);
}
