using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using PecosCrm.Core.Analytics;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Exports;
using PecosCrm.Core.Orders;
using PecosCrm.Core.Storage;
using PecosCrm.Testing;

namespace PecosCrm.Bench.Scenarios.Analytics;

/// <summary>
/// The analytics work at store size: a generated store of 100,000 customers and 1,000,000 orders
/// (36 months) written straight into an in-memory Azurite, then the rebuild of the analytical copy
/// (full, and one changed month), the RFM grid and the cohort matrix in DuckDB beside the same
/// queries in SQLite over the same rows, a three-condition segment preview, the nightly recompute
/// and the export of every customer to CSV. Azurite's raw scan of the same orders, in the same run,
/// is the yardstick. Every step reports its peak memory. The app runs in this process (queue
/// poller on, timers off), so the peaks include it.
/// </summary>
public sealed class AnalyticsScenario(StoreSize size, int runs) : IConfigurableScenario
{
    /// <summary>Month partitions scanned side by side for Azurite's raw rate.</summary>
    private const int ScanParallelism = 4;

    private const int ScanPageSize = 1000;

    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(250);

    public AnalyticsScenario() : this(new StoreSize(100_000, 1_000_000, 36), 5)
    {
    }

    public string Name => "analytics-100k";

    public string Description =>
        "Analytics on a generated store (100k customers, 1M orders): copy rebuild, RFM, cohorts and a segment preview in DuckDB beside SQLite and Azurite's scan rate; nightly recompute; CSV export; peak memory of each.";

    public IReadOnlyList<ScenarioOption> Options =>
    [
        new("customers", $"customers in the generated store (default {size.Customers:N0}); try 5000 for a trial run"),
        new("orders", $"orders in all, over {size.Months} months (default {size.Orders:N0}); try 50000 with --customers=5000"),
        new("runs", $"timed runs of each query after one warm-up, the median reported (default {runs})"),
    ];

