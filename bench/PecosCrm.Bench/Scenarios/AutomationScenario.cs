using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using PecosCrm.Bench.Load;
using PecosCrm.Core.Automation;
using PecosCrm.Core.Storage;
using PecosCrm.Testing;

namespace PecosCrm.Bench.Scenarios;

/// <summary>
/// Enrols a segment of consenting customers in a three-step flow with short waits, run by the real
/// app on the real clock with its Durable Task engine (standalone mode: one TaskHubWorker over Azure
/// Storage, the settings of <c>Automation:Engine</c>): email, wait, email, wait, tag, end. The app's
/// timers are off unless <c>PECOSCRM_BENCH_AUTOMATION_TIMERS=on</c> (the analytics refresh re-reads
/// every customer the flow touched every two minutes). Measures the enrolment, the time until every
/// instance has completed, steps per second (history rows over that time), how late each durable
/// timer fired (the history's <c>LateMs</c> of every instance, read in one pass over the instances
/// table), storage calls per instance by kind (the engine's included) and the peak working set;
/// beside Azurite's own queue and point-read rates, measured first in the same run. The size is
/// 10,000 enrolments unless <c>PECOSCRM_BENCH_AUTOMATION_ENROLMENTS</c> says otherwise.
/// </summary>
public sealed class AutomationScenario : IScenario
{
    public const string SizeVariable = "PECOSCRM_BENCH_AUTOMATION_ENROLMENTS";
    public const string TimersVariable = "PECOSCRM_BENCH_AUTOMATION_TIMERS";
    private const int DefaultSize = 10_000;
    private const string EnrolCause = "POST /api/automations/{id}/enrol";

    /// <summary>EnrolSegmentAsync enrols a page of members this many at a time.</summary>
    private const int EnrolParallelism = 8;

    /// <summary>The enrolment, two emails, two waits of two (begun, ended), the tag and the end.</summary>
    private const int HistoryRowsPerInstance = 9;

    /// <summary>The engine runs this many activities at once (<c>Automation:Engine:MaxConcurrentActivities</c>).</summary>
    private const int PollerConcurrency = 10;

    /// <summary>The row of an instance's partition that holds its state: <c>state|{id}</c>.</summary>
    private const string StateRow = "state|";
    private const int PointReadRows = 1_000;
    private const int ApiSample = 20;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Timeout = TimeSpan.FromHours(4);

    /// <summary>Each poll is a query, which Azurite answers by scanning the index table the app is writing to: not too often.</summary>
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan IndexCheckEvery = TimeSpan.FromSeconds(60);

    public string Name => "automation-10k";

    public string Description =>
        $"10,000 enrolments (or ${SizeVariable}) in email, wait 10 s, email, wait 10 s, tag: enrolment rate, time until all completed, steps/s, timer lateness p50/p99, peak memory; beside Azurite's queue rates.";

