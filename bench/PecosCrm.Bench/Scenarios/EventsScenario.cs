using System.Diagnostics;
using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using PecosCrm.Bench.Load;
using PecosCrm.Core.Events;
using PecosCrm.Core.Storage;
using PecosCrm.Testing;

namespace PecosCrm.Bench.Scenarios;

/// <summary>
/// Store events end to end: the real app with its queue poller on, events posted to
/// <c>POST /api/events</c> one at a time and 500 at a time, and the clock stopped only when every
/// customer's metrics show every event sent to them. Each batch size gets a fresh Azurite and app,
/// because Azurite answers a query by scanning the whole table, so whichever ran second would pay
/// for the rows of the first. Azurite's own insert rates, measured in the same run, are the yardstick.
/// </summary>
public sealed class EventsScenario : IScenario
{
    /// <summary>A few storefront processes posting side by side.</summary>
    private const int Posters = 4;

    private const int SingleCustomers = 200;
    private static readonly TimeSpan SinglePostingTime = TimeSpan.FromSeconds(20);

    /// <summary>More than 4 posters can send in the posting time, so they never run out.</summary>
    private const int SingleEventsPrepared = 12_000;

    private const int BatchCustomers = 1_000;
    private const int BatchCount = 20;

    /// <summary>Long enough for every batch to be posted; the posters stop when the batches run out.</summary>
    private static readonly TimeSpan BatchPostingLimit = TimeSpan.FromMinutes(2);

    private static readonly TimeSpan ApplyTimeout = TimeSpan.FromMinutes(3);

    // Storage calls counted from the code (no retry, no conflict, no auto-tag change, which adds a
    // tag-member write or delete each), to set beside the count measured by StorageCallCounter.
    // EventProcessor.ApplyAllAsync groups a batch by customer; CustomerEventWriter.FoldAsync reads
    // the customer's card once and folds the customer's events onto it, and CommitAsync writes one
    // transaction per chunk of about 70 rows (an event's marker, its two timeline rows, an order's row).
    private const int CardReadCalls = 1;
    private const int RowsPerTransaction = 70;
    private const int RowsPerEvent = 3;

    // order.placed of a new order, CurrentOrderAsync: the order locator add (OrderStore.ClaimAsync)
    // and a point read of the order's row (FindRowAsync), which a new order does not have.
    private const int NewOrderCalls = 2;

    // customer.created, ApplyProfileAsync and FinishAsync: the email claim (an insert into
    // customerindex), then the 8 lookup rows upserted (all, tier, email, phone, three name tokens, address).
    private const int CreatedCalls = 9;

    // Per batch, WriteOutsideAsync: the orders' month rows, a transaction per 100 of one month, and
    // one mark per month (every order of a run here falls in one month); the customers' marks for
    // the features file, a transaction per 100 customers.
    private const int MarksPerTransaction = 100;

    // Per POST: the batch blob and the queue message (EventIngestor), 3 audit rows (AuditLog).
    // Per message applied: blob download and message delete, plus one receive per 16 messages.
    private const int PostCalls = 5;
    private const int ApplyMessageCalls = 2;

    public string Name => "events";

    public string Description =>
        "Store events through the app with its queue poller on: POST /api/events in batches of 1 and 500 until every customer's metrics show them, beside Azurite's insert rates.";

    public async Task<IReadOnlyList<ResultRow>> RunAsync(TextWriter progress, CancellationToken cancellationToken)
    {
        var rows = new List<ResultRow>();
        var insertRate = await MeasureAzuriteAsync(rows, progress, cancellationToken);

        var random = new Random(1);
        var singles = new BenchEvents("s");
        var start = DateTimeOffset.UtcNow.AddDays(-30);
        var singleCustomers = Enumerable.Range(0, SingleCustomers).Select(i => $"s-c{i}").ToList();
        var singleEvents = singleCustomers.Select((id, i) => singles.Created(id, i, start.AddSeconds(i)))
            .Concat(Enumerable.Range(SingleCustomers, SingleEventsPrepared - SingleCustomers)
                .Select(i => singles.Activity(singleCustomers[random.Next(SingleCustomers)], start.AddSeconds(i), random)))
            .Select(e => (IReadOnlyList<BenchEvent>)[e])
            .ToList();
        rows.AddRange(await IngestAsync(1, singleEvents, SinglePostingTime, insertRate, "", [], progress, cancellationToken));

        var batches = new BenchEvents("b");
        var batchCustomers = Enumerable.Range(0, BatchCustomers).Select(i => $"b-c{i}").ToList();
        var total = BatchCount * EventValidator.MaxBatchSize;
        var batchEvents = batchCustomers.Select((id, i) => batches.Created(id, i, start.AddSeconds(i)))
            .Concat(Enumerable.Range(BatchCustomers, total - BatchCustomers)
                .Select(i => batches.Activity(batchCustomers[random.Next(BatchCustomers)], start.AddSeconds(i), random)))
            .Chunk(EventValidator.MaxBatchSize)
            .Select(c => (IReadOnlyList<BenchEvent>)c)
            .ToList();
        rows.AddRange(await IngestAsync(EventValidator.MaxBatchSize, batchEvents, BatchPostingLimit, insertRate, "", [], progress, cancellationToken));

        // The same batches applied one at a time (the poller holding one message, not 16): no two
        // batches fold the same customer at once, so no card moves under a fold. It tells the cost
        // of the code path from the cost of batches applied side by side over the same customers.
        rows.AddRange(await IngestAsync(EventValidator.MaxBatchSize, batchEvents, BatchPostingLimit, insertRate, ", one batch at a time", ["--Hosting:QueueBatchSize=1"],
            progress, cancellationToken));
        return rows;
    }

