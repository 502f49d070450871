using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using PecosCrm.Core.Pipeline;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.Functions.Jobs;

/// <summary>02:40 every night: every lead's score again for the new day, since engagement decays with time alone.</summary>
public sealed class LeadScoresJob(LeadStore leads, DurableClientAccessor durable)
{
    public const string FunctionName = "NightlyLeadScores";
    public const string Schedule = "0 40 2 * * *";

    [Function(FunctionName)]
    public Task RunAsync([TimerTrigger(Schedule)] TimerInfo timer, [DurableClient] DurableTaskClient? client, CancellationToken cancellationToken)
    {
        durable.Client = client;
        return leads.RecomputeScoresAsync(cancellationToken);
    }
}
