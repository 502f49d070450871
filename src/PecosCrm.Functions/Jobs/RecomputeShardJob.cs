using System.Text.Json;
using PecosCrm.Core;
using PecosCrm.Core.Customers;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.Functions.Jobs;

/// <summary>Refreshes one shard of customers of a recompute job; a finished shard is skipped when redelivered.</summary>
public sealed class RecomputeShardJob(RecomputeService recompute) : IQueueJob
{
    public const string FunctionName = "RecomputeShard";

    public async Task HandleAsync(QueueInvocation message, CancellationToken cancellationToken)
    {
        var shard = JsonSerializer.Deserialize<RecomputeShard>(message.Body, CrmJson.Options) ?? throw new InvalidOperationException("Empty recompute shard.");
        await recompute.ProcessShardAsync(shard, cancellationToken);
    }
}