    /// <summary>Azurite's single insert (concurrency 16) and 100-entity batch insert (1), with no app, on an Azurite of their own.</summary>
    private async Task<double> MeasureAzuriteAsync(List<ResultRow> rows, TextWriter progress, CancellationToken cancellationToken)
    {
        await using var azurite = await AzuriteProcess.StartAsync();
        var tables = new TableServiceClient(azurite.ConnectionString);
        var singles = new TableInserter(await AzuriteScenario.CreateTableAsync(tables, "inserts", cancellationToken));
        var single = await LoadRunner.RunAsync(16, singles.InsertOneAsync, cancellationToken);
        progress.WriteLine($"{"Azurite single insert",-36} {single}");
        var batches = new TableInserter(await AzuriteScenario.CreateTableAsync(tables, "batches", cancellationToken));
        var batch = await LoadRunner.RunAsync(1, batches.InsertBatchAsync, cancellationToken);
        progress.WriteLine($"{"Azurite 100-entity batch insert",-36} {batch}");
        rows.Add(ResultRow.From(Name, "Azurite single insert (SDK, no app)", single, "entities/s", "yardstick for the rows below"));
        rows.Add(ResultRow.From(Name, "Azurite 100-entity batch insert (SDK, no app)", batch, "entities/s", "latency per batch"));
        return single.ItemsPerSecond;
    }

