using Azure.Data.Tables;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PecosCrm.Core.Storage;
using PecosCrm.Functions.Hosting;
using PecosCrm.Functions.Jobs;
using PecosCrm.IntegrationTests.Infrastructure;

namespace PecosCrm.IntegrationTests.Platform;

/// <summary>
/// Standalone mode's queue consumers when things go wrong: messages that are not ours, and workers
/// that die holding a message.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class QueueRecoveryTests(AzuriteFixture fixture)
{
    private static readonly Dictionary<string, string?> NoTimers = new() { ["Hosting:RunTimers"] = "false" };

    [Fact]
    public async Task ForeignMessage_OnEveryQueue_EndsInItsPoisonQueue_AndChangesNothing()
    {
        await using var app = fixture.NewApp(NoTimers);
        _ = app.Server;
        var queues = FunctionCatalog.ForApp().Queues.Select(f => f.Queue!).ToList();
        var before = await SnapshotAsync(app);
        const string foreign = "{\"hello\":\"world\",\"from\":\"another app\"}";

        foreach (var queue in queues)
        {
            await app.Storage.Queue(queue).SendMessageAsync(foreign);
        }

        foreach (var queue in queues)
        {
            var poison = app.Storage.Queue(StorageNames.Queues.Poison(queue));
            await HttpAssertions.EventuallyAsync(async () => (await poison.PeekMessagesAsync(1)).Value.Length == 1, $"the foreign message on '{queue}' reaches its poison queue");
            Assert.Equal(foreign, (await poison.PeekMessagesAsync(1)).Value[0].Body.ToString());
            Assert.Equal(0, (await app.Storage.Queue(queue).GetPropertiesAsync()).Value.ApproximateMessagesCount);
        }
        Assert.Equal(before, await SnapshotAsync(app));
    }

    [Fact]
    public async Task KilledWorker_HoldingAMessageMidWork_TheNextAppFinishesItOnce()
    {
        var prefix = "k" + Guid.NewGuid().ToString("N")[..10];
        var crashed = new WorkGate(block: true);
        var next = new WorkGate(block: false);
        var first = GatedApp(prefix, crashed);
        _ = first.Server;
        var queue = first.Services.GetRequiredService<StorageAccount>().Queue(GatedFunction.Queue);
        await queue.CreateIfNotExistsAsync();

        await queue.SendMessageAsync("shard 7");
        await crashed.Started.Task.WaitAsync(TimeSpan.FromSeconds(60));
        // The worker dies with the message in hand: its work never completes and nothing releases the message.
        await first.DisposeAsync();
        await using var second = GatedApp(prefix, next);
        _ = second.Server;

        await HttpAssertions.EventuallyAsync(async () => next.Completed == 1 && (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0,
            "the next app finishes the abandoned message and deletes it");
        Assert.Equal(["shard 7"], next.Bodies);
        Assert.Equal(0, crashed.Completed);
    }

    [Fact]
    public async Task LongWork_KeepsItsMessageHidden_WhileOtherConsumersPoll()
    {
        var prefix = "r" + Guid.NewGuid().ToString("N")[..10];
        var gate = new WorkGate(block: true);
        // Eight seconds, renewed every 2.7: a renewal may be late by over five seconds on a loaded machine
        // before the message reappears.
        var visibility = TimeSpan.FromSeconds(8);
        await using var one = GatedApp(prefix, gate, visibility);
        await using var two = GatedApp(prefix, gate, visibility);
        _ = one.Server;
        _ = two.Server;
        var queue = one.Services.GetRequiredService<StorageAccount>().Queue(GatedFunction.Queue);
        await queue.CreateIfNotExistsAsync();

        await queue.SendMessageAsync("long work");
        await gate.Started.Task.WaitAsync(TimeSpan.FromSeconds(60));
        // More than two visibility timeouts: without renewals the message would reappear and be received again.
        await Task.Delay(visibility * 2 + TimeSpan.FromSeconds(1));
        gate.Release();

        await HttpAssertions.EventuallyAsync(async () => gate.Completed >= 1 && (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0,
            "the long work completes and its message is deleted");
        Assert.Equal(1, gate.Invocations);
    }

    /// <summary>
    /// An app whose only function is <see cref="GatedFunction"/>, holding messages for <paramref name="visibility"/>
    /// at a time (three seconds unless given, renewed every third of it): a dead worker's message reappears quickly.
    /// </summary>
    private WebApplicationFactory<Program> GatedApp(string prefix, WorkGate gate, TimeSpan? visibility = null)
    {
        var timeout = visibility ?? TimeSpan.FromSeconds(3);
        var settings = new Dictionary<string, string?>(NoTimers) { ["Hosting:VisibilityTimeout"] = timeout.ToString("c") };
        return fixture.NewApp(settings, prefix: prefix).WithWebHostBuilder(b => b.ConfigureServices(services =>
        {
            services.AddSingleton(gate);
            services.Replace(ServiceDescriptor.Singleton(FunctionCatalog.FromTypes([typeof(GatedFunction)])));
        }));
    }

    /// <summary>Every row (keys and ETag) of the app's tables and every blob (name and ETag) of its containers.</summary>
    private static async Task<List<string>> SnapshotAsync(CrmApp app)
    {
        var rows = new List<string>();
        var storage = app.Storage;
        foreach (var table in StorageNames.Tables.All)
        {
            await foreach (var row in storage.Table(table).QueryAsync<TableEntity>(select: ["PartitionKey", "RowKey"]))
            {
                rows.Add($"{table}/{row.PartitionKey}/{row.RowKey}/{row.ETag}");
            }
        }
        foreach (var container in StorageNames.Containers.All)
        {
            await foreach (var blob in storage.Container(container).GetBlobsAsync())
            {
                rows.Add($"{container}/{blob.Name}/{blob.Properties.ETag}");
            }
        }
        rows.Sort(StringComparer.Ordinal);
        return rows;
    }
}

/// <summary>Lets a test hold a queue function mid-work, or let it run through.</summary>
public sealed class WorkGate(bool block)
{
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _invocations;
    private int _completed;

    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Invocations => _invocations;

    public int Completed => _completed;

    public List<string> Bodies { get; } = [];

    public void Release() => _release.TrySetResult();

    public async Task RunAsync(string body)
    {
        Interlocked.Increment(ref _invocations);
        Started.TrySetResult();
        if (block)
        {
            // Deaf to cancellation, as a process that is killed does not wind down its work.
            await _release.Task;
        }
        lock (Bodies)
        {
            Bodies.Add(body);
        }
        Interlocked.Increment(ref _completed);
    }
}

/// <summary>A queue function of the tests, run by the app's own poller.</summary>
public sealed class GatedFunction(WorkGate gate)
{
    public const string Queue = "gated";

    [Function("Gated")]
    public Task RunAsync([QueueTrigger(Queue)] string message) => gate.RunAsync(message);
}
