using Azure.Storage.Queues;

namespace PecosCrm.Bench.Scenarios;

/// <summary>
/// Azurite's queue operations for <see cref="Load.LoadRunner"/>, shared by the scenarios that report
/// them so that "queue send" and "queue receive+delete" mean the same thing everywhere.
/// </summary>
public sealed class QueueRates(QueueClient queue)
{
    /// <summary>The most one receive may ask for (the app's poller asks for as many as it has free slots, 16 by default).</summary>
    public const int ReceiveBatch = 32;

    public const string SendNote = "200-char body";

    /// <summary>
    /// Enough for a receive measurement at the rates seen here (a few hundred a second for a warm-up
    /// and <see cref="ReceiveDuration"/>), so that it never runs the queue dry and times an empty queue.
    /// </summary>
    public const int ReceiveDepth = 3_000;

    /// <summary>A receive with its deletes takes a few hundred milliseconds: measure longer, to time more than a handful.</summary>
    public static readonly TimeSpan ReceiveDuration = TimeSpan.FromSeconds(5);

    private static readonly string Body = new('x', 200);

    public static async Task<QueueRates> CreateAsync(string connectionString, string name, CancellationToken cancellationToken)
    {
        var queue = new QueueServiceClient(connectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 }).GetQueueClient(name);
        await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        return new QueueRates(queue);
    }

    public async Task<int> SendAsync(CancellationToken cancellationToken)
    {
        await queue.SendMessageAsync(Body, cancellationToken);
        return 1;
    }

    /// <summary>One receive of up to 32, then their deletes side by side, as the app's poller deletes each once handled; 0 once the queue is empty.</summary>
    public async Task<int> ReceiveAndDeleteAsync(CancellationToken cancellationToken)
    {
        var messages = (await queue.ReceiveMessagesAsync(ReceiveBatch, cancellationToken: cancellationToken)).Value;
        await Task.WhenAll(messages.Select(m => queue.DeleteMessageAsync(m.MessageId, m.PopReceipt, cancellationToken)));
        return messages.Length;
    }

    /// <summary>Sends, 16 at a time and untimed, until the queue holds <see cref="ReceiveDepth"/> messages; returns the depth.</summary>
    public async Task<int> FillForReceiveAsync(CancellationToken cancellationToken)
    {
        var depth = await DepthAsync(cancellationToken);
        var missing = ReceiveDepth - depth;
        if (missing > 0)
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, missing), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken },
                async (_, ct) => await SendAsync(ct));
        }
        return Math.Max(depth, ReceiveDepth);
    }

    public async Task<int> DepthAsync(CancellationToken cancellationToken) =>
        (await queue.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;

    public static string ReceiveNote(int depth) =>
        $"{ReceiveBatch} per receive, then its deletes in parallel (latency of both); {depth:N0} messages queued at start";
}
