using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using PecosCrm.Bench.Load;
using PecosCrm.Core.Storage;
using PecosCrm.Core.Support;
using PecosCrm.Testing;

namespace PecosCrm.Bench.Scenarios;

/// <summary>
/// The support desk at size: the ticket list filtered by status and assignee at 100,000 tickets
/// against an SDK point read of a list row in the same run; the SLA sweep over those tickets (all
/// open, in progress or pending, so every one is worked out), tickets per second; and knowledge-base
/// search p50/p99 over 5,000 articles. Tickets and articles are seeded straight into storage as the
/// app writes them (the list rows the list and the sweep read, with their SLA state worked out by
/// the app's own rules, in transactions of 100 with bounded concurrency, and the status and assignee
/// heads), since 100,000 tickets through the API would take longer than everything measured here. <c>PECOSCRM_BENCH_SUPPORT_TICKETS</c> sets another size for a quick run.
/// </summary>
public sealed class SupportScenario : IScenario
{
    private const int Assignees = 20;
    private const int Articles = 5_000;
    private const int Rounds = 3;
    private static readonly TimeSpan Slice = TimeSpan.FromSeconds(1);

    private static readonly string[] Words =
    [
        "boot", "roper", "heel", "sole", "leather", "size", "wide", "narrow", "return", "exchange", "refund", "shipping", "tracking", "carrier",
        "order", "damaged", "missing", "hat", "felt", "straw", "belt", "buckle", "denim", "jeans", "shirt", "snap", "work", "steel", "toe", "waterproof",
        "care", "polish", "conditioner", "warranty", "stitching", "insole", "arch", "calf", "shaft", "lace", "zipper", "gift", "card", "coupon", "discount",
        "billing", "charge", "invoice", "address", "delivery", "weekend", "holiday", "store", "pickup", "catalogue", "brim", "crown", "band", "cowboy", "western",
    ];

