using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using PecosCrm.Bench.Load;
using PecosCrm.Core.Pipeline;
using PecosCrm.Core.Storage;
using PecosCrm.Testing;

namespace PecosCrm.Bench.Scenarios;

/// <summary>
/// <c>GET /api/deals/board</c> over a pipeline of 50,000 deals, against an SDK point read of a deal
/// row at the same concurrency, interleaved (as in customer360): the board is the pipeline's one
/// board row, so its cost must not grow with the deals. Then card moves side by side on that board
/// (each one transaction with the board row under its ETag, so they queue on it), and the board
/// again after them.
/// </summary>
public sealed class BoardScenario(int deals) : IConfigurableScenario
{
    private const int Concurrency = 16;
    private const int Rounds = 5;
    private const int MoveConcurrency = 4;
    private const int ImportParallelism = 8;
    private const string BoardCause = "board";
    private static readonly TimeSpan Slice = TimeSpan.FromSeconds(1);
    private static readonly string[] OpenStages = ["prospect", "qualified", "proposal", "negotiation"];

    public BoardScenario()
        : this(50_000)
    {
    }

    public string Name => "board";

    public string Description =>
        $"GET /api/deals/board with {deals:N0} deals (loaded in bulk) against an SDK point read of a deal at concurrency {Concurrency}, interleaved; card moves at concurrency {MoveConcurrency}.";

    public IReadOnlyList<ScenarioOption> Options => [new("deals", $"deals on the pipeline (default {deals:N0}); try 5000 for a trial run")];

    public IScenario Configure(IReadOnlyDictionary<string, string> options) =>
        !options.TryGetValue("deals", out var text) ? this
        : int.TryParse(text.Replace("_", "").Replace(",", ""), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 ? new BoardScenario(n)
        : throw new ArgumentException($"--deals must be a positive whole number, not '{text}'.");

    public async Task<IReadOnlyList<ResultRow>> RunAsync(TextWriter progress, CancellationToken cancellationToken)
    {
        var rows = new List<ResultRow>();
        await using var azurite = await AzuriteProcess.StartAsync();
        await using var server = await CrmServer.StartAsync(azurite.ConnectionString, runQueues: false, cancellationToken);
        using var api = new CrmApiClient(server);
        progress.WriteLine($"app listening on {server.BaseAddress}");

        var store = server.Services.GetRequiredService<DealStore>();
        var ids = Enumerable.Range(0, deals).Select(i => $"bench-{i:D7}").ToList();
        var loading = Stopwatch.StartNew();
        await store.ImportAsync(SalesPipeline.Wholesale, Generate(ids), ImportParallelism, cancellationToken);
        var loaded = loading.Elapsed;
        progress.WriteLine($"loaded {deals:N0} deals and built the board in {loaded.TotalSeconds:F1} s");
        await CheckBoardAsync(api, deals, cancellationToken);

        var table = server.Services.GetRequiredService<StorageAccount>().Table(StorageNames.Tables.Deals);
        var partition = PipelineKeys.DealPartition(SalesPipeline.Wholesale);
        Func<CancellationToken, Task<int>> pointRead = async ct =>
        {
            await table.GetEntityAsync<TableEntity>(partition, PipelineKeys.Deal(ids[Random.Shared.Next(ids.Count)]), cancellationToken: ct);
            return 1;
        };
        long views = 0;
        Func<CancellationToken, Task<int>> board = async ct =>
        {
            await api.GetAsync("/api/deals/board", BoardCause, ct);
            Interlocked.Increment(ref views);
            return 1;
        };

        await LoadRunner.InterleaveAsync([pointRead, board], Concurrency, 1, Slice, cancellationToken);
        using var storageCalls = new StorageCallCounter([azurite.BlobPort, azurite.QueuePort, azurite.TablePort]);
        Interlocked.Exchange(ref views, 0);
        var results = await LoadRunner.InterleaveAsync([pointRead, board], Concurrency, Rounds, Slice, cancellationToken);
        var (raw, view) = (results[0], results[1]);
        var perView = storageCalls.Snapshot().GetValueOrDefault(BoardCause) / (double)Interlocked.Read(ref views);
        var ratio = view.Percentile(50) / raw.Percentile(50);
        progress.WriteLine($"{"SDK point read (deal)",-30} {raw}");
        progress.WriteLine($"{"GET /api/deals/board",-30} {view}  {perView:F3} storage calls per view; p50 {ratio:F2} × the point read's");
        var note = string.Create(CultureInfo.InvariantCulture, $"{deals:N0} deals loaded in bulk ({loaded.TotalSeconds:F0} s), fresh Azurite and app");
        rows.Add(ResultRow.From(Name, $"SDK point read (deal), {deals:N0} deals", raw, "reads/s", $"random deal row; {note}"));
        rows.Add(ResultRow.From(Name, $"GET /api/deals/board, {deals:N0} deals", view, "requests/s",
            string.Create(CultureInfo.InvariantCulture,
                $"p50 {ratio:F2} × the SDK point read's beside it (target: within 3 ×: {(ratio <= 3 ? "met" : "**missed**")}); {view.ItemsPerSecond / raw.ItemsPerSecond:F2} × its rate; " +
                $"{perView:F3} storage calls per view (the board row; the pipeline's stages are cached); 6 columns, 20 cards each; {note}")));

        using var mover = MoveClient(server);
        long conflicts = 0;
        Func<CancellationToken, Task<int>> move = async ct =>
        {
            var id = ids[Random.Shared.Next(ids.Count)];
            using var response = await mover.PostAsJsonAsync($"/api/deals/{id}/move", new { stage = OpenStages[Random.Shared.Next(OpenStages.Length)] }, ct);
            if (response.StatusCode == HttpStatusCode.PreconditionFailed)
            {
                Interlocked.Increment(ref conflicts);
            }
            else
            {
                response.EnsureSuccessStatusCode();
            }
            return 1;
        };
        var moves = await LoadRunner.RunAsync(MoveConcurrency, move, cancellationToken, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1));
        progress.WriteLine($"{"POST /api/deals/{id}/move",-30} {moves}  {conflicts} gave up on the board's ETag after 8 tries");
        rows.Add(ResultRow.From(Name, $"POST /api/deals/{{id}}/move, {deals:N0} deals", moves, "moves/s",
            string.Create(CultureInfo.InvariantCulture,
                $"random deal to a random open stage, no If-Match; each is one transaction with the board row, so moves of one pipeline queue on its ETag; {conflicts} of them answered 412 after 8 tries")));
        await CheckBoardAsync(api, deals, cancellationToken);
        return rows;
    }

