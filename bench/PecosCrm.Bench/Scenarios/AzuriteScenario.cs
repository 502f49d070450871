using Azure.Data.Tables;
using PecosCrm.Bench.Load;
using PecosCrm.Testing;

namespace PecosCrm.Bench.Scenarios;

/// <summary>
/// Azurite's own rates through the Azure SDK, with no app in between: the ceiling every storage-bound
/// API figure should be read against. Each measurement has its own table, because Azurite's cost
/// grows with the size of the table it works on.
/// </summary>
public sealed class AzuriteScenario : IScenario
{
    private const string Partition = "p";
    private const int PointReadRows = 1_000;
    private const int ScanRows = 10_000;
    private const int ScanPageSize = 1_000;

    public string Name => "azurite";

    public string Description =>
        "Azurite through the Azure SDK: point read, insert, 100-entity batch, 10k-row partition scan, queue send, queue receive+delete.";

    public async Task<IReadOnlyList<ResultRow>> RunAsync(TextWriter progress, CancellationToken cancellationToken)
    {
        await using var azurite = await AzuriteProcess.StartAsync();
        var tables = new TableServiceClient(azurite.ConnectionString);
        var rows = new List<ResultRow>();

        async Task MeasureAsync(string measurement, int concurrency, string unit, Func<CancellationToken, Task<int>> operation, string note = "", TimeSpan? duration = null)
        {
            var result = await LoadRunner.RunAsync(concurrency, operation, cancellationToken, duration);
            progress.WriteLine($"{measurement,-28} {result}");
            rows.Add(ResultRow.From(Name, measurement, result, unit, note));
        }

        var reads = await CreateTableAsync(tables, "pointreads", cancellationToken);
        await SeedAsync(reads, PointReadRows, cancellationToken);
        foreach (var concurrency in new[] { 1, 16 })
        {
            await MeasureAsync("point read", concurrency, "entities/s", async ct =>
            {
                await reads.GetEntityAsync<BenchEntity>(Partition, BenchEntity.Key(Random.Shared.Next(PointReadRows)), cancellationToken: ct);
                return 1;
            }, $"random row of {PointReadRows:N0}");
        }

        var inserts = new TableInserter(await CreateTableAsync(tables, "inserts", cancellationToken));
        await MeasureAsync("single insert", 16, "entities/s", inserts.InsertOneAsync);

        var batches = new TableInserter(await CreateTableAsync(tables, "batches", cancellationToken));
        foreach (var concurrency in new[] { 1, 4 })
        {
            await MeasureAsync("100-entity batch insert", concurrency, "entities/s", batches.InsertBatchAsync, "latency per batch");
        }

        var scan = await CreateTableAsync(tables, "scan", cancellationToken);
        await SeedAsync(scan, ScanRows, cancellationToken);
        await using var scanner = new PartitionScanner(scan, Partition, ScanPageSize);
        await MeasureAsync("partition query", 1, "entities/s", scanner.NextPageAsync);
        rows[^1] = rows[^1] with { Note = $"{ScanRows:N0}-row partition in {ScanPageSize:N0}-row pages ({scanner.CompletedScans} full scans); latency per page" };

        var queue = await QueueRates.CreateAsync(azurite.ConnectionString, "bench", cancellationToken);
        await MeasureAsync("queue send", 16, "messages/s", queue.SendAsync, QueueRates.SendNote);
        foreach (var concurrency in new[] { 1, 4 })
        {
            var depth = await queue.FillForReceiveAsync(cancellationToken);
            await MeasureAsync("queue receive+delete", concurrency, "messages/s", queue.ReceiveAndDeleteAsync, QueueRates.ReceiveNote(depth), QueueRates.ReceiveDuration);
        }
        return rows;
    }

    internal static async Task<TableClient> CreateTableAsync(TableServiceClient tables, string name, CancellationToken cancellationToken)
    {
        var table = tables.GetTableClient(name);
        await table.CreateIfNotExistsAsync(cancellationToken);
        return table;
    }

    private static async Task SeedAsync(TableClient table, int count, CancellationToken cancellationToken)
    {
        var chunks = Enumerable.Range(0, count).Chunk(100).ToList();
        await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (chunk, ct) =>
            await table.SubmitTransactionAsync(chunk.Select(n => new TableTransactionAction(TableTransactionActionType.Add, BenchEntity.Make(Partition, n))), ct));
    }
}