    private static int Tickets =>
        int.TryParse(Environment.GetEnvironmentVariable("PECOSCRM_BENCH_SUPPORT_TICKETS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 100_000;

    public string Name => "support";

    public string Description =>
        "Ticket list by status and assignee at 100,000 tickets against an SDK point read, the SLA sweep over 100,000 running tickets (tickets/s), knowledge-base search p50/p99 over 5,000 articles.";

    public async Task<IReadOnlyList<ResultRow>> RunAsync(TextWriter progress, CancellationToken cancellationToken)
    {
        var rows = new List<ResultRow>();
        // Node's default heap (about 2-4 GB) is what an in-memory Azurite died at while 100,000 tickets
        // were seeded (two copies each, every one carrying its policy); the child process inherits this.
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NODE_OPTIONS")))
        {
            Environment.SetEnvironmentVariable("NODE_OPTIONS", "--max-old-space-size=8192");
        }
        await using var azurite = await AzuriteProcess.StartAsync();
        await using var server = await CrmServer.StartAsync(azurite.ConnectionString, runQueues: false, cancellationToken);
        using var api = new CrmApiClient(server);
        var storage = server.Services.GetRequiredService<StorageAccount>();
        var sla = server.Services.GetRequiredService<TicketSla>();
        var count = Tickets;

        var seeding = Stopwatch.StartNew();
        var list = storage.Table(StorageNames.Tables.TicketList);
        var now = DateTimeOffset.UtcNow;
        var policy = TicketEntity.Write(SlaPolicies.Default);
        var random = new Random(7);
        var all = Enumerable.Range(0, count).Select(i => Ticket(i, now, policy, random)).ToList();
        foreach (var t in all)
        {
            sla.Refresh(t, now);
        }
        var batches = all.Select(t => t.CopyAs(SupportKeys.ListPartition(t.StatusValue), SupportKeys.ListRow(t.Sequence, t.TicketId)))
            .GroupBy(t => t.PartitionKey).SelectMany(g => g.Chunk(TableClientExtensions.MaxBatchSize)).ToList();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 2, CancellationToken = cancellationToken }, async (batch, ct) =>
            await list.SubmitTransactionAsync(batch.Select(t => new TableTransactionAction(TableTransactionActionType.Add, t)), ct));
        await new TicketListHeads(list).LoadAsync(all, 2, cancellationToken);
        progress.WriteLine($"seeded {count:N0} tickets (status and status-and-assignee list rows, heads) in {seeding.Elapsed.TotalSeconds:F1} s");
        var seedNote = string.Create(CultureInfo.InvariantCulture,
            $"{count:N0} tickets (60 % open, 25 % in progress, 15 % pending, {Assignees} assignees), {2 * count:N0} list rows, seeded in batches of 100 in {seeding.Elapsed.TotalSeconds:F0} s");

        var sample = all.Where(t => t.StatusValue == TicketStatus.Open).Take(1000).ToList();
        Func<CancellationToken, Task<int>> pointRead = async ct =>
        {
            var t = sample[Random.Shared.Next(sample.Count)];
            await list.GetEntityAsync<TableEntity>(SupportKeys.ListPartition(TicketStatus.Open), SupportKeys.ListRow(t.Sequence, t.TicketId), cancellationToken: ct);
            return 1;
        };
        Func<CancellationToken, Task<int>> headRead = async ct =>
        {
            var assignee = $"staff-{Random.Shared.Next(Assignees)}";
            await list.GetEntityAsync<TableEntity>(SupportKeys.AssigneeListPartition(TicketStatus.Open, assignee), SupportKeys.HeadRow(TicketStatus.Open, assignee), cancellationToken: ct);
            return 1;
        };
        Func<CancellationToken, Task<int>> listCall = async ct =>
        {
            await api.GetAsync($"/api/tickets?status=open&assignee=staff-{Random.Shared.Next(Assignees)}&limit=50", ct);
            return 1;
        };
        await LoadRunner.InterleaveAsync([pointRead, headRead, listCall], 4, 1, Slice, cancellationToken);
        foreach (var concurrency in new[] { 1, 4 })
        {
            var results = await LoadRunner.InterleaveAsync([pointRead, headRead, listCall], concurrency, Rounds, Slice, cancellationToken);
            var (raw, head, listed) = (results[0], results[1], results[2]);
            progress.WriteLine($"{"SDK point read (list row)",-40} {raw}");
            progress.WriteLine($"{"SDK point read (head row)",-40} {head}");
            progress.WriteLine($"{"GET /api/tickets?status=open&assignee=",-40} {listed}");
            var ratio = listed.Percentile(50) / raw.Percentile(50);
            rows.Add(ResultRow.From(Name, "SDK point read (ticket list row)", raw, "reads/s", seedNote));
            rows.Add(ResultRow.From(Name, "SDK point read (status and assignee head row, 50 tickets)", head, "reads/s",
                string.Create(CultureInfo.InvariantCulture, $"p50 {head.Percentile(50) / raw.Percentile(50):F1} × the list row's: what the head's size costs in Azurite alone")));
            rows.Add(ResultRow.From(Name, "GET /api/tickets?status=open&assignee={staff}&limit=50", listed, "requests/s",
                string.Create(CultureInfo.InvariantCulture,
                    $"p50 {ratio:F1} × the SDK point read's (target 3 ×: {(ratio <= 3 ? "met" : "missed")}); {listed.ItemsPerSecond / raw.ItemsPerSecond:F3} × its rate; the first page is the head row of the status and assignee (one point read of a 50-ticket row)")));
        }

        var sweep = server.Services.GetRequiredService<TicketSweep>();
        var swept = await sweep.RunAsync(cancellationToken);
        progress.WriteLine($"SLA sweep: {swept.Tickets:N0} tickets, {swept.StateChanges:N0} state changes written, in {swept.Took.TotalSeconds:F1} s");
        rows.Add(new ResultRow(Name, $"SLA sweep over {swept.Tickets:N0} running tickets", 1, swept.Tickets / swept.Took.TotalSeconds, "tickets/s", swept.Tickets, null, null,
            string.Create(CultureInfo.InvariantCulture,
                $"{swept.Took.TotalSeconds:F1} s: list rows read 1,000 a page, every ticket's clocks worked out in business hours, {swept.StateChanges:N0} rows whose state moved since seeding rewritten")));

        await SeedArticlesAsync(storage, cancellationToken);
        var queries = Enumerable.Range(0, 200).Select(i => string.Join(' ', Enumerable.Range(0, 3).Select(k => Words[(i * 7 + k * 13) % Words.Length]))).ToList();
        var build = Stopwatch.StartNew();
        await api.GetAsync("/api/kb/search?q=boot", cancellationToken);
        var built = build.Elapsed;
        progress.WriteLine($"search index built from {Articles:N0} articles on first search in {built.TotalMilliseconds:F0} ms");
        foreach (var concurrency in new[] { 1, 4 })
        {
            var search = await LoadRunner.RunAsync(concurrency, async ct =>
            {
                await api.GetAsync($"/api/kb/search?q={Uri.EscapeDataString(queries[Random.Shared.Next(queries.Count)])}&limit=10", ct);
                return 1;
            }, cancellationToken);
            progress.WriteLine($"{"GET /api/kb/search",-40} {search}");
            rows.Add(ResultRow.From(Name, $"GET /api/kb/search over {Articles:N0} articles", search, "requests/s",
                string.Create(CultureInfo.InvariantCulture, $"three-word queries, top 10; Lucene.Net in memory; index built on first search in {built.TotalMilliseconds:F0} ms")));
        }
        return rows;
    }

