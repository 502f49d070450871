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
using PecosCrm.Core.Reports;
using PecosCrm.Core.Storage;
using PecosCrm.Testing;

namespace PecosCrm.Bench.Scenarios.Analytics;

/// <summary>
/// The analytics work at store size. The order side: a generated store of 100,000 customers and
/// 1,000,000 orders (36 months) written straight into an in-memory Azurite, Azurite's raw scan of
/// them (the yardstick), the full and one-month rebuild of the order copy, the RFM grid and the
/// cohort matrix in DuckDB beside the same queries in SQLite over the same rows, and the
/// three-condition segment preview in SQLite over every customer. The customer side: every customer
/// (or the first <c>--customer-side</c> of them) is given a card; over them, Azurite's point reads of
/// a card (the yardstick), the full rebuild of the customer-features file, the segment preview
/// through the app beside SQLite over the same customers, the nightly recompute and the export of
/// every customer to CSV. Every step reports its peak memory. The app runs in this process (queue
/// poller on, timers off), so the peaks include it.
/// </summary>
public sealed class AnalyticsScenario(StoreSize size, int runs, bool customerPartOnly = false, bool noRecompute = false) : IConfigurableScenario
{
    /// <summary>Month partitions scanned side by side for Azurite's raw rate.</summary>
    private const int ScanParallelism = 4;

    private const int ScanPageSize = 1000;

    /// <summary>Customers read side by side, as <see cref="CustomerFeatures"/> reads them.</summary>
    private const int CustomerReadParallelism = 16;

    /// <summary>Customers whose card the SDK yardstick reads.</summary>
    private const int CustomerReadSample = 2000;

    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(250);

    public AnalyticsScenario() : this(new StoreSize(100_000, 1_000_000, 36, 100_000), 5)
    {
    }

    public string Name => "analytics-100k";

    public string Description => string.Create(CultureInfo.InvariantCulture,
        $"Analytics at store size. Order side ({size.Customers:N0} customers, {size.Orders:N0} orders): Azurite's scan rate, order-copy rebuild, RFM, cohorts and the segment preview's order conditions in DuckDB beside SQLite. " +
        $"Customer side (the first {size.CustomerSide:N0} customers): features rebuild, segment preview through the app beside SQLite, nightly recompute, CSV export. Peak memory of each.");

    public IReadOnlyList<ScenarioOption> Options =>
    [
        new("customers", $"customers whose orders are generated, the order side (default {size.Customers:N0}); try 5000 for a trial run"),
        new("orders", $"orders in all, over {size.Months} months (default {size.Orders:N0}); try 50000 with --customers=5000"),
        new("customer-side", "the first customers given a card, the customer side (default: every customer)"),
        new("runs", $"timed runs of each query after one warm-up, the median reported (default {runs})"),
        new("recompute", "'customers' times the nightly recompute until its last customer shard is done, without filling the dynamic segments first and without the segment refreshes, the second recompute and the export after it; 'none' stops after the segment preview and explain (default 'all')"),
    ];

