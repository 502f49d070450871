using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using PecosCrm.Core.Campaigns;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.Functions.Jobs;

/// <summary>Every minute: starts scheduled campaigns, asks for due A/B decisions, re-queues stalled work.</summary>
public sealed class CampaignsDueJob(CampaignRunner runner, DurableClientAccessor durable)
{
    public const string FunctionName = "CampaignsDue";
    public const string Schedule = "30 * * * * *";

    [Function(FunctionName)]
    public Task RunAsync([TimerTrigger(Schedule)] TimerInfo timer, [DurableClient] DurableTaskClient? client, CancellationToken cancellationToken)
    {
        durable.Client = client;
        return runner.RunDueAsync(cancellationToken);
    }
}