    /// <summary>
    /// Posts <paramref name="posts"/> in order from <see cref="Posters"/> workers until they run out
    /// or <paramref name="postingTime"/> is up, then waits until the customers' metrics show every
    /// event that was posted.
    /// </summary>
    private async Task<IReadOnlyList<ResultRow>> IngestAsync(
        int batchSize, IReadOnlyList<IReadOnlyList<BenchEvent>> posts, TimeSpan postingTime, double firstInsertRate, string variant, IReadOnlyList<string> settings,
        TextWriter progress, CancellationToken cancellationToken)
    {
        await using var azurite = await AzuriteProcess.StartAsync();
        // The yardstick again, on this Azurite just before the app starts: the machine is shared,
        // and the rate measured minutes earlier can be far from the one this run meets.
        var insert = await LoadRunner.RunAsync(16, new TableInserter(await AzuriteScenario.CreateTableAsync(new TableServiceClient(azurite.ConnectionString), "yardstick", cancellationToken)).InsertOneAsync, cancellationToken);
        var insertRate = insert.ItemsPerSecond;
        progress.WriteLine($"{"Azurite single insert, this Azurite",-36} {insert}");
        await using var server = await CrmServer.StartAsync(azurite.ConnectionString, runQueues: true, settings, cancellationToken);
        using var api = new CrmApiClient(server);
        var waiter = new AppliedWaiter(api, progress, ct => QueueStatusAsync(server, ct));
        using var storageCalls = new StorageCallCounter([azurite.BlobPort, azurite.QueuePort, azurite.TablePort]);
        await PrimeAsync(api, waiter, cancellationToken);
        var callsBefore = storageCalls.Snapshot();
        var kindsBefore = storageCalls.SnapshotKinds();
        var targetsBefore = storageCalls.SnapshotTargets();

        var bodies = posts.Select(BenchEvents.Body).ToList();
        long next = 0;
        var clock = Stopwatch.StartNew();
        var posting = await LoadRunner.RunAsync(Posters, async ct =>
        {
            var i = (int)Interlocked.Increment(ref next) - 1;
            if (i >= bodies.Count)
            {
                return 0;
            }
            await api.PostEventsAsync(bodies[i], ct);
            return posts[i].Count;
        }, cancellationToken, postingTime, TimeSpan.Zero);
        var postedAt = clock.Elapsed;
        progress.WriteLine($"{$"POST /api/events, {batchSize} per batch{variant}",-36} {posting}");

        // Every index handed out below the count was posted: a worker takes one only to post it.
        var tally = new ActivityTally();
        var posted = posts.Take((int)Math.Min(Interlocked.Read(ref next), posts.Count)).ToList();
        foreach (var post in posted)
        {
            tally.AddRange(post);
        }
        var appliedAt = await waiter.WaitAsync(tally.Expected, clock, ApplyTimeout, cancellationToken);
        var calls = StorageCallCounter.Between(callsBefore, storageCalls.Snapshot());
        var poison = await PoisonCountAsync(server, cancellationToken);
        var endToEnd = tally.Events / appliedAt.TotalSeconds;
        progress.WriteLine($"{$"applied end to end, {batchSize} per batch{variant}",-36} {endToEnd,10:N0}/s  {tally.Events:N0} events in {appliedAt.TotalSeconds:F1}s");

        var orders = tally.CountOf(EventTypes.OrderPlaced);
        var created = tally.CountOf(EventTypes.CustomerCreated);
        var engagement = tally.Events - orders - created;
        var counted = CountFromCode(posted);
        var fromCode = counted.Total / (double)tally.Events;
        var postCalls = calls.GetValueOrDefault(CrmApiClient.PostEventsCause);
        var applyCalls = calls.GetValueOrDefault(StorageCallCounter.Background);
        var measured = (postCalls + applyCalls) / (double)tally.Events;
        progress.WriteLine($"storage calls: {postCalls:N0} by POST /api/events, {applyCalls:N0} by the queue poller, " +
            string.Join(", ", calls.Where(c => c.Value > 0 && c.Key != StorageCallCounter.Background && c.Key != CrmApiClient.PostEventsCause).Select(c => $"{c.Value:N0} by {c.Key}")));
        var kinds = StorageCallCounter.Between(kindsBefore, storageCalls.SnapshotKinds());
        var targets = StorageCallCounter.Between(targetsBefore, storageCalls.SnapshotTargets());
        progress.WriteLine("  by kind (every cause): " + string.Join(", ", kinds.Where(c => c.Value > 0).OrderByDescending(c => c.Value).Select(c => $"{c.Key} {c.Value:N0}")));
        progress.WriteLine("  by target (every cause): " + string.Join(", ", targets.Where(c => c.Value > 0).OrderByDescending(c => c.Value).Select(c => $"{c.Key} {c.Value:N0}")));
        progress.WriteLine($"  counted from the code: {counted}");
        var mix = string.Create(CultureInfo.InvariantCulture,
            $"{tally.Events:N0} events ({created:N0} customer.created, {orders:N0} order.placed, {engagement:N0} login/page/product/cart) for {tally.Expected.Count:N0} customers");
        return
        [
            ResultRow.From(Name, $"Azurite single insert before {batchSize} per batch{variant} (SDK, no app)", insert, "entities/s",
                "on the Azurite the run below uses, just before the app starts; the yardstick for its ratios"),
            ResultRow.From(Name, $"POST /api/events, {batchSize} per batch{variant}", posting, "events/s",
                string.Create(CultureInfo.InvariantCulture,
                    $"{posting.Operations:N0} POSTs, {mix}; latency per POST, answered 202 once stored ({postCalls / (double)posting.Operations:F1} storage calls per POST)")),
            new ResultRow(Name, $"applied end to end, {batchSize} per batch{variant}", Posters, endToEnd, "events/s", tally.Events, null, null,
                string.Create(CultureInfo.InvariantCulture,
                    $"first POST to every customer's orderCount and engagement counters matching: {appliedAt.TotalSeconds:F1} s, " +
                    $"{(appliedAt - postedAt).TotalSeconds:F1} s after the last POST; {measured:F1} storage calls per event measured " +
                    $"({applyCalls / (double)tally.Events:F1} by the queue poller), ≈{fromCode:F2} counted from the code ({counted}; not counted: " +
                    $"{targets.GetValueOrDefault(StorageNames.Tables.TagMembers):N0} tag-member writes for auto-tags that came or went and {kinds.GetValueOrDefault("queue receive"):N0} queue receives, " +
                    $"which depend on the data and on the poller's timing; {kinds.GetValueOrDefault("table batch"):N0} transactions measured against {counted.Transactions + counted.PerBatch:N0} counted, " +
                    $"{kinds.GetValueOrDefault("table point read"):N0} point reads (every cause) against {counted.CustomerBatches + counted.NewOrders:N0}: a customer whose card moved under a batch is read and written again, " +
                    $"with its events' markers read, and batches applied side by side share customers); " +
                    $"{endToEnd / insertRate:F2} × Azurite's single-insert rate just before ({insertRate:N0}/s; {endToEnd / firstInsertRate:F2} × the first one's) in events/s; " +
                    $"{measured * endToEnd:N0} calls/s against Azurite, {measured * endToEnd / insertRate:F2} × that rate; " +
                    $"{poison} poison messages")),
        ];
    }