    public IScenario Configure(IReadOnlyDictionary<string, string> options)
    {
        int Read(string name, int fallback) =>
            !options.TryGetValue(name, out var text) ? fallback
            : int.TryParse(text.Replace("_", "").Replace(",", ""), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0 ? value
            : throw new ArgumentException($"--{name} must be a positive whole number, not '{text}'.");
        var customers = Read("customers", size.Customers);
        var customerSide = options.ContainsKey("customer-side") ? Read("customer-side", size.CustomerSide) : customers;
        if (customerSide > customers)
        {
            throw new ArgumentException($"--customer-side ({customerSide:N0}) cannot be more than --customers ({customers:N0}).");
        }
        var recompute = options.GetValueOrDefault("recompute", "all");
        if (recompute is not ("all" or "customers" or "none"))
        {
            throw new ArgumentException($"--recompute must be 'all', 'customers' or 'none', not '{recompute}'.");
        }
        return new AnalyticsScenario(new StoreSize(customers, Read("orders", size.Orders), size.Months, customerSide), Read("runs", runs), recompute == "customers", recompute == "none");
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
            var run = new Run(Name, size, runs, customerPartOnly, noRecompute, server, azuritePid, [azurite.BlobPort, azurite.QueuePort, azurite.TablePort], progress, rows, cancellationToken);
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
        string scenario, StoreSize size, int runs, bool customerPartOnly, bool noRecompute, CrmServer server, int? azuritePid, IReadOnlyList<int> storagePorts, TextWriter progress, List<ResultRow> rows,
        CancellationToken cancellationToken)
    {
        private static readonly string[] Boots = ["boots"];

        private readonly IServiceProvider _services = server.Services;
        private readonly StoreSize _size = size;
        private readonly int _runs = runs;
        private GeneratedStore _store = null!;
        private double _scanRate;
        private double _customerReadRate;
        private DateTimeOffset _lastNight;

        private StorageAccount Storage => _services.GetRequiredService<StorageAccount>();

        private TimeProvider Clock => _services.GetRequiredService<TimeProvider>();

        /// <summary>Where a row's figures come from, first in its note.</summary>
        private string OrderSide => string.Create(CultureInfo.InvariantCulture, $"[order side: {_store.Customers:N0} customers, {_store.Orders:N0} orders]");

        private string CustomerSide => string.Create(CultureInfo.InvariantCulture,
            $"[customer side: {_store.CustomerSide:N0} customers with customer rows, {_store.CustomerSideOrders:N0} of the orders theirs]");

        public async Task ExecuteAsync(string folder)
        {
            var now = Clock.GetUtcNow();
            var end = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
            _lastNight = now.AddDays(-1);
            await GenerateAsync(end, now);

            // The order side: every order, every customer who placed one.
            var lastMonthOrders = await ScanAsync();
            await RebuildOrdersAsync(lastMonthOrders);
            // Before anything reads the copy: the first read would load this version itself.
            await LoadSessionAsync(OrderSide, "load a version of the copy (DuckDB session)");
            await SetLastNightsRfmCodesAsync();

            var firstMonth = DateOnly.ParseExact(_store.Months[0] + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture);
            var lastMonth = DateOnly.ParseExact(_store.Months[^1] + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture);
            var engine = _services.GetRequiredService<AnalyticsEngine>();
            await QueryAsync(OrderSide, "acquire the shared session (DuckDB)", "AnalyticsEngine.AcquireAsync, which every query below pays: a reference on the current version and a connection of its own (Duplicate)",
                async () =>
                {
                    using var reader = await engine.AcquireAsync(cancellationToken);
                    return 0;
                }, scansOrders: false);
            var rfm = _services.GetRequiredService<RfmAnalysis>();
            var cohorts = _services.GetRequiredService<CohortAnalysis>();
            var (duckRfm, duckRfmMs) = await QueryAsync(OrderSide, "RFM grid, DuckDB", "RfmAnalysis.GetGridAsync: scores and (R, F) cells, then named segments", () => rfm.GetGridAsync(cancellationToken));
            var (duckCohorts, duckCohortMs) = await QueryAsync(OrderSide, "cohort matrix, DuckDB", $"CohortAnalysis.GetAsync {_store.Months[0]}..{_store.Months[^1]}",
                () => cohorts.GetAsync(firstMonth, lastMonth, cancellationToken));

            await ReportsAsync(firstMonth, lastMonth);

            progress.WriteLine("SQLite copy of the same orders");
            var (loaded, loadTime, loadMemory) = await StepAsync(() => SqliteCopy.LoadAsync(Storage, folder, progress, cancellationToken));
            using var sqlite = loaded.Copy;
            var load = loaded.Load;
            Add(OrderSide, "SQLite load (from the Parquet copy)", 1, (load.Orders + load.Lines) / load.Total.TotalSeconds, "rows/s", load.Orders + load.Lines, null, null,
                $"{load.Orders:N0} orders and {load.Lines:N0} lines inserted in {load.Insert.TotalSeconds:F1} s (one transaction, prepared statements, journal off), " +
                $"indexes and ANALYZE {load.Indexes.TotalSeconds:F1} s, customers table ({load.Customers:N0}) derived from the orders; file {load.FileBytes / 1048576.0:N0} MiB; " +
                $"{loadMemory}; total {loadTime.TotalSeconds:F1} s with the Parquet download");

            var (liteRfm, _) = await QueryAsync(OrderSide, "RFM grid, SQLite", "the same two queries with rank() over the same rows",
                () => Task.FromResult(sqlite.Rfm()), duckRfmMs, CompareRfm(duckRfm));
            var (liteCohorts, _) = await QueryAsync(OrderSide, "cohort matrix, SQLite", "the same query on a month-number column, shaped as CohortAnalysis does",
                () => Task.FromResult(sqlite.Cohorts(firstMonth, lastMonth, now)), duckCohortMs, CompareCohorts(duckCohorts));
            progress.WriteLine($"  RFM: {CompareRfm(duckRfm)(liteRfm)}; cohorts: {CompareCohorts(duckCohorts)(liteCohorts)}");
            var (liteAll, _) = await QueryAsync(OrderSide, "segment preview (3 conditions), SQLite, every customer",
                "customers with lifetime value over $500, a boots line in the last 365 days and an order in the last 90, among every customer who ordered: count and 10 ids",
                () => Task.FromResult(sqlite.PreviewSegment(50_000, Boots, 365, 90, 10, Clock.GetUtcNow())), check: r => $"{r.Count:N0} match", scansOrders: false);
            progress.WriteLine($"  SQLite: {liteAll.Count:N0} of every customer match");

            // The customer side: the customers with a card.
            await CustomerReadsAsync();
            await FeaturesRebuildAsync();
            await LoadSessionAsync(CustomerSide, "load a version of the copy with the features (DuckDB session)");
            await SegmentPreviewAsync(sqlite);
            sqlite.Dispose();
            await PredictiveFitAsync();
            if (noRecompute)
            {
                return;
            }

            if (customerPartOnly)
            {
                await RecomputeAsync("nightly recompute, a day after the last, customer part",
                    "until the last customer shard is done (the dynamic segments, not filled before, are refreshed after that and not timed)", first: true, untilShards: true);
                return;
            }
            await FillSegmentsAsync();
            await RecomputeAsync("nightly recompute, a day after the last", "the customers whose auto-tags, health score or churn risk a day's passing changed are rewritten", first: true);
            await RecomputeAsync("nightly recompute, run again", "straight after the first: every customer is read, and only those whose figures moved in the minutes between are written", first: false);
            await ExportAsync();
        }

        private async Task GenerateAsync(DateTimeOffset end, DateTimeOffset now)
        {
            var generator = new StoreGenerator(Storage, _size, end, _lastNight, now);
            progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Generating {_size.Customers:N0} customers' {_size.Orders:N0} orders over {_size.Months} months ({generator.Months[0]}..{generator.Months[^1]}), " +
                $"and cards for the first {_size.CustomerSide:N0}, into Azurite"));
            var (store, elapsed, memory) = await StepAsync(() => generator.WriteAsync(progress, cancellationToken));
            _store = store;
            Add(OrderSide + " " + CustomerSide, "generate the store", StoreGenerator.Writers, store.Entities / elapsed.TotalSeconds, "rows/s", store.Entities, null, null,
                $"{store.Orders:N0} orders with {store.Lines:N0} lines over {store.Months.Count} months from {store.Customers:N0} customers ({store.Buyers:N0} with orders), " +
                $"as ordersbymonth rows in 100-row batches; for the first {store.CustomerSide:N0} customers ({store.CustomerSideBuyers:N0} with orders) " +
                $"a card each (profile, metrics, last night's auto-tags, health and churn risk; an insert each), customer list and tag member rows in 100-row batches; " +
                $"{elapsed.TotalSeconds:F1} s, {store.Requests:N0} requests from {StoreGenerator.Writers} writers; {memory}");
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
            Add(OrderSide, $"Azurite scan, one month ({newest})", 1, monthCount / monthTime.TotalSeconds, "orders/s", monthCount, null, null,
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
            Add(OrderSide, "Azurite scan, all orders", ScanParallelism, _scanRate, "orders/s", total, null, null,
                $"the yardstick: a full scan of {total:N0} orders takes {allTime.TotalSeconds:F1} s, {ScanParallelism} months side by side in {ScanPageSize:N0}-row pages; {allMemory}");
            return monthCount;
        }

        /// <summary>
        /// The order half of the analytical copy: every month, then one month again. The app's
        /// <c>AnalyticsCopy.RebuildChangedAsync</c> rebuilds each changed month with
        /// <c>RebuildMonthAsync</c>, one after another, and then the customer-features file; the
        /// months are called here directly so that the order side is timed apart from the customer
        /// side (the features rebuild is a row of its own).
        /// </summary>
        private async Task RebuildOrdersAsync(long lastMonthOrders)
        {
            var copy = _services.GetRequiredService<AnalyticsCopy>();
            progress.WriteLine($"Full rebuild of the order copy ({_store.Months.Count} months)");
            var built = 0;
            long inCopy = 0;
            var (orders, fullTime, fullMemory) = await StepAsync(async () =>
            {
                await using var ticker = ProgressTicker.Start(progress, "rebuild", _ => Task.FromResult(
                    $"{Volatile.Read(ref built)} months built, {Interlocked.Read(ref inCopy):N0} orders in the copy"));
                foreach (var month in _store.Months)
                {
                    Interlocked.Add(ref inCopy, await copy.RebuildMonthAsync(month, cancellationToken));
                    Interlocked.Increment(ref built);
                }
                return Interlocked.Read(ref inCopy);
            });
            var fresh = await copy.GetFreshnessAsync(cancellationToken);
            var fullRate = orders / fullTime.TotalSeconds;
            Add(OrderSide, "rebuild order copy, full", 1, fullRate, "orders/s", orders, null, null,
                $"AnalyticsCopy.RebuildMonthAsync for each of the {_store.Months.Count} months in turn, as RebuildChangedAsync(full: true) does before the customer features: " +
                $"{fullTime.TotalSeconds:F1} s for {orders:N0} orders " +
                $"({(orders == _store.Orders && fresh.OrdersInCopy == _store.Orders ? "all of them" : $"NOT the {_store.Orders:N0} generated; the copy holds {fresh.OrdersInCopy:N0}")}), " +
                $"read from ordersbymonth a month at a time and written as two Parquet files per month; " +
                $"{fullRate / _scanRate:F2} × Azurite's raw scan rate; {fullMemory}");

            var newest = _store.Months[^1];
            var (_, monthTime, monthMemory) = await StepAsync(() => copy.RebuildMonthAsync(newest, cancellationToken));
            Add(OrderSide, $"rebuild order copy, one month ({newest})", 1, lastMonthOrders / monthTime.TotalSeconds, "orders/s", lastMonthOrders, null, null,
                $"RebuildMonthAsync for the newest month, what a refresh does after an order of that month changed: {monthTime.TotalSeconds:F1} s for its {lastMonthOrders:N0} orders; " +
                $"{lastMonthOrders / monthTime.TotalSeconds / _scanRate:F2} × Azurite's raw scan rate; {monthMemory}");
        }

        /// <summary>
        /// Gives every customer-side customer the RFM code last night's recompute would have stored,
        /// from the copy just built (scored among every customer), with the time it was scored, so the
        /// recompute measured later rewrites only what changed. Setup, not measured: one merge per
        /// card, several side by side.
        /// </summary>
        private async Task SetLastNightsRfmCodesAsync()
        {
            var codes = (await _services.GetRequiredService<RfmAnalysis>().GetAllCodesAsync(cancellationToken))
                .Where(c => string.CompareOrdinal(c.Key, _store.LastCustomerSideId) <= 0).ToList();
            var table = Storage.Table(StorageNames.Tables.Customers);
            var clock = Stopwatch.StartNew();
            await Parallel.ForEachAsync(codes, new ParallelOptions { MaxDegreeOfParallelism = StoreGenerator.Writers, CancellationToken = cancellationToken },
                async (code, ct) => await table.UpdateEntityAsync(
                    new TableEntity(code.Key, CustomerKeys.Card(code.Key)) { [nameof(CardEntity.RfmCode)] = code.Value, [nameof(CardEntity.RfmScoredAt)] = _lastNight }, Azure.ETag.All, TableUpdateMode.Merge, ct));
            progress.WriteLine($"  setup: last night's RFM codes on {codes.Count:N0} customer-side customers in {clock.Elapsed.TotalSeconds:F1} s");
        }

        /// <summary>
        /// Runs a query once to warm up, then <c>runs</c> times, and adds a row with the median as p50 and
        /// the slowest as p99. The rate of a query over all orders is the store's orders over the median,
        /// to set beside Azurite's scan rate; that of a lookup (<paramref name="scansOrders"/> false) is
        /// queries per second. With <paramref name="against"/> (the other engine's timings) the note gives
        /// the ratio, and <paramref name="check"/> says whether this engine's answer matches the other's.
        /// </summary>
        public async Task<(T Result, IReadOnlyList<double> Ms)> QueryAsync<T>(
            string side, string measurement, string what, Func<Task<T>> query, IReadOnlyList<double>? against = null, Func<T, string>? check = null, bool scansOrders = true,
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
            Add(side, measurement, 1, rate, scansOrders ? "orders/s" : "queries/s", _runs, median, times[^1], $"{note}; {reading}");
            return (result, times);
        }

        /// <summary>
        /// Report runs as <c>POST /api/reports/{id}/run</c> makes them (without the snapshot write):
        /// an order-level metric by week on the store's clock and channel, over every month (the
        /// clock's offsets joined on), and units by month and category (a join of the lines).
        /// </summary>
        private async Task ReportsAsync(DateOnly firstMonth, DateOnly lastMonth)
        {
            var runner = _services.GetRequiredService<ReportRunner>();
            var range = new ReportDateRange(null, firstMonth.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                lastMonth.AddMonths(1).AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            var revenue = ReportRules.Check(new ReportDefinition("bench", null, "revenue", ["week", "channel"], [], range, "table", null));
            var units = ReportRules.Check(new ReportDefinition("bench", null, "units", ["month", "category"], [], range, "table", null));
            var customers = ReportRules.Check(new ReportDefinition("bench", null, "active_customers", ["month"], [], range, "line", null));
            await QueryAsync(OrderSide, "report: revenue by week and channel, DuckDB", $"ReportRunner.RunAsync over {range.From}..{range.To} on the store's clock",
                () => runner.RunAsync(revenue, Clock.GetUtcNow(), cancellationToken), check: r => $"{r.Rows.Count:N0} rows, total {r.Total:N2}");
            await QueryAsync(OrderSide, "report: units by month and category, DuckDB", "ReportRunner.RunAsync, the order lines joined",
                () => runner.RunAsync(units, Clock.GetUtcNow(), cancellationToken), check: r => $"{r.Rows.Count:N0} rows, total {r.Total:N0}");
            await QueryAsync(OrderSide, "report: active customers by month, DuckDB", "ReportRunner.RunAsync, distinct customers per month and over the range",
                () => runner.RunAsync(customers, Clock.GetUtcNow(), cancellationToken), check: r => $"{r.Rows.Count:N0} rows, total {r.Total:N0}");
        }

        /// <summary>
        /// The customer side's yardstick: the SDK reading a customer's card, as the features rebuild
        /// does, for a sample spread over the customer-side ids, several customers side by side.
        /// </summary>
        private async Task CustomerReadsAsync()
        {
            var table = Storage.Table(StorageNames.Tables.Customers);
            var sample = Math.Min(_store.CustomerSide, CustomerReadSample);
            var ids = Enumerable.Range(0, sample).Select(i => StoreGenerator.CustomerId((int)((long)i * _store.CustomerSide / sample))).ToList();
            progress.WriteLine($"Azurite reads of {sample:N0} customers' cards through the SDK");
            var missing = 0;
            var (_, elapsed, memory) = await StepAsync(async () =>
            {
                await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = CustomerReadParallelism, CancellationToken = cancellationToken }, async (id, ct) =>
                {
                    if (!(await table.GetEntityIfExistsAsync<TableEntity>(id, CustomerKeys.Card(id), cancellationToken: ct)).HasValue)
                    {
                        Interlocked.Increment(ref missing);
                    }
                });
                return 0;
            });
            if (missing > 0)
            {
                throw new InvalidOperationException($"{missing} of the {sample} customer-side customers read have no card.");
            }
            _customerReadRate = sample / elapsed.TotalSeconds;
            Add(CustomerSide, "Azurite reads, a customer's card", CustomerReadParallelism, _customerReadRate, "customers/s", sample, null, null,
                $"the yardstick for the customer side: {sample:N0} customers spread over the customer-side ids, each a point read of its card (RowKey card|{{id}}, unique in the table), " +
                $"{CustomerReadParallelism} customers side by side, through the SDK: {elapsed.TotalSeconds:F1} s; {memory}");
        }

