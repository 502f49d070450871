using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using PecosCrm.Core.Support;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.Functions.Jobs;

/// <summary>
/// Every minute: the SLA sweep works out the state of every running ticket and fires the escalation
/// rules that are due; then, until it is done, up to 20 seconds of the backfill of the ticket lists.
/// </summary>
public sealed class SupportSlaJob(TicketSweep sweep, TicketStore tickets, DurableClientAccessor durable)
{
    public const string FunctionName = "SupportSla";
    public const string Schedule = "30 * * * * *";

    private static readonly TimeSpan BackfillBudget = TimeSpan.FromSeconds(20);

    [Function(FunctionName)]
    public async Task RunAsync([TimerTrigger(Schedule)] TimerInfo timer, [DurableClient] DurableTaskClient? client, CancellationToken cancellationToken)
    {
        durable.Client = client;
        await sweep.RunAsync(cancellationToken);
        await tickets.BackfillAsync(BackfillBudget, cancellationToken);
    }
}