    private static TicketEntity Ticket(int i, DateTimeOffset now, string policy, Random random)
    {
        var id = $"PRT-{1001 + i}";
        var status = (i % 20) switch { < 12 => TicketStatus.Open, < 17 => TicketStatus.InProgress, _ => TicketStatus.PendingCustomer };
        var created = now.AddMinutes(-random.Next(1, 60 * 24 * 30));
        return new TicketEntity
        {
            TicketId = id,
            Sequence = 1001 + i,
            CustomerId = $"c-{random.Next(50_000)}",
            CustomerName = "Bench Customer",
            Subject = $"{Words[random.Next(Words.Length)]} {Words[random.Next(Words.Length)]} question",
            Category = ((TicketCategory)random.Next(6)).ToString(),
            Priority = ((TicketPriority)random.Next(4)).ToString(),
            Status = status.ToString(),
            // Not i % Assignees: the status follows i % 20, and every agent needs tickets of every status.
            AssigneeId = $"staff-{i / 20 % Assignees}",
            AssigneeName = $"Agent {i / 20 % Assignees}",
            Channel = nameof(TicketChannel.Email),
            CreatedAt = created,
            UpdatedAt = created,
            FirstResponseAt = status == TicketStatus.Open ? null : created.AddMinutes(random.Next(5, 600)),
            Pauses = status == TicketStatus.PendingCustomer ? TicketEntity.Write(new[] { new SlaPause(now.AddHours(-2), null) }) : "[]",
            Policy = policy,
        };
    }

    private static async Task SeedArticlesAsync(StorageAccount storage, CancellationToken cancellationToken)
    {
        var table = storage.Table(StorageNames.Tables.KbArticles);
        var random = new Random(11);
        var now = DateTimeOffset.UtcNow;
        var articles = Enumerable.Range(0, Articles).Select(i =>
        {
            string Text(int words) => string.Join(' ', Enumerable.Range(0, words).Select(_ => Words[random.Next(Words.Length)]));
            return new KbArticleEntity
            {
                PartitionKey = SupportKeys.ArticlePartition,
                RowKey = SupportKeys.Article($"a{i:D5}"),
                ArticleId = $"a{i:D5}",
                Title = Text(5),
                Body = Text(150),
                Category = Words[random.Next(8)],
                State = (i % 10 == 0 ? ArticleState.Draft : ArticleState.Published).ToString(),
                CreatedAt = now,
                UpdatedAt = now,
            };
        }).ToList();
        await Parallel.ForEachAsync(articles.Chunk(TableClientExtensions.MaxBatchSize), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken },
            async (batch, ct) => await table.SubmitTransactionAsync(batch.Select(a => new TableTransactionAction(TableTransactionActionType.Add, a)), ct));
    }
}