        /// <summary>
        /// Loads the copy as it is now into a new shared DuckDB session (<c>AnalyticsEngine.RefreshAsync</c>,
        /// what the background refresh does once per version after rebuilding): the Parquet files
        /// downloaded by ETag and loaded as tables, the purchase facts joined onto the features, the
        /// RFM scores materialised. Paid once per version, never by a request.
        /// </summary>
        private async Task LoadSessionAsync(string side, string measurement)
        {
            var engine = _services.GetRequiredService<AnalyticsEngine>();
            progress.WriteLine(measurement);
            var (session, elapsed, memory) = await StepAsync(() => engine.RefreshAsync(cancellationToken));
            Add(side, measurement, 1, _store.Orders / elapsed.TotalSeconds, "orders/s", _store.Orders, null, null,
                $"AnalyticsEngine.RefreshAsync: version {session.Version} (the copy's blob ETags) loaded in {elapsed.TotalSeconds:F1} s: files downloaded by ETag, " +
                $"orders, order lines and customer features loaded as tables, per-customer purchase facts (last purchase per category and product, counted orders) joined on, " +
                $"RFM scores materialised; once per version, in the background; {memory}");
        }

        /// <summary>
        /// The nightly fit of the predictive models (<c>PredictiveFitter.FitAsync</c>, what
        /// <c>POST /api/analytics/predictive/fit</c> runs) on this store: the holdout check, the
        /// classifier, the full fits, every customer's forecast and the product tables, written and loaded.
        /// </summary>
        private async Task PredictiveFitAsync()
        {
            progress.WriteLine("Predictive models: fit on the whole store");
            var fitter = _services.GetRequiredService<PecosCrm.Core.Predictive.PredictiveFitter>();
            var (report, elapsed, memory) = await StepAsync(() => fitter.FitAsync(cancellationToken));
            var fitted = report.Customers / elapsed.TotalSeconds;
            var bg = report.BgNbd;
            var gg = report.GammaGamma;
            var holdout = report.Holdout;
            var classifier = report.Classifier;
            var deciles = holdout is null ? "none" : string.Join(" ", holdout.Deciles.Select(d => string.Create(CultureInfo.InvariantCulture, $"{d.Decile}:{d.PredictedMean:F2}/{d.ActualMean:F2}")));
            Add(OrderSide, "predictive fit (BG/NBD, Gamma-Gamma, classifier)", 1, fitted, "customers/s", report.Customers, null, null, string.Create(CultureInfo.InvariantCulture,
                $"PredictiveFitter.FitAsync: {report.Status}{(report.FallbackReason is null ? "" : " (" + report.FallbackReason + ")")}, {report.Customers:N0} customers " +
                $"({report.RepeatCustomers:N0} with a repeat purchase) in {elapsed.TotalSeconds:F1} s; " +
                $"BG/NBD (days) r={bg?.R:F4} alpha={bg?.Alpha:F2} a={bg?.A:F4} b={bg?.B:F4} LL={bg?.LogLikelihood:F0} ({bg?.Iterations} iterations, {bg?.Seconds:F1} s); " +
                $"Gamma-Gamma p={gg?.P:F3} q={gg?.Q:F3} gamma={gg?.Gamma:F2} (mean ${gg?.PopulationMeanValue:F2} against ${gg?.ObservedMeanValue:F2} observed); " +
                $"holdout {holdout?.HoldoutDays} days from {holdout?.CalibrationEnd:yyyy-MM-dd}: {holdout?.PredictedPurchases:N0} purchases predicted, {holdout?.ActualPurchases:N0} made, " +
                $"MAE {holdout?.MeanAbsoluteError:F3} per customer, BG/NBD churn AUC {holdout?.BgNbdChurnAuc:F3}; deciles predicted/actual {deciles}; " +
                $"classifier AUC {classifier?.Auc:F3}, log loss {classifier?.LogLoss:F3} on {classifier?.TestCustomers:N0} held-out customers ({classifier?.TrainingCustomers:N0} trained); {memory}"));
        }