    /// <summary>Deals spread over the open stages and closed ones, with values from $100 to $50,000 and five owners.</summary>
    private static List<Deal> Generate(IReadOnlyList<string> ids)
    {
        var random = new Random(14);
        var now = DateTimeOffset.UtcNow;
        var stages = new[] { "prospect", "prospect", "qualified", "qualified", "proposal", "negotiation", "closed_won", "closed_lost" };
        return ids.Select(id =>
        {
            var stage = stages[random.Next(stages.Length)];
            var created = now.AddDays(-random.Next(1, 365));
            var closed = stage.StartsWith("closed", StringComparison.Ordinal) ? created.AddDays(random.Next(1, 90)) : (DateTimeOffset?)null;
            var owner = random.Next(6);
            return new Deal(id, SalesPipeline.Wholesale, $"Deal {id}", $"Company {id}", null, null, null, stage, random.Next(100, 50_000) * 100L, null,
                DateOnly.FromDateTime(now.AddDays(random.Next(1, 120)).UtcDateTime), owner == 0 ? null : $"staff-{owner}", owner == 0 ? null : $"Owner {owner}",
                null, null, null, stage == "closed_lost" ? "Price" : null, stage.StartsWith("closed", StringComparison.Ordinal) ? "negotiation" : stage,
                created, created, closed ?? created, closed, "");
        }).ToList();
    }

    /// <summary>Fails the run unless the board counts every deal and shows full columns, so the figures are of a full board.</summary>
    private static async Task CheckBoardAsync(CrmApiClient api, int deals, CancellationToken cancellationToken)
    {
        using var board = JsonDocument.Parse(await api.GetAsync("/api/deals/board", cancellationToken));
        var columns = board.RootElement.GetProperty("columns").EnumerateArray().ToList();
        var counted = columns.Sum(c => c.GetProperty("count").GetInt64());
        var cards = columns.Sum(c => c.GetProperty("cards").GetArrayLength());
        if (counted != deals || cards != columns.Sum(c => Math.Min(BoardState.CardsPerColumn, c.GetProperty("count").GetInt64())))
        {
            throw new InvalidOperationException($"The board counts {counted:N0} deals with {cards} cards; expected {deals:N0} deals and full columns.");
        }
    }

    private static HttpClient MoveClient(CrmServer server)
    {
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64, UseCookies = false }) { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", server.AdminKey);
        return client;
    }
}
