using PecosCrm.Core.Campaigns;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.Functions.Jobs;

/// <summary>Every minute: starts scheduled campaigns, asks for due A/B decisions, re-queues stalled work.</summary>
public sealed class CampaignsDueJob(CampaignRunner runner) : ITimerJob
{
    public const string FunctionName = "CampaignsDue";
    public const string Schedule = "30 * * * * *";

    public Task RunAsync(TimerInvocation timer, CancellationToken cancellationToken) => runner.RunDueAsync(cancellationToken);
}