        /// <summary>
        /// The customer half of a full refresh (<c>AnalyticsCopy.RebuildChangedAsync(full: true)</c>,
        /// <c>POST /api/analytics/refresh?full=true</c>): every customer's card into the features file.
        /// </summary>
        private async Task FeaturesRebuildAsync()
        {
            var features = _services.GetRequiredService<CustomerFeatures>();
            progress.WriteLine($"Full rebuild of the customer-features file ({_store.CustomerSide:N0} customers)");
            using var storageCalls = new StorageCallCounter(storagePorts);
            var (customers, elapsed, memory) = await StepAsync(async () =>
            {
                await using var ticker = ProgressTicker.Start(progress, "features", _ => Task.FromResult("reading customers"));
                return await features.RebuildAsync(full: true, cancellationToken);
            });
            var calls = storageCalls.Snapshot().GetValueOrDefault(StorageCallCounter.Background);
            using var bench = StorageCallCounter.Bench();
            var blob = await Storage.Container(StorageNames.Containers.Analytics).GetBlobClient(CustomerFeatures.BlobName).GetPropertiesAsync(cancellationToken: cancellationToken);
            var rate = customers / elapsed.TotalSeconds;
            Add(CustomerSide, "customer-features rebuild, full", 1, rate, "customers/s", customers, null, null,
                $"CustomerFeatures.RebuildAsync(full: true), the customer half of RebuildChangedAsync(full: true) and POST /api/analytics/refresh?full=true " +
                $"(the order half is the full rebuild of the order copy): the customer list in 500-id pages, each customer's card " +
                $"({CustomerReadParallelism} customers side by side) into DuckDB, {customers:N0} customers " +
                $"({(customers == _store.CustomerSide ? "all of them" : $"NOT the {_store.CustomerSide:N0} written")}) in {elapsed.TotalSeconds:F1} s, " +
                $"{blob.Value.ContentLength / 1048576.0:N1} MiB of Parquet uploaded; {calls / (double)customers:F2} storage calls per customer ({calls:N0} in all); " +
                $"{rate / _customerReadRate:F2} × the SDK's reads of the same cards; {memory}");
        }

