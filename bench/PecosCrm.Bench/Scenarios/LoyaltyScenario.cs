using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using PecosCrm.Bench.Load;
using PecosCrm.Testing;

namespace PecosCrm.Bench.Scenarios;

/// <summary>
/// Loyalty on the store-event path and at redemption. Orders applied end to end (queue poller on)
/// with the earning rules on and then with every rule off, on fresh customers each time: the storage
/// calls per order event of both (loyalty adds none by design: the ledger entries join the customer's
/// transaction and the account rides on the card) and the points earned per applied order; then
/// redemptions of one customer's points by 16 workers at once (and by 1), with the balance checked
/// afterwards against what was redeemed. Azurite's single insert (16) and point read (16) through the
/// SDK on the same Azurite before the app starts are the yardstick.
/// </summary>
public sealed class LoyaltyScenario : IScenario
{
    private const int Customers = 200;
    private const int Batches = 5;
    private const int OrdersPerBatch = 200;
    private static readonly TimeSpan ApplyTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan RedeemFor = TimeSpan.FromSeconds(5);

    public string Name => "loyalty";

    public string Description =>
        "Orders applied with the earning rules on and off (storage calls per order event, points per order), and 16 concurrent redemptions of one customer (latency, never overspent), beside Azurite's single insert and point read.";

    public async Task<IReadOnlyList<ResultRow>> RunAsync(TextWriter progress, CancellationToken cancellationToken)
    {
        var rows = new List<ResultRow>();
        await using var azurite = await AzuriteProcess.StartAsync();
        var tables = new TableServiceClient(azurite.ConnectionString);
        var insertRate = await YardstickAsync(tables, rows, progress, cancellationToken);

        await using var server = await CrmServer.StartAsync(azurite.ConnectionString, runQueues: true, cancellationToken);
        using var api = new CrmApiClient(server);
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", server.AdminKey);
        using var storageCalls = new StorageCallCounter([azurite.BlobPort, azurite.QueuePort, azurite.TablePort]);

        var on = await ApplyOrdersAsync("on", api, http, storageCalls, progress, cancellationToken);
        foreach (var rule in new[] { "per_dollar", "first_purchase", "birthday_month", "tier_multiplier" })
        {
            using var _ = (await api.SendJsonAsync(HttpMethod.Put, $"/api/loyalty/rules/{rule}", new { active = false }, HttpStatusCode.OK, cancellationToken));
        }
        var off = await ApplyOrdersAsync("off", api, http, storageCalls, progress, cancellationToken);
        foreach (var (label, run) in new[] { ("rules on", on), ("rules off", off) })
        {
            rows.Add(new ResultRow(Name, $"order events applied, earning {label}", 1, run.Rate, "events/s", run.Orders, null, null,
                string.Create(CultureInfo.InvariantCulture,
                    $"{run.Rate / insertRate:F3} × Azurite's single insert (16); {run.CallsPerOrder:F2} storage calls per order event measured (apply side); {run.PointsPerOrder:F1} points earned per applied order")));
        }
        rows.Add(new ResultRow(Name, "storage calls added by loyalty per order event", 1, on.CallsPerOrder - off.CallsPerOrder, "calls/event", on.Orders, null, null,
            string.Create(CultureInfo.InvariantCulture,
                $"rules on minus rules off, measured; counted from the code: 0 (entries in the order's transaction, the account on the card, the catalogue cached 10 s); target ≤ 1 {(on.CallsPerOrder - off.CallsPerOrder <= 1 ? "met" : "MISSED")}")));

        foreach (var concurrency in new[] { 1, 16 })
        {
            rows.Add(await RedeemAsync(api, http, concurrency, insertRate, progress, cancellationToken));
        }
        return rows;
    }

    private async Task<double> YardstickAsync(TableServiceClient tables, List<ResultRow> rows, TextWriter progress, CancellationToken cancellationToken)
    {
        var inserts = new TableInserter(await AzuriteScenario.CreateTableAsync(tables, "loyaltyinserts", cancellationToken));
        var insert = await LoadRunner.RunAsync(16, inserts.InsertOneAsync, cancellationToken);
        progress.WriteLine($"{"SDK single insert",-34} {insert}");
        rows.Add(ResultRow.From(Name, "SDK single insert", insert, "entities/s", "the yardstick, same Azurite, before the app starts"));
        var reads = await AzuriteScenario.CreateTableAsync(tables, "loyaltyreads", cancellationToken);
        await reads.AddEntityAsync(BenchEntity.Make("p", 1), cancellationToken);
        var read = await LoadRunner.RunAsync(16, async ct =>
        {
            await reads.GetEntityAsync<BenchEntity>("p", BenchEntity.Key(1), cancellationToken: ct);
            return 1;
        }, cancellationToken);
        progress.WriteLine($"{"SDK point read",-34} {read}");
        rows.Add(ResultRow.From(Name, "SDK point read", read, "entities/s", "same Azurite, before the app starts"));
        return insert.ItemsPerSecond;
    }

    private sealed record OrderRun(int Orders, double Rate, double CallsPerOrder, double PointsPerOrder);

