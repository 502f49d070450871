using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using PecosCrm.Core.Campaigns;
using PecosCrm.Core.Storage;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.Functions.Jobs;

/// <summary>Campaign work from the <c>campaigns</c> queue: freezing an audience, a batch of up to 500 recipients, an A/B decision, a cancellation.</summary>
public sealed class CampaignWorkJob(CampaignRunner runner, DurableClientAccessor durable)
{
    public const string FunctionName = "CampaignWork";

    [Function(FunctionName)]
    public async Task RunAsync([QueueTrigger(StorageNames.Queues.Campaigns)] string message, [DurableClient] DurableTaskClient? client, CancellationToken cancellationToken)
    {
        durable.Client = client;
        var work = QueuePayload.Parse<CampaignWork>(FunctionName, message,
            w => QueuePayload.OneOf("kind", w.Kind, CampaignWork.Start, CampaignWork.Batch, CampaignWork.Decide, CampaignWork.Cancel));
        await runner.HandleAsync(work, cancellationToken);
    }
}