        /// <summary>
        /// The three-condition preview through <c>POST /api/segments/preview</c>, over the features of
        /// the customer-side customers and the order lines of every order, beside SQLite's over the
        /// same customers; the counts and samples are compared at the same moment, since two of the
        /// conditions are windows that move with the clock.
        /// </summary>
        private async Task SegmentPreviewAsync(SqliteCopy sqlite)
        {
            const string What = "lifetime value over $500, a boots line in the last 365 days and an order in the last 90";
            var last = _store.LastCustomerSideId;
            var (liteResult, liteTimes) = await QueryAsync(CustomerSide, "segment preview (3 conditions), SQLite, customer side",
                $"customers up to {last} with {What}: count and 10 ids",
                () => Task.FromResult(sqlite.PreviewSegment(50_000, Boots, 365, 90, 10, Clock.GetUtcNow(), last)), check: r => $"{r.Count:N0} match", scansOrders: false);
            progress.WriteLine($"  SQLite: {liteResult.Count:N0} customer-side customers match");

            using var api = new CrmApiClient(server);
            var body = new
            {
                rules = new
                {
                    match = "all",
                    rules = new object[]
                    {
                        new { field = "lifetime_value", op = "gt", value = (object)500 },
                        new { field = "purchased_category", op = "in", value = (object)Boots, withinDays = 365 },
                        new { field = "last_order_at", op = "within_last_days", value = (object)90 },
                    },
                },
                sampleSize = 10,
            };
            await QueryAsync(CustomerSide, "segment preview (3 conditions), app",
                $"POST /api/segments/preview through HTTP, sample of 10: the tags and RFM names the rules are checked against, the copy's pending changes (state table), " +
                $"and DuckDB on the shared session: one scan of the customers table ({_store.CustomerSide:N0} rows with their purchase facts; no RFM join, no rule names it)",
                async () =>
                {
                    var before = Clock.GetUtcNow();
                    using var answer = await api.SendJsonAsync(HttpMethod.Post, "/api/segments/preview", body, HttpStatusCode.OK, cancellationToken);
                    var after = Clock.GetUtcNow();
                    var sample = answer.RootElement.GetProperty("sample").EnumerateArray().Select(s => s.GetProperty("customerId").GetString() ?? "").ToList();
                    return (Count: answer.RootElement.GetProperty("count").GetInt64(), Sample: sample, Before: before, After: after);
                },
                liteTimes,
                app =>
                {
                    var (atStart, atEnd) = (sqlite.PreviewSegment(50_000, Boots, 365, 90, 10, app.Before, last), sqlite.PreviewSegment(50_000, Boots, 365, 90, 10, app.After, last));
                    if (atStart.Count != atEnd.Count)
                    {
                        return $"count {app.Count:N0}; SQLite's moved from {atStart.Count:N0} to {atEnd.Count:N0} during the request, no comparison";
                    }
                    var sameSample = app.Sample.SequenceEqual(atStart.Sample);
                    return app.Count == atStart.Count && sameSample
                        ? $"count {app.Count:N0} and the 10 sampled ids, as SQLite's at the same moment"
                        : $"count {app.Count:N0} {(app.Count == atStart.Count ? "as" : "DIFFERS from")} SQLite's {atStart.Count:N0} at the same moment, sample {(sameSample ? "the same" : "DIFFERS")}";
                },
                scansOrders: false, againstName: "SQLite's (customer side)");

            // The query alone, in process, as SQLite's is measured: no HTTP, no context reads.
            var segments = _services.GetRequiredService<PecosCrm.Core.Segments.SegmentService>();
            var query = _services.GetRequiredService<PecosCrm.Core.Segments.SegmentQuery>();
            var rules = JsonSerializer.Deserialize<PecosCrm.Core.Segments.SegmentRule>(JsonSerializer.Serialize(body.rules, PecosCrm.Core.CrmJson.Options), PecosCrm.Core.CrmJson.Options);
            var compiled = PecosCrm.Core.Segments.SegmentCompiler.Compile(rules, await segments.ContextAsync(cancellationToken));
            await QueryAsync(CustomerSide, "segment preview (3 conditions), DuckDB session",
                "SegmentQuery.PreviewAsync in process on the shared session (count and a sample of 10), the rules compiled once: the query as SQLite's is measured",
                async () =>
                {
                    var (preview, _) = await query.PreviewAsync(compiled, 10, cancellationToken);
                    return preview;
                },
                liteTimes, p => $"count {p.Count:N0}{(p.Count == liteResult.Count ? ", as SQLite's" : $", SQLite's {liteResult.Count:N0} a moment earlier")}",
                scansOrders: false, againstName: "SQLite's (customer side)");

            var customer = liteResult.Sample.Count > 0 ? liteResult.Sample[0] : StoreGenerator.CustomerId(0);
            var (liteExplain, liteExplainTimes) = await QueryAsync(CustomerSide, "segment explain (3 conditions), SQLite",
                $"the three conditions for one customer ({customer}), each with the customer's value: lifetime value, the categories bought in 365 days (distinct, sorted), the last order",
                () => Task.FromResult(sqlite.ExplainSegment(customer, 50_000, Boots, 365, 90, Clock.GetUtcNow())), check: r => r is { Matches: true } ? "matches" : "does not match", scansOrders: false);
            await QueryAsync(CustomerSide, "segment explain (3 conditions), DuckDB session",
                $"SegmentQuery.ExplainAsync in process on the shared session for the same customer: each condition's outcome and value from the customer's row " +
                "(GET /api/segments/{id}/explain/{customerId} adds three point reads: the segment, the customer, the membership)",
                () => query.ExplainAsync(compiled, customer, cancellationToken),
                liteExplainTimes, e => e is { } x && liteExplain is { } l
                    ? $"{(x.Matches == l.Matches ? "same outcome as SQLite's" : "outcome DIFFERS from SQLite's")} ({(x.Matches ? "matches" : "does not match")})"
                    : "customer missing", scansOrders: false, againstName: "SQLite's");
        }