    /// <summary>
    /// The storage calls the posted batches should make, counted from the code: per customer per
    /// batch a card read and a transaction per chunk, per new order its locator and row, per new
    /// customer its email claim and lookup rows, per batch its marks and month rows, per POST and message.
    /// </summary>
    private static CountedCalls CountFromCode(IReadOnlyList<IReadOnlyList<BenchEvent>> posted)
    {
        long customerBatches = 0, transactions = 0, orders = 0, created = 0, perBatch = 0;
        foreach (var post in posted)
        {
            var groups = post.GroupBy(e => e.CustomerId, StringComparer.Ordinal).ToList();
            customerBatches += groups.Count;
            transactions += groups.Sum(g => (g.Count() * RowsPerEvent + g.Count(e => e.Type == EventTypes.OrderPlaced) + RowsPerTransaction - 1) / RowsPerTransaction);
            var postOrders = post.Count(e => e.Type == EventTypes.OrderPlaced);
            orders += postOrders;
            created += post.Count(e => e.Type == EventTypes.CustomerCreated);
            perBatch += (groups.Count + MarksPerTransaction - 1) / MarksPerTransaction
                + (postOrders + MarksPerTransaction - 1) / MarksPerTransaction + (postOrders > 0 ? 1 : 0);
        }
        return new CountedCalls(customerBatches, transactions, orders, created, perBatch, posted.Count);
    }

    /// <summary>What <see cref="CountFromCode"/> counted.</summary>
    private sealed record CountedCalls(long CustomerBatches, long Transactions, long NewOrders, long Created, long PerBatch, long Posts)
    {
        public long Total => CustomerBatches * CardReadCalls + Transactions + NewOrders * NewOrderCalls + Created * CreatedCalls + PerBatch
            + Posts * (PostCalls + ApplyMessageCalls);

        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{CustomerBatches:N0} customer-batches × {CardReadCalls} card read, {Transactions:N0} customer transactions, " +
            $"{NewOrders:N0} new orders × {NewOrderCalls} (locator add, row read), {Created:N0} customer.created × {CreatedCalls} (email claim, 8 lookup rows), " +
            $"{PerBatch:N0} month-row transactions and marks, {Posts:N0} POSTs × {PostCalls + ApplyMessageCalls}: {Total:N0} calls");
    }

    /// <summary>
    /// One small batch of every event kind, applied before the clock starts: it compiles the paths
    /// and wakes the queue poller, whose polling backs off to 5 s while the queue is empty.
    /// </summary>
    private static async Task PrimeAsync(CrmApiClient api, AppliedWaiter waiter, CancellationToken cancellationToken)
    {
        var events = new BenchEvents("warm");
        var random = new Random(2);
        var at = DateTimeOffset.UtcNow.AddDays(-31);
        var tally = new ActivityTally();
        for (var c = 0; c < 4; c++)
        {
            var id = $"warm-c{c}";
            BenchEvent[] batch =
            [
                events.Created(id, c, at),
                events.OrderPlaced(id, at.AddMinutes(1), random),
                events.Login(id, at.AddMinutes(2)),
                events.PageViewed(id, at.AddMinutes(3), random),
                events.ProductViewed(id, at.AddMinutes(4), random),
                events.CartUpdated(id, at.AddMinutes(5), random),
            ];
            tally.AddRange(batch);
            await api.PostEventsAsync(BenchEvents.Body(batch), cancellationToken);
        }
        await waiter.WaitAsync(tally.Expected, Stopwatch.StartNew(), TimeSpan.FromMinutes(1), cancellationToken);
    }

    /// <summary>How many event batches wait in the queue, not yet received, and how many are held by the poller.</summary>
    private static async Task<string> QueueStatusAsync(CrmServer server, CancellationToken cancellationToken)
    {
        using var bench = StorageCallCounter.Bench();
        var queue = server.Services.GetRequiredService<StorageAccount>().Queue(StorageNames.Queues.Events);
        // A peek sees only visible messages, at most 32; the count includes those being handled.
        var waiting = (await queue.PeekMessagesAsync(32, cancellationToken)).Value.Length;
        var all = (await queue.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;
        return waiting < 32
            ? $"{all - waiting} batches being applied, {waiting} waiting in the queue"
            : $"{all:N0} batches in the queue, at least 32 of them not yet received";
    }

    private static async Task<int> PoisonCountAsync(CrmServer server, CancellationToken cancellationToken)
    {
        using var bench = StorageCallCounter.Bench();
        var queue = server.Services.GetRequiredService<StorageAccount>().Queue(StorageNames.Queues.Poison(StorageNames.Queues.Events));
        try
        {
            return (await queue.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return 0;
        }
    }
}