    public async Task<IReadOnlyList<ResultRow>> RunAsync(TextWriter progress, CancellationToken cancellationToken)
    {
        var size = int.TryParse(Environment.GetEnvironmentVariable(SizeVariable), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : DefaultSize;
        var timers = string.Equals(Environment.GetEnvironmentVariable(TimersVariable), "on", StringComparison.OrdinalIgnoreCase);
        var rows = new List<ResultRow>();
        var (send, receive, pointReads) = await MeasureAzuriteAsync(rows, progress, cancellationToken);

        var clock = Stopwatch.StartNew();
        await using var azurite = await AzuriteProcess.StartAsync();
        await using var sendGrid = await FakeSendGrid.StartAsync(clock, cancellationToken);
        await using var server = await CrmServer.StartAsync(azurite.ConnectionString, runQueues: true,
        [
            $"--Hosting:RunTimers={(timers ? "true" : "false")}",
            // Quiet hours would hold every send until morning in the store's zone, whenever the bench runs at night.
            "--Automation:QuietHoursStart=00:00",
            "--Automation:QuietHoursEnd=00:00",
            "--Messaging:SendGridApiKey=bench-key",
            $"--Messaging:SendGridApiHost={sendGrid.BaseAddress.ToString().TrimEnd('/')}",
        ], cancellationToken);
        // The enrolment is one request that enrols the whole segment.
        using var api = new CrmApiClient(server, Timeout);
        using var storageCalls = new StorageCallCounter([azurite.BlobPort, azurite.QueuePort, azurite.TablePort]);

        var ids = Enumerable.Range(0, size).Select(i => $"auto-c{i:D6}").ToList();
        var seedingClock = Stopwatch.StartNew();
        await ConsentingCustomers.SeedAsync(server, ids, cancellationToken);
        var seeding = seedingClock.Elapsed;
        progress.WriteLine($"seeded {size:N0} customers in {seeding.TotalSeconds:F1} s");
        var (workflowId, segmentId) = await SetUpAsync(api, ids, cancellationToken);
        progress.WriteLine($"workflow {workflowId} active, segment {segmentId} of {size:N0}");

        var peak = new PeakMemory();
        var callsBefore = storageCalls.Snapshot();
        var kindsBefore = storageCalls.SnapshotKinds();
        var targetsBefore = storageCalls.SnapshotTargets();
        var startedAt = DateTimeOffset.UtcNow;
        var start = clock.Elapsed;
        var enrolment = EnrolAsync(api, workflowId, segmentId, cancellationToken);
        var services = server.Services;
        var counters = services.GetRequiredService<AutomationCounters>();
        var index = services.GetRequiredService<StorageAccount>().Table(StorageNames.Tables.AutomationIndex);
        var messageQueue = services.GetRequiredService<StorageAccount>().Queue(StorageNames.Queues.Messages);
        var enrolled = TimeSpan.Zero;
        var lastIndexCheck = TimeSpan.Zero;
        await Polling.UntilAsync(clock, progress, Poll, Timeout, async ct =>
        {
            using var bench = StorageCallCounter.Bench();
            if (enrolment.IsCompleted && enrolled == TimeSpan.Zero)
            {
                (var result, enrolled) = await enrolment;
                progress.WriteLine($"  enrolled {result.Enrolled:N0} (skipped {result.Skipped:N0}) in {enrolled.TotalSeconds:F1} s");
                if (result.Enrolled != size)
                {
                    throw new InvalidOperationException($"{result.Enrolled:N0} of {size:N0} enrolled; skipped: {string.Join(", ", result.SkippedBecause.Select(p => $"{p.Key} {p.Value}"))}.");
                }
            }
            var counts = await counters.CountersAsync(workflowId, ct);
            var completed = counts.GetValueOrDefault("completed");
            var status = $"{counts.GetValueOrDefault("enrolled"):N0} enrolled, {completed:N0} completed (counters), {sendGrid.Count:N0} emails at the endpoint";
            // The counters are cheap but may lose a count under contention; the index decides.
            if (enrolled == TimeSpan.Zero || (completed < size && clock.Elapsed - lastIndexCheck < IndexCheckEvery))
            {
                return (false, status);
            }
            lastIndexCheck = clock.Elapsed;
            var unfinished = index.QueryAsync<TableEntity>(
                TableClient.CreateQueryFilter($"PartitionKey eq {"w|" + workflowId} and Finished eq {false}"), maxPerPage: 1, select: ["RowKey"], cancellationToken: ct);
            await foreach (var _ in unfinished)
            {
                return (false, status);
            }
            var emailsQueued = (await messageQueue.GetPropertiesAsync(ct)).Value.ApproximateMessagesCount;
            return (sendGrid.Count >= 2L * size || emailsQueued == 0, status);
        }, cancellationToken);
        var peakBytes = peak.Stop();
        var calls = StorageCallCounter.Between(callsBefore, storageCalls.Snapshot());
        var kinds = StorageCallCounter.Between(kindsBefore, storageCalls.SnapshotKinds());
        var targets = StorageCallCounter.Between(targetsBefore, storageCalls.SnapshotTargets());
        var (enrolCalls, workerCalls) = (calls.GetValueOrDefault(EnrolCause), calls.GetValueOrDefault(StorageCallCounter.Background));

        var scanClock = Stopwatch.StartNew();
        var instances = await ReadInstancesAsync(services, cancellationToken);
        var scan = scanClock.Elapsed;
        var notCompleted = instances.States.Where(s => s.Value != nameof(InstanceStatus.Completed)).GroupBy(s => s.Value).Select(g => $"{g.Count():N0} {g.Key}").ToList();
        if (instances.States.Count != size || notCompleted.Count > 0 || sendGrid.Count != 2L * size)
        {
            throw new InvalidOperationException(
                $"{instances.States.Count:N0} instances for {size:N0} enrolments, not completed: {string.Join(", ", notCompleted)}; {sendGrid.Count:N0} emails at the endpoint for {2 * size:N0}.");
        }
        // The last step, or the last email if its send came later; both on the same wall clock.
        var lastEmail = startedAt + (sendGrid.Window.Last - start);
        var endToEnd = (instances.LastStep > lastEmail ? instances.LastStep : lastEmail) - startedAt;
        var lateness = Sorted(instances.LateMs);
        var durations = Sorted(instances.DurationsMs);
        var steps = instances.HistoryRows;
        var counts = await counters.CountersAsync(workflowId, cancellationToken);
        progress.WriteLine($"all {size:N0} completed {endToEnd.TotalSeconds:F1} s after the enrolment began; {steps:N0} history rows, {lateness.Count:N0} timers, read in {scan.TotalSeconds:F1} s");

        var (listed, listTime) = await ListCompletedAsync(api, workflowId, cancellationToken);
        var (sampleMs, mismatches) = await CheckSampleAsync(api, instances, cancellationToken);
        if (listed != size || mismatches > 0)
        {
            throw new InvalidOperationException($"GET .../instances?status=completed listed {listed:N0} of {size:N0}; {mismatches} of {ApiSample} sampled histories disagree with the table.");
        }
        progress.WriteLine($"API: {listed:N0} completed listed in {listTime.TotalSeconds:F1} s; {ApiSample} instance histories, {sampleMs:F0} ms each, agree with the table");

        var seconds = endToEnd.TotalSeconds;
        var appCalls = enrolCalls + workerCalls;
        string PerInstance(IReadOnlyDictionary<string, long> tally) => string.Join(", ", tally.Where(p => p.Value >= size / 10).OrderByDescending(p => p.Value)
            .Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Value / (double)size:F1} {p.Key}")));
        // Every message handled is deleted once, whichever queue it was on.
        var handled = kinds.GetValueOrDefault("queue delete");
        var label = string.Create(CultureInfo.InvariantCulture, $"{size:N0} enrolments");
        var timersNote = timers ? "the app's timers on (analytics refresh every 2 minutes)" : $"the app's timers off: no analytics refresh ({TimersVariable}=on runs it)";
        var lostCounts = size - counts.GetValueOrDefault("completed");
        rows.Add(new ResultRow(Name, $"enrolment, POST /enrol with a segment of {size:N0}", EnrolParallelism, size / enrolled.TotalSeconds, "enrolments/s", size, null, null,
            string.Create(CultureInfo.InvariantCulture,
                $"one request, {enrolled.TotalSeconds:F1} s, enrolling {EnrolParallelism} at a time while the poller already advanced the first instances; " +
                $"{enrolCalls / (double)size:F1} storage calls per enrolment (from the code: customer, last enrolment, state and history, three index rows, a counter read and write, the timeline, the engine's instance row and start message; " +
                $"besides, the segment's member pages, the audit entry and the counter's retries under contention); " +
                $"seeding {size:N0} consenting profiles straight into storage took {seeding.TotalSeconds:F0} s")));
        rows.Add(new ResultRow(Name, $"instances completed, {label}", PollerConcurrency, size / seconds, "instances/s", size, Percentile(durations, 50), Percentile(durations, 99),
            string.Create(CultureInfo.InvariantCulture,
                $"enrolment start to the last step or email: {seconds:F1} s; p50/p99 are one instance's enrolment to end (its two waits are {2 * Wait.TotalSeconds:F0} s); " +
                $"one engine worker, 4 partitions, {PollerConcurrency} activities at a time; {sendGrid.Count:N0} emails at the SendGrid-compatible endpoint; peak working set {peakBytes / 1048576.0:N0} MiB (bench and app; Azurite is a process of its own); " +
                $"the completed counter shows {counts.GetValueOrDefault("completed"):N0}{(lostCounts == 0 ? "" : $" ({lostCounts:N0} counts lost to contention)")}")));
        rows.Add(new ResultRow(Name, $"steps, {label}", PollerConcurrency, steps / seconds, "steps/s", steps, null, null,
            string.Create(CultureInfo.InvariantCulture,
                $"history rows ({steps / (double)size:F1} per instance) over the end-to-end time; {appCalls / (double)steps:F1} storage calls per step, {appCalls / (double)size:F0} per instance " +
                $"({appCalls / seconds:N0} calls/s against Azurite); per instance by kind: {PerInstance(kinds)}; by table or queue: {PerInstance(targets)}; " +
                $"{handled / seconds:N0} queue messages handled/s ({handled / (double)size:F1} per instance: the engine's control and work-item messages and 2 email messages) " +
                $"against Azurite's {receive:N0}/s receive+delete at c=4 and {pointReads:N0}/s point reads at c=4 above; the engine's idle polling is counted too")));
        rows.Add(new ResultRow(Name, $"timer lateness, {label}", PollerConcurrency, lateness.Count / seconds, "timers/s", lateness.Count, Percentile(lateness, 50), Percentile(lateness, 99),
            string.Create(CultureInfo.InvariantCulture,
                $"p50/p99 are how late a {Wait.TotalSeconds:F0} s wait fired (the LateMs of every instance's history, all {lateness.Count:N0}, read in one pass over the instances table in {scan.TotalSeconds:F1} s), max {lateness[^1] / 1000:F1} s; " +
                $"each durable timer a control-queue message sent with a visibility delay (Azurite sends {send:N0}/s at c=16 above), the engine polling an idle queue at least every second; {timersNote}")));
        return rows;
    }

    /// <summary>Azurite's queue send (16), receive+delete, 32 a receive (1 and 4), and table point read (1 and 4), with no app, on an Azurite of its own; returns send, receive at 4 and point reads at 4.</summary>
    private async Task<(double Send, double Receive, double PointReads)> MeasureAzuriteAsync(List<ResultRow> rows, TextWriter progress, CancellationToken cancellationToken)
    {
        await using var azurite = await AzuriteProcess.StartAsync();
        var table = await AzuriteScenario.CreateTableAsync(new TableServiceClient(azurite.ConnectionString), "pointreads", cancellationToken);
        foreach (var chunk in Enumerable.Range(0, PointReadRows).Chunk(100))
        {
            await table.SubmitTransactionAsync(chunk.Select(n => new TableTransactionAction(TableTransactionActionType.Add, BenchEntity.Make("p", n))), cancellationToken);
        }
        var pointReads = 0.0;
        foreach (var concurrency in new[] { 1, 4 })
        {
            var read = await LoadRunner.RunAsync(concurrency, async ct =>
            {
                await table.GetEntityAsync<BenchEntity>("p", BenchEntity.Key(Random.Shared.Next(PointReadRows)), cancellationToken: ct);
                return 1;
            }, cancellationToken);
            progress.WriteLine($"{"Azurite table point read",-36} {read}");
            rows.Add(ResultRow.From(Name, "Azurite table point read (SDK, no app)", read, "entities/s", $"random row of {PointReadRows:N0}; yardstick for the rows below"));
            pointReads = read.ItemsPerSecond;
        }
        var queue = await QueueRates.CreateAsync(azurite.ConnectionString, "bench", cancellationToken);
        var send = await LoadRunner.RunAsync(16, queue.SendAsync, cancellationToken);
        progress.WriteLine($"{"Azurite queue send",-36} {send}");
        rows.Add(ResultRow.From(Name, "Azurite queue send (SDK, no app)", send, "messages/s", QueueRates.SendNote + "; yardstick for the rows below"));
        var receive = 0.0;
        foreach (var concurrency in new[] { 1, 4 })
        {
            var depth = await queue.FillForReceiveAsync(cancellationToken);
            var result = await LoadRunner.RunAsync(concurrency, queue.ReceiveAndDeleteAsync, cancellationToken, QueueRates.ReceiveDuration);
            progress.WriteLine($"{"Azurite queue receive+delete",-36} {result}");
            rows.Add(ResultRow.From(Name, "Azurite queue receive+delete (SDK, no app)", result, "messages/s", QueueRates.ReceiveNote(depth)));
            receive = result.ItemsPerSecond;
        }
        return (send.ItemsPerSecond, receive, pointReads);
    }

    /// <summary>The tag the flow ends with, the flow (active), and a static segment of every seeded customer.</summary>
    private static async Task<(string WorkflowId, string SegmentId)> SetUpAsync(CrmApiClient api, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        using var tag = await api.SendJsonAsync(HttpMethod.Post, "/api/tags", new { name = "Bench flow finished" }, HttpStatusCode.Created, cancellationToken);
        var tagId = tag.RootElement.GetProperty("id").GetString()!;
        var wait = Wait.ToString("c", CultureInfo.InvariantCulture);
        using var workflow = await api.SendJsonAsync(HttpMethod.Post, "/api/automations", new
        {
            name = "Bench three steps",
            trigger = new { kind = "manual" },
            nodes = new object[]
            {
                new { id = "start", type = "trigger", next = "hello" },
                new { id = "hello", type = "send_email", subject = "Howdy {{customer.first_name}}", html = "<p>The fall boots are in.</p>", next = "wait1" },
                new { id = "wait1", type = "wait", duration = wait, next = "follow" },
                new { id = "follow", type = "send_email", subject = "Still looking, {{customer.first_name}}?", html = "<p>Your size is in stock.</p>", next = "wait2" },
                new { id = "wait2", type = "wait", duration = wait, next = "tag" },
                new { id = "tag", type = "action", action = "add_tag", tagId, next = "done" },
                new { id = "done", type = "end" },
            },
        }, HttpStatusCode.Created, cancellationToken);
        var workflowId = workflow.RootElement.GetProperty("id").GetString()!;
        using (await api.SendJsonAsync(HttpMethod.Post, $"/api/automations/{workflowId}/activate", null, HttpStatusCode.OK, cancellationToken))
        {
        }
        using var segment = await api.SendJsonAsync(HttpMethod.Post, "/api/segments", new { name = "Bench enrolment", kind = "static", customerIds = ids }, HttpStatusCode.Created, cancellationToken);
        return (workflowId, segment.RootElement.GetProperty("id").GetString()!);
    }

    /// <summary>Enrols the segment in one request; returns what it did and how long it took.</summary>
    private static async Task<(EnrolmentResult Result, TimeSpan Took)> EnrolAsync(CrmApiClient api, string workflowId, string segmentId, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using var cause = StorageCallCounter.Cause(EnrolCause);
        using var response = await api.SendJsonAsync(HttpMethod.Post, $"/api/automations/{workflowId}/enrol", new { segmentId }, HttpStatusCode.OK, cancellationToken);
        var root = response.RootElement;
        return (new EnrolmentResult(root.GetProperty("enrolled").GetInt32(), root.GetProperty("skipped").GetInt32(),
            root.GetProperty("skippedBecause").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32())), clock.Elapsed);
    }

