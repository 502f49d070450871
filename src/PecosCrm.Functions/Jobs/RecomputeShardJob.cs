using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Storage;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.Functions.Jobs;

/// <summary>Refreshes one shard of customers of a recompute job; a finished shard is skipped when redelivered.</summary>
public sealed class RecomputeShardJob(RecomputeService recompute, DurableClientAccessor durable)
{
    public const string FunctionName = "RecomputeShard";

    [Function(FunctionName)]
    public async Task RunAsync([QueueTrigger(StorageNames.Queues.Recompute)] string message, [DurableClient] DurableTaskClient? client, CancellationToken cancellationToken)
    {
        durable.Client = client;
        var shard = QueuePayload.Parse<RecomputeShard>(FunctionName, message,
            s => s.CustomerIds.Any(string.IsNullOrEmpty) ? "'customerIds' holds an empty id." : null);
        await recompute.ProcessShardAsync(shard, cancellationToken);
    }
}
