using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using PecosCrm.Core.Loyalty;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.Functions.Jobs;

/// <summary>
/// 02:30 every night: the loyalty pass (tiers on the rolling term, anniversaries, badges, expiry and
/// its warnings, the programme's figures). A tier change may enrol the customer in an automation,
/// hence the durable client.
/// </summary>
public sealed class LoyaltyNightlyJob(LoyaltyNightly nightly, DurableClientAccessor durable)
{
    public const string FunctionName = "LoyaltyNightly";
    public const string Schedule = "0 30 2 * * *";

    [Function(FunctionName)]
    public Task RunAsync([TimerTrigger(Schedule)] TimerInfo timer, [DurableClient] DurableTaskClient? client, CancellationToken cancellationToken)
    {
        durable.Client = client;
        return nightly.RunAsync(cancellationToken);
    }
}