        /// <summary>
        /// Gives every dynamic segment the members last night's recompute would have left, so the
        /// recompute measured next refreshes memberships rather than filling them for the first
        /// time (at 100,000 customers that first fill would be most of its time). Setup, not measured.
        /// </summary>
        private async Task FillSegmentsAsync()
        {
            var segments = _services.GetRequiredService<PecosCrm.Core.Segments.SegmentService>();
            var clock = Stopwatch.StartNew();
            var ids = await segments.DynamicIdsAsync(cancellationToken);
            foreach (var id in ids)
            {
                await segments.RefreshAsync(id, cancellationToken);
            }
            progress.WriteLine($"  setup: last night's members of {ids.Count} dynamic segments in {clock.Elapsed.TotalSeconds:F1} s");
        }

        private async Task RecomputeAsync(string measurement, string what, bool first, bool untilShards = false)
        {
            var recompute = _services.GetRequiredService<RecomputeService>();
            progress.WriteLine($"{measurement}: {what}");
            RecomputeJob job = null!;
            using var storageCalls = new StorageCallCounter(storagePorts);
            var (elapsed, memory) = await TimedAsync(async () =>
            {
                await using var ticker = ProgressTicker.Start(progress, "recompute", _ => Task.FromResult(
                    job is null ? "queueing shards" : $"{job.CustomersProcessed:N0} customers, shard {job.ShardsDone} of {job.ShardsTotal}"));
                job = await recompute.StartAsync("bench", cancellationToken);
                while (job.EndedAt is null && !(untilShards && job.ShardsTotal >= 0 && job.ShardsDone >= job.ShardsTotal))
                {
                    await Task.Delay(PollEvery, cancellationToken);
                    job = await PollAsync(ct => recompute.GetAsync(job.Id, ct)) ?? job;
                }
            });
            Add(CustomerSide, measurement, 1, job.CustomersProcessed / elapsed.TotalSeconds, "customers/s", job.CustomersProcessed, null, null,
                $"{what}: {job.CustomersProcessed:N0} customers in {elapsed.TotalSeconds:F1} s from RecomputeService.StartAsync (copy refresh, RFM codes over every order, " +
                $"{job.ShardsTotal} shards of up to {RecomputeService.ShardSize} queued; then the changed customers' features and {job.SegmentsTotal ?? 0} dynamic segments refreshed) " +
                (untilShards ? $"until its {job.ShardsDone} customer shards were done, {job.CustomersQueued:N0} customers queued," : $"until the job ended ({job.State}),") + $" run by the app's queue poller; {job.CustomersChanged:N0} changed ({(first ? ChangedShare(job.CustomersChanged) : $"{100.0 * job.CustomersChanged / _store.CustomerSide:F1} %")}), {job.Errors} errors; " +
                $"{storageCalls.Snapshot().Values.Sum() / (double)job.CustomersProcessed:F2} storage calls per customer; " +
                $"{job.CustomersProcessed / elapsed.TotalSeconds / _customerReadRate:F2} × the SDK's reads of a customer's card; {memory}");
        }

