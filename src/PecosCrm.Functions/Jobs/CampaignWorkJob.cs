using System.Text.Json;
using PecosCrm.Core;
using PecosCrm.Core.Campaigns;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.Functions.Jobs;

/// <summary>Campaign work from the <c>campaigns</c> queue: freezing an audience, a batch of up to 500 recipients, an A/B decision, a cancellation.</summary>
public sealed class CampaignWorkJob(CampaignRunner runner) : IQueueJob
{
    public const string FunctionName = "CampaignWork";

    public async Task HandleAsync(QueueInvocation message, CancellationToken cancellationToken)
    {
        var work = JsonSerializer.Deserialize<CampaignWork>(message.Body, CrmJson.Options) ?? throw new InvalidOperationException("Empty campaign work.");
        await runner.HandleAsync(work, cancellationToken);
    }
}
