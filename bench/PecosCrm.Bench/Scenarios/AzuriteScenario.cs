using Azure.Data.Tables;
using Azure.Storage.Queues;
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
    private const int ReceiveBatch = 32;
    private static readonly TimeSpan ReceiveDuration = TimeSpan.FromSeconds(5);

    public string Name => "azurite";

    public string Description =>
        "Azurite through the Azure SDK: point read, insert, 100-entity batch, 10k-row partition scan, queue send, queue receive+delete.";

    public async Task<IReadOnlyList<ResultRow>> RunAsync(TextWriter progress, CancellationToken cancellationToken)
    {
        await using var azurite = await AzuriteProcess.StartAsync();
        var tables = new TableServiceClient(azurite.ConnectionString);
        var queues = new QueueServiceClient(azurite.ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
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

        var queue = queues.GetQueueClient("bench");
        await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        var body = new string('x', 200);
        await MeasureAsync("queue send", 16, "messages/s", async ct =>
        {
            await queue.SendMessageAsync(body, ct);
            return 1;
        }, "200-char body");

        foreach (var concurrency in new[] { 1, 4 })
        {
            var depth = (await queue.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;
            await MeasureAsync("queue receive+delete", concurrency, "messages/s", async ct =>
            {
                var messages = (await queue.ReceiveMessagesAsync(ReceiveBatch, cancellationToken: ct)).Value;
                // As the app's poller does: one receive, then the deletes side by side.
                await Task.WhenAll(messages.Select(m => queue.DeleteMessageAsync(m.MessageId, m.PopReceipt, ct)));
                return messages.Length;
            }, $"{ReceiveBatch} per receive, then its deletes in parallel (latency of both); {depth:N0} messages queued at start",
            // A receive with its deletes takes a few hundred milliseconds: longer, to time more than a handful.
            ReceiveDuration);
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