    private static async Task<OrderRun> ApplyOrdersAsync(
        string tag, CrmApiClient api, HttpClient http, StorageCallCounter storageCalls, TextWriter progress, CancellationToken cancellationToken)
    {
        var events = new BenchEvents("loy" + tag);
        var ids = Enumerable.Range(0, Customers).Select(i => $"loy-{tag}-{i}").ToList();
        var start = DateTimeOffset.UtcNow.AddDays(-60);
        await api.PostEventsAsync(BenchEvents.Body(ids.Select((id, n) => events.Created(id, n, start))), cancellationToken);
        await WaitAsync(http, ids, _ => true, cancellationToken);
        var random = new Random(7);
        var batches = Enumerable.Range(0, Batches)
            .Select(b => Enumerable.Range(0, OrdersPerBatch).Select(i => events.OrderPlaced(ids[(b * OrdersPerBatch + i) % Customers], start.AddMinutes(b * OrdersPerBatch + i), random)).ToList())
            .ToList();
        var ordersPer = batches.SelectMany(b => b).GroupBy(e => e.CustomerId).ToDictionary(g => g.Key, g => g.Count());

        var before = storageCalls.Snapshot();
        var clock = Stopwatch.StartNew();
        foreach (var batch in batches)
        {
            await api.PostEventsAsync(BenchEvents.Body(batch), cancellationToken);
        }
        var points = await WaitAsync(http, ids, a => a.GetProperty("orders").GetInt32() >= ordersPer.GetValueOrDefault(a.GetProperty("id").GetString()!), cancellationToken);
        var elapsed = clock.Elapsed;
        var calls = StorageCallCounter.Between(before, storageCalls.Snapshot()).GetValueOrDefault(StorageCallCounter.Background);
        var orders = Batches * OrdersPerBatch;
        var run = new OrderRun(orders, orders / elapsed.TotalSeconds, calls / (double)orders, points / (double)orders);
        progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"rules {tag}: {orders} orders applied in {elapsed.TotalSeconds:F1} s, {run.CallsPerOrder:F2} storage calls and {run.PointsPerOrder:F1} points per order"));
        return run;
    }

    /// <summary>Waits until every customer's card passes the test; returns the points earned by all of them.</summary>
    private static async Task<long> WaitAsync(HttpClient http, IReadOnlyList<string> ids, Func<JsonElement, bool> done, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        var pending = ids.ToList();
        var earned = new Dictionary<string, long>(StringComparer.Ordinal);
        while (pending.Count > 0)
        {
            if (deadline.Elapsed > ApplyTimeout)
            {
                throw new TimeoutException($"{pending.Count} customers not applied after {ApplyTimeout.TotalMinutes} minutes.");
            }
            var next = new List<string>();
            foreach (var id in pending)
            {
                using var metrics = await http.GetAsync($"/api/customers/{id}/metrics", cancellationToken);
                using var account = await http.GetAsync($"/api/loyalty/customers/{id}", cancellationToken);
                if (metrics.StatusCode != HttpStatusCode.OK || account.StatusCode != HttpStatusCode.OK)
                {
                    next.Add(id);
                    continue;
                }
                var m = await metrics.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
                var a = await account.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
                var probe = JsonSerializer.SerializeToElement(new { id, orders = m.GetProperty("metrics").GetProperty("orderCount").GetInt32() });
                if (!done(probe))
                {
                    next.Add(id);
                    continue;
                }
                earned[id] = a.GetProperty("earned").GetInt64();
            }
            pending = next;
            if (pending.Count > 0)
            {
                await Task.Delay(500, cancellationToken);
            }
        }
        return earned.Values.Sum();
    }

    private async Task<ResultRow> RedeemAsync(CrmApiClient api, HttpClient http, int concurrency, double insertRate, TextWriter progress, CancellationToken cancellationToken)
    {
        var id = $"loy-redeemer-{concurrency}";
        var events = new BenchEvents("loyr" + concurrency);
        await api.PostEventsAsync(BenchEvents.Body([events.Created(id, 1, DateTimeOffset.UtcNow.AddDays(-1))]), cancellationToken);
        await WaitAsync(http, [id], _ => true, cancellationToken);
        const long grant = 1_000_000;
        using (await api.SendJsonAsync(HttpMethod.Post, $"/api/loyalty/customers/{id}/grants", new { points = grant, reason = "bench" }, HttpStatusCode.Created, cancellationToken))
        {
        }
        using (await api.SendJsonAsync(HttpMethod.Post, "/api/loyalty/rewards", new { id = $"bench-{concurrency}", name = "Bench reward", kind = "discount_code", points = 10, amount = 1m }, HttpStatusCode.Created, cancellationToken))
        {
        }
        long redeemed = 0, refused = 0;
        var result = await LoadRunner.RunAsync(concurrency, async ct =>
        {
            using var response = await http.PostAsJsonAsync($"/api/loyalty/customers/{id}/redemptions", new { rewardId = $"bench-{concurrency}" }, ct);
            if (response.StatusCode == HttpStatusCode.Created)
            {
                Interlocked.Increment(ref redeemed);
                return 1;
            }
            Interlocked.Increment(ref refused);
            return 0 + (response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.PreconditionFailed ? 1 : throw new InvalidOperationException($"redemption answered {response.StatusCode}"));
        }, cancellationToken, RedeemFor);
        using var account = await api.SendJsonAsync(HttpMethod.Get, $"/api/loyalty/customers/{id}", null, HttpStatusCode.OK, cancellationToken);
        var balance = account.RootElement.GetProperty("points").GetInt64();
        var taken = account.RootElement.GetProperty("redeemed").GetInt64();
        if (balance != grant - taken || balance < 0)
        {
            throw new InvalidOperationException($"Balance {balance} after {taken} points redeemed from {grant}: the ledger does not add up.");
        }
        progress.WriteLine($"{$"redeem, concurrency {concurrency}",-34} {result}  {refused} refused, balance {balance:N0} = {grant:N0} - {taken:N0}");
        return ResultRow.From(Name, $"redemptions of one customer, {concurrency} at once", result, "redemptions/s",
            string.Create(CultureInfo.InvariantCulture,
                $"{result.ItemsPerSecond / insertRate:F3} × Azurite's single insert (16); {refused} answered 409/412; balance {balance:N0} = granted − redeemed, never below zero; {taken / 10} redemptions in the ledger, {redeemed} answered 201"));
    }
}