        /// <summary>How the customers a recompute changed compare with those the generator set up to change.</summary>
        private string ChangedShare(long changed) => string.Create(CultureInfo.InvariantCulture,
            $"{100.0 * changed / _store.CustomerSide:F1} % of the customer side; {_store.CustomerSideStale:N0} were generated with a stored health score one point off, " +
            $"{StoreGenerator.ChangedPerHundred} in every hundred, the rest worked out for this day");

        private async Task ExportAsync()
        {
            var exports = _services.GetRequiredService<ExportService>();
            progress.WriteLine("Export of every customer to CSV, all fields");
            ExportJob job = null!;
            var (elapsed, memory) = await TimedAsync(async () =>
            {
                await using var ticker = ProgressTicker.Start(progress, "export", _ => Task.FromResult(job is null ? "starting" : $"{job.Rows:N0} rows"));
                job = await exports.StartAsync(new ExportRequest(ExportKind.Customers, ExportFormat.Csv, null, null, null), "bench", cancellationToken: cancellationToken);
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
            Add(CustomerSide, "export all customers to CSV", 1, job.Rows / elapsed.TotalSeconds, "rows/s", job.Rows, null, null,
                $"{job.Rows:N0} rows, {job.Fields.Count} fields (profile from the customer list, a point read of the card each), " +
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
                using var bench = StorageCallCounter.Bench();
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

        private void Add(string side, string measurement, int concurrency, double rate, string unit, long operations, double? p50, double? p99, string note)
        {
            var row = new ResultRow(scenario, measurement, concurrency, rate, unit, operations, p50, p99, $"{side} {note}");
            rows.Add(row);
            progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {measurement}: {rate:N0} {unit}; {row.Note}"));
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