    public IScenario Configure(IReadOnlyDictionary<string, string> options)
    {
        int Read(string name, int fallback) =>
            !options.TryGetValue(name, out var text) ? fallback
            : int.TryParse(text.Replace("_", "").Replace(",", ""), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0 ? value
            : throw new ArgumentException($"--{name} must be a positive whole number, not '{text}'.");
        return new AnalyticsScenario(new StoreSize(Read("customers", size.Customers), Read("orders", size.Orders), size.Months), Read("runs", runs));
    }

    public async Task<IReadOnlyList<ResultRow>> RunAsync(TextWriter progress, CancellationToken cancellationToken)
    {
        var rows = new List<ResultRow>();
        var folder = Directory.CreateTempSubdirectory("pecoscrm-bench-analytics-").FullName;
        try
        {
            await using var azurite = await StartAzuriteAsync();
            var azuritePid = MemoryPeak.FindAzurite();
            await using var server = await CrmServer.StartAsync(azurite.ConnectionString, runQueues: true, cancellationToken);
            var run = new Run(Name, size, runs, server, azuritePid, progress, rows, cancellationToken);
            await run.ExecuteAsync(folder);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
        return rows;
    }

    /// <summary>
    /// Azurite in memory with room for a million-order store: node's default heap limit (about 4 GiB
    /// on these machines) is near what the full-size store takes. The limit reaches node through the
    /// environment the child inherits, set only while it starts.
    /// </summary>
    private static async Task<AzuriteProcess> StartAzuriteAsync()
    {
        const string Variable = "NODE_OPTIONS";
        var before = Environment.GetEnvironmentVariable(Variable);
        Environment.SetEnvironmentVariable(Variable, ((before ?? "") + " --max-old-space-size=8192").Trim());
        try
        {
            return await AzuriteProcess.StartAsync();
        }
        finally
        {
            Environment.SetEnvironmentVariable(Variable, before);
        }
    }

    /// <summary>One run's state: the app, the figures so far, and the yardsticks later rows refer to.</summary>
    private sealed class Run(
        string scenario, StoreSize size, int runs, CrmServer server, int? azuritePid, TextWriter progress, List<ResultRow> rows, CancellationToken cancellationToken)
    {
        private readonly IServiceProvider _services = server.Services;
        private readonly StoreSize _size = size;
        private readonly int _runs = runs;
        private GeneratedStore _store = null!;
        private double _scanRate;

        private StorageAccount Storage => _services.GetRequiredService<StorageAccount>();

        public async Task ExecuteAsync(string folder)
        {
            var now = _services.GetRequiredService<TimeProvider>().GetUtcNow();
            var end = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
            await GenerateAsync(end, now.AddDays(-1));
            var lastMonthOrders = await ScanAsync();
            await RebuildAsync(lastMonthOrders);
            await SetLastNightsRfmCodesAsync();

            var firstMonth = DateOnly.ParseExact(_store.Months[0] + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture);
            var lastMonth = DateOnly.ParseExact(_store.Months[^1] + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture);
            var engine = _services.GetRequiredService<AnalyticsEngine>();
            await QueryAsync("open the analytical copy (DuckDB)", $"AnalyticsEngine.OpenAsync, which every query below pays: the blob list, an ETag check of the {_store.Months.Count * 2} cached files, two views",
                async () =>
                {
                    using var db = await engine.OpenAsync(cancellationToken);
                    return 0;
                }, scansOrders: false);
            var rfm = _services.GetRequiredService<RfmAnalysis>();
            var cohorts = _services.GetRequiredService<CohortAnalysis>();
            var (duckRfm, duckRfmMs) = await QueryAsync("RFM grid, DuckDB", "RfmAnalysis.GetGridAsync: scores and (R, F) cells, then named segments", () => rfm.GetGridAsync(cancellationToken));
            var (duckCohorts, duckCohortMs) = await QueryAsync("cohort matrix, DuckDB", $"CohortAnalysis.GetAsync {_store.Months[0]}..{_store.Months[^1]}",
                () => cohorts.GetAsync(firstMonth, lastMonth, cancellationToken));

            progress.WriteLine("SQLite copy of the same orders");
            var (loaded, loadTime, loadMemory) = await StepAsync(() => SqliteCopy.LoadAsync(Storage, folder, progress, cancellationToken));
            using var sqlite = loaded.Copy;
            var load = loaded.Load;
            Add("SQLite load (from the Parquet copy)", 1, (load.Orders + load.Lines) / load.Total.TotalSeconds, "rows/s", load.Orders + load.Lines, null, null,
                $"{load.Orders:N0} orders and {load.Lines:N0} lines inserted in {load.Insert.TotalSeconds:F1} s (one transaction, prepared statements, journal off), " +
                $"indexes and ANALYZE {load.Indexes.TotalSeconds:F1} s, customers table ({load.Customers:N0}) derived from the orders; file {load.FileBytes / 1048576.0:N0} MiB; " +
                $"{loadMemory}; total {loadTime.TotalSeconds:F1} s with the Parquet download");

            var (liteRfm, _) = await QueryAsync("RFM grid, SQLite", "the same two queries with rank() over the same rows",
                () => Task.FromResult(sqlite.Rfm()), duckRfmMs, CompareRfm(duckRfm));
            var (liteCohorts, _) = await QueryAsync("cohort matrix, SQLite", "the same query on a month-number column, shaped as CohortAnalysis does",
                () => Task.FromResult(sqlite.Cohorts(firstMonth, lastMonth, now)), duckCohortMs, CompareCohorts(duckCohorts));
            progress.WriteLine($"  RFM: {CompareRfm(duckRfm)(liteRfm)}; cohorts: {CompareCohorts(duckCohorts)(liteCohorts)}");

            await SegmentPreviewAsync(sqlite, now);
            sqlite.Dispose();

            await RecomputeAsync("nightly recompute, a day after the last", "the customers whose auto-tags a day's passing changed are rewritten");
            await RecomputeAsync("nightly recompute, run again", "nothing changed since the run before, so every customer is read and none written");
            await ExportAsync();
        }

        private async Task GenerateAsync(DateTimeOffset end, DateTimeOffset lastNight)
        {
            var generator = new StoreGenerator(Storage, _services.GetRequiredService<AnalyticsCopy>(), _size, end, lastNight);
            progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Generating {_size.Customers:N0} customers and {_size.Orders:N0} orders over {_size.Months} months ({generator.Months[0]}..{generator.Months[^1]}) into Azurite"));
            var (store, elapsed, memory) = await StepAsync(() => generator.WriteAsync(progress, cancellationToken));
            _store = store;
            Add("generate the store", StoreGenerator.Writers, store.Entities / elapsed.TotalSeconds, "rows/s", store.Entities, null, null,
                $"{store.Customers:N0} customers ({store.Buyers:N0} with orders), {store.Orders:N0} orders with {store.Lines:N0} lines over {store.Months.Count} months in " +
                $"{elapsed.TotalSeconds:F1} s: profile, metrics and last night's auto-tag rows (an insert each), customer list, tag member and ordersbymonth rows " +
                $"in 100-row batches, " +
                $"{store.Requests:N0} requests from {StoreGenerator.Writers} writers; every month then marked changed; {memory}");
        }

        /// <summary>Azurite's raw rate: the newest month alone, then every month, a few side by side. Returns the newest month's orders.</summary>
        private async Task<long> ScanAsync()
        {
            var table = Storage.Table(StorageNames.Tables.OrdersByMonth);
            long scanned = 0;
            async Task<long> ScanMonthAsync(string month, CancellationToken ct)
            {
                long count = 0;
                var filter = TableClient.CreateQueryFilter($"PartitionKey eq {month}");
                await foreach (var page in table.QueryAsync<MonthOrderEntity>(filter, ScanPageSize, cancellationToken: ct).AsPages(pageSizeHint: ScanPageSize))
                {
                    count += page.Values.Count;
                    Interlocked.Add(ref scanned, page.Values.Count);
                }
                return count;
            }

            var newest = _store.Months[^1];
            progress.WriteLine($"Azurite scan of ordersbymonth through the SDK: {newest}, then all months");
            var (monthCount, monthTime, monthMemory) = await StepAsync(() => ScanMonthAsync(newest, cancellationToken));
            Add($"Azurite scan, one month ({newest})", 1, monthCount / monthTime.TotalSeconds, "orders/s", monthCount, null, null,
                $"{monthCount:N0} orders in {monthTime.TotalSeconds:F1} s, {ScanPageSize:N0}-row pages, read as the rebuild reads them (MonthOrderEntity); {monthMemory}");

            scanned = 0;
            var (total, allTime, allMemory) = await StepAsync(async () =>
            {
                await using var ticker = ProgressTicker.Start(progress, "scan", _ => Task.FromResult($"{Interlocked.Read(ref scanned):N0} of {_store.Orders:N0} orders"));
                long sum = 0;
                await Parallel.ForEachAsync(_store.Months, new ParallelOptions { MaxDegreeOfParallelism = ScanParallelism, CancellationToken = cancellationToken },
                    async (month, ct) => Interlocked.Add(ref sum, await ScanMonthAsync(month, ct)));
                return sum;
            });
            _scanRate = total / allTime.TotalSeconds;
            Add("Azurite scan, all orders", ScanParallelism, _scanRate, "orders/s", total, null, null,
                $"the yardstick: a full scan of {total:N0} orders takes {allTime.TotalSeconds:F1} s, {ScanParallelism} months side by side in {ScanPageSize:N0}-row pages; {allMemory}");
            return monthCount;
        }

        private async Task RebuildAsync(long lastMonthOrders)
        {
            var copy = _services.GetRequiredService<AnalyticsCopy>();
            progress.WriteLine($"Full rebuild of the analytical copy ({_store.Months.Count} months marked changed)");
            var (months, fullTime, fullMemory) = await StepAsync(async () =>
            {
                await using var ticker = ProgressTicker.Start(progress, "rebuild", async ct =>
                {
                    var freshness = await copy.GetFreshnessAsync(ct);
                    return $"{freshness.MonthsBuilt} months built, {freshness.OrdersInCopy:N0} orders in the copy";
                });
                return await copy.RebuildChangedAsync(cancellationToken);
            });
            var fresh = await copy.GetFreshnessAsync(cancellationToken);
            var fullRate = fresh.OrdersInCopy / fullTime.TotalSeconds;
            Add("rebuild analytical copy, full", 1, fullRate, "orders/s", fresh.OrdersInCopy, null, null,
                $"AnalyticsCopy.RebuildChangedAsync with all {months.Count} months changed: {fullTime.TotalSeconds:F1} s for {fresh.OrdersInCopy:N0} orders " +
                $"({(fresh.OrdersInCopy == _store.Orders ? "all of them" : $"NOT the {_store.Orders:N0} generated")}), a month at a time; " +
                $"{fullRate / _scanRate:F2} × Azurite's raw scan rate; {fullMemory}");

            var newest = _store.Months[^1];
            await copy.MarkChangedAsync(newest, cancellationToken);
            var (_, monthTime, monthMemory) = await StepAsync(() => copy.RebuildChangedAsync(cancellationToken));
            Add($"rebuild analytical copy, one changed month ({newest})", 1, lastMonthOrders / monthTime.TotalSeconds, "orders/s", lastMonthOrders, null, null,
                $"{monthTime.TotalSeconds:F1} s for the month's {lastMonthOrders:N0} orders; {monthMemory}");
        }

        /// <summary>
        /// Gives every customer the RFM code last night's recompute would have stored, from the copy
        /// just built, so the recompute measured later rewrites only what changed. Setup, not measured:
        /// one merge per metrics row, several side by side.
        /// </summary>
        private async Task SetLastNightsRfmCodesAsync()
        {
            var codes = await _services.GetRequiredService<RfmAnalysis>().GetAllCodesAsync(cancellationToken);
            var table = Storage.Table(StorageNames.Tables.Customers);
            var clock = Stopwatch.StartNew();
            await Parallel.ForEachAsync(codes, new ParallelOptions { MaxDegreeOfParallelism = StoreGenerator.Writers, CancellationToken = cancellationToken },
                async (code, ct) => await table.UpdateEntityAsync(
                    new TableEntity(code.Key, CustomerKeys.Metrics) { [nameof(MetricsEntity.RfmCode)] = code.Value }, Azure.ETag.All, TableUpdateMode.Merge, ct));
            progress.WriteLine($"  setup: last night's RFM codes on {codes.Count:N0} customers in {clock.Elapsed.TotalSeconds:F1} s");
        }

        /// <summary>
        /// Runs a query once to warm up, then <c>runs</c> times, and adds a row with the median as p50 and
        /// the slowest as p99. The rate of a query over all orders is the store's orders over the median,
        /// to set beside Azurite's scan rate; that of a lookup (<paramref name="scansOrders"/> false) is
        /// queries per second. With <paramref name="against"/> (the other engine's timings) the note gives
        /// the ratio, and <paramref name="check"/> says whether this engine's answer matches the other's.
        /// </summary>
        public async Task<(T Result, IReadOnlyList<double> Ms)> QueryAsync<T>(
            string measurement, string what, Func<Task<T>> query, IReadOnlyList<double>? against = null, Func<T, string>? check = null, bool scansOrders = true,
            string againstName = "DuckDB")
        {
            progress.WriteLine($"{measurement}: {_runs} runs after a warm-up");
            using var memory = MemoryPeak.Start(azuritePid);
            var result = await query();
            var times = new List<double>();
            for (var i = 0; i < _runs; i++)
            {
                var clock = Stopwatch.StartNew();
                result = await query();
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
            var reading = memory.Stop();
            times.Sort();
            var median = Median(times);
            var rate = (scansOrders ? _store.Orders : 1) / (median / 1000);
            var note = $"median {median:N1} ms of {_runs}: {what}" + (scansOrders ? $"; {rate / _scanRate:N0} × Azurite's raw scan rate" : "");
            if (against is not null)
            {
                note += $"; {median / Median(against):N2} × {againstName}'s time";
            }
            if (check is not null)
            {
                note += $"; {check(result)}";
            }
            Add(measurement, 1, rate, scansOrders ? "orders/s" : "queries/s", _runs, median, times[^1], $"{note}; {reading}");
            return (result, times);
        }

        private async Task SegmentPreviewAsync(SqliteCopy sqlite, DateTimeOffset now)
        {
            // lifetime_value > 500, bought boots in the last 365 days, last order in the last 90 days.
            var (liteResult, liteTimes) = await QueryAsync("segment preview (3 conditions), SQLite",
                "customers with lifetime value over $500, a boots line in the last 365 days and an order in the last 90: count and 10 ids",
                () => Task.FromResult(sqlite.PreviewSegment(50_000, ["boots"], 365, 90, 10, now)), scansOrders: false);
            progress.WriteLine($"  SQLite: {liteResult.Count:N0} customers match");

            using var api = new CrmApiClient(server);
            var body = new
            {
                rules = new
                {
                    match = "all",
                    rules = new object[]
                    {
                        new { field = "lifetime_value", op = "gt", value = (object)500 },
                        new { field = "purchased_category", op = "in", value = (object)new[] { "boots" }, withinDays = 365 },
                        new { field = "last_order_at", op = "within_last_days", value = (object)90 },
                    },
                },
                sampleSize = 10,
            };
            var (probe, probeBody) = await api.TrySendJsonAsync(HttpMethod.Post, "/api/segments/preview", body, cancellationToken);
            probeBody?.Dispose();
            if (probe == HttpStatusCode.NotFound)
            {
                progress.WriteLine("  POST /api/segments/preview answered 404: the segment builder is not in this build");
                Add("segment preview (3 conditions), app", 1, 0, "queries/s", 0, null, null,
                    $"not available: POST /api/segments/preview answered 404; SQLite found {liteResult.Count:N0}");
                return;
            }

            var (refreshTime, refreshMemory) = await TimedAsync(async () =>
            {
                using var refreshed = await api.SendJsonAsync(HttpMethod.Post, "/api/analytics/refresh?full=true", null, HttpStatusCode.OK, cancellationToken);
            });
            Add("customer-features refresh (POST /api/analytics/refresh?full=true)", 1, _store.Customers / refreshTime.TotalSeconds, "customers/s", _store.Customers, null, null,
                $"{refreshTime.TotalSeconds:F1} s; {refreshMemory}");

            await QueryAsync("segment preview (3 conditions), app", "POST /api/segments/preview, sample of 10, through HTTP", async () =>
            {
                using var answer = await api.SendJsonAsync(HttpMethod.Post, "/api/segments/preview", body, HttpStatusCode.OK, cancellationToken);
                return answer.RootElement.GetProperty("count").GetInt64();
            }, liteTimes, count => count == liteResult.Count ? $"count {count:N0}, as SQLite's" : $"count {count:N0} DIFFERS from SQLite's {liteResult.Count:N0}", scansOrders: false, againstName: "SQLite");
        }

        private async Task RecomputeAsync(string measurement, string what)
        {
            var recompute = _services.GetRequiredService<RecomputeService>();
            progress.WriteLine($"{measurement}: {what}");
            RecomputeJob job = null!;
            var (elapsed, memory) = await TimedAsync(async () =>
            {
                await using var ticker = ProgressTicker.Start(progress, "recompute", _ => Task.FromResult(
                    job is null ? "queueing shards" : $"{job.CustomersProcessed:N0} customers, shard {job.ShardsDone} of {job.ShardsTotal}"));
                job = await recompute.StartAsync("bench", cancellationToken);
                while (job.EndedAt is null)
                {
                    await Task.Delay(PollEvery, cancellationToken);
                    job = await PollAsync(ct => recompute.GetAsync(job.Id, ct)) ?? job;
                }
            });
            Add(measurement, 1, job.CustomersProcessed / elapsed.TotalSeconds, "customers/s", job.CustomersProcessed, null, null,
                $"{what}: {job.CustomersProcessed:N0} customers in {elapsed.TotalSeconds:F1} s from RecomputeService.StartAsync (copy refresh, RFM codes, " +
                $"{job.ShardsTotal} shards of up to {RecomputeService.ShardSize} queued) until the job ended ({job.State}), run by the app's queue poller; " +
                $"{job.CustomersChanged:N0} changed, {job.Errors} errors; {memory}");
        }

        private async Task ExportAsync()
        {
            var exports = _services.GetRequiredService<ExportService>();
            progress.WriteLine("Export of every customer to CSV, all fields");
            ExportJob job = null!;
            var (elapsed, memory) = await TimedAsync(async () =>
            {
                await using var ticker = ProgressTicker.Start(progress, "export", _ => Task.FromResult(job is null ? "starting" : $"{job.Rows:N0} rows"));
                job = await exports.StartAsync(new ExportRequest(ExportKind.Customers, ExportFormat.Csv, null, null, null), "bench", cancellationToken);
                while (job.State is JobState.Queued or JobState.Running)
                {
                    await Task.Delay(PollEvery, cancellationToken);
                    job = await PollAsync(ct => exports.GetAsync(job.Id, ct)) ?? job;
                }
            });
            if (job.State != JobState.Succeeded)
            {
                throw new InvalidOperationException($"The export ended {job.State}: {job.Error}");
            }
            var blob = await Storage.Container(StorageNames.Containers.Exports).GetBlobClient(job.BlobName).GetPropertiesAsync(cancellationToken: cancellationToken);
            Add("export all customers to CSV", 1, job.Rows / elapsed.TotalSeconds, "rows/s", job.Rows, null, null,
                $"{job.Rows:N0} rows, {job.Fields.Count} fields (profile from the customer list, metrics by a point read each), " +
                $"{blob.Value.ContentLength / 1048576.0:N1} MiB, {elapsed.TotalSeconds:F1} s from ExportService.StartAsync until succeeded, run by the app's queue poller; {memory}");
        }

        /// <summary>
        /// Reads a job's progress; null when the read timed out. A busy Azurite can hold a point read
        /// past the SDK's retries while the job is still running, which should not end the measurement.
        /// </summary>
        private async Task<T?> PollAsync<T>(Func<CancellationToken, Task<T>> read) where T : class
        {
            try
            {
                return await read(cancellationToken);
            }
            catch (Exception ex) when (ex is AggregateException or Azure.RequestFailedException && !cancellationToken.IsCancellationRequested)
            {
                progress.WriteLine($"  a progress read failed ({ex.GetType().Name}); reading again");
                return null;
            }
        }

        private async Task<(T Result, TimeSpan Elapsed, MemoryReading Memory)> StepAsync<T>(Func<Task<T>> step)
        {
            using var memory = MemoryPeak.Start(azuritePid);
            var clock = Stopwatch.StartNew();
            var result = await step();
            clock.Stop();
            return (result, clock.Elapsed, memory.Stop());
        }

        private async Task<(TimeSpan Elapsed, MemoryReading Memory)> TimedAsync(Func<Task> step)
        {
            var (_, elapsed, memory) = await StepAsync(async () =>
            {
                await step();
                return 0;
            });
            return (elapsed, memory);
        }

        private void Add(string measurement, int concurrency, double rate, string unit, long operations, double? p50, double? p99, string note)
        {
            var row = new ResultRow(scenario, measurement, concurrency, rate, unit, operations, p50, p99, note);
            rows.Add(row);
            progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {measurement}: {rate:N0} {unit}; {note}"));
        }

        private static double Median(IReadOnlyList<double> sorted) =>
            sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;

        private static Func<RfmGrid, string> CompareRfm(RfmGrid duck) => lite =>
        {
            var cellsAgree = duck.Cells.Count == lite.Cells.Count && duck.Cells.Zip(lite.Cells).All(p =>
                p.First.R == p.Second.R && p.First.F == p.Second.F && p.First.Customers == p.Second.Customers
                && p.First.RevenueCents == p.Second.RevenueCents && Math.Abs(p.First.AverageM - p.Second.AverageM) <= 0.011);
            var segmentsAgree = duck.Segments.Count == lite.Segments.Count && duck.Segments.Zip(lite.Segments).All(p =>
                p.First.Name == p.Second.Name && p.First.Customers == p.Second.Customers && p.First.RevenueCents == p.Second.RevenueCents);
            return cellsAgree && segmentsAgree
                ? $"same answer: {duck.Customers:N0} customers, customers and revenue of all {duck.Cells.Count} cells and {duck.Segments.Count} segments agree"
                : $"DIFFERENT answer: DuckDB {duck.Customers:N0} customers in {duck.Cells.Count} cells, SQLite {lite.Customers:N0} in {lite.Cells.Count}";
        };

        private static Func<IReadOnlyList<Cohort>, string> CompareCohorts(IReadOnlyList<Cohort> duck) => lite =>
        {
            var agree = duck.Count == lite.Count && duck.Zip(lite).All(p =>
                p.First.Month == p.Second.Month && p.First.Customers == p.Second.Customers
                && p.First.RevenuePerCustomer.SequenceEqual(p.Second.RevenuePerCustomer)
                && p.First.Retention.Zip(p.Second.Retention).All(r => r.First is null ? r.Second is null : r.Second is { } s && Math.Abs(r.First.Value - s) < 0.00011));
            return agree
                ? $"same answer: {duck.Count} cohorts of {duck.Sum(c => c.Customers):N0} customers, sizes, retention and revenue per customer agree"
                : $"DIFFERENT answer: DuckDB {duck.Count} cohorts of {duck.Sum(c => c.Customers):N0}, SQLite {lite.Count} of {lite.Sum(c => c.Customers):N0}";
        };
    }
}