    /// <summary>What the instances table holds: every instance's status, the history rows, each timer's lateness, each instance's duration.</summary>
    private sealed record InstanceScan(
        Dictionary<string, string> States, long HistoryRows, List<double> LateMs, List<double> DurationsMs, DateTimeOffset LastStep, Dictionary<string, List<double>> LateByInstance);

    /// <summary>
    /// One pass over the whole instances table, through the SDK: reading 10,000 histories through
    /// <c>GET /api/automations/instances/{id}</c> would be 10,000 queries, each of which Azurite
    /// answers by scanning the table. A sample is read through the API afterwards to check the two agree.
    /// </summary>
    private static async Task<InstanceScan> ReadInstancesAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        using var bench = StorageCallCounter.Bench();
        var table = services.GetRequiredService<StorageAccount>().Table(StorageNames.Tables.AutomationInstances);
        var scan = new InstanceScan([], 0, [], [], DateTimeOffset.MinValue, []);
        long history = 0;
        var last = DateTimeOffset.MinValue;
        await foreach (var row in table.QueryAsync<TableEntity>(filter: (string?)null, maxPerPage: 1000,
            select: ["PartitionKey", "RowKey", "Status", "EnrolledAt", "EndedAt", "LateMs", "At"], cancellationToken: cancellationToken))
        {
            if (row.RowKey.StartsWith(StateRow, StringComparison.Ordinal))
            {
                scan.States[row.PartitionKey] = row.GetString("Status");
                if (row.GetDateTimeOffset("EndedAt") is { } ended && row.GetDateTimeOffset("EnrolledAt") is { } enrolledAt)
                {
                    scan.DurationsMs.Add((ended - enrolledAt).TotalMilliseconds);
                }
            }
            else if (row.RowKey.StartsWith("h|", StringComparison.Ordinal))
            {
                history++;
                if (row.GetDateTimeOffset("At") is { } at && at > last)
                {
                    last = at;
                }
                if (row.GetDouble("LateMs") is { } late)
                {
                    scan.LateMs.Add(late);
                    if (!scan.LateByInstance.TryGetValue(row.PartitionKey, out var list))
                    {
                        scan.LateByInstance[row.PartitionKey] = list = [];
                    }
                    list.Add(late);
                }
            }
        }
        return scan with { HistoryRows = history, LastStep = last };
    }

    /// <summary>Counts the completed instances through the API, 500 a page, as an admin would list them.</summary>
    private static async Task<(int Count, TimeSpan Took)> ListCompletedAsync(CrmApiClient api, string workflowId, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var count = 0;
        string? cursor = null;
        do
        {
            var path = $"/api/automations/{workflowId}/instances?status=completed&limit=500" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
            using var page = JsonDocument.Parse(await api.GetAsync(path, cancellationToken));
            count += page.RootElement.GetProperty("items").GetArrayLength();
            cursor = page.RootElement.TryGetProperty("nextCursor", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
        }
        while (cursor is not null);
        return (count, clock.Elapsed);
    }

    /// <summary>Reads a few instances through the API and compares their timers' lateness with the table's; returns the time per GET and the disagreements.</summary>
    private static async Task<(double MsEach, int Mismatches)> CheckSampleAsync(CrmApiClient api, InstanceScan scan, CancellationToken cancellationToken)
    {
        var sample = scan.States.Keys.Order(StringComparer.Ordinal).Where((_, i) => i % Math.Max(1, scan.States.Count / ApiSample) == 0).Take(ApiSample).ToList();
        var clock = Stopwatch.StartNew();
        var mismatches = 0;
        foreach (var id in sample)
        {
            using var instance = JsonDocument.Parse(await api.GetAsync($"/api/automations/instances/{id}", cancellationToken));
            var late = instance.RootElement.GetProperty("history").EnumerateArray()
                .Where(s => s.TryGetProperty("lateMs", out var l) && l.ValueKind == JsonValueKind.Number).Select(s => s.GetProperty("lateMs").GetDouble()).ToList();
            var steps = instance.RootElement.GetProperty("history").GetArrayLength();
            if (instance.RootElement.GetProperty("status").GetString() != "completed" || steps != HistoryRowsPerInstance
                || !late.Order().SequenceEqual(scan.LateByInstance.GetValueOrDefault(id, []).Order()))
            {
                mismatches++;
            }
        }
        return (clock.Elapsed.TotalMilliseconds / sample.Count, mismatches);
    }

    private static List<double> Sorted(List<double> values)
    {
        var sorted = values.ToList();
        sorted.Sort();
        return sorted;
    }

    /// <summary>Nearest-rank percentile, as <see cref="Load.LoadResult.Percentile"/>.</summary>
    private static double? Percentile(List<double> sorted, double percent) =>
        sorted.Count == 0 ? null : sorted[Math.Clamp((int)Math.Ceiling(percent / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
}
