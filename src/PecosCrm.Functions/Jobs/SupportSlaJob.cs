using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using PecosCrm.Core.Support;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.Functions.Jobs;

/// <summary>Every minute: the SLA sweep works out the state of every running ticket and fires the escalation rules that are due.</summary>
public sealed class SupportSlaJob(TicketSweep sweep, DurableClientAccessor durable)
{
    public const string FunctionName = "SupportSla";
    public const string Schedule = "30 * * * * *";

    [Function(FunctionName)]
    public Task RunAsync([TimerTrigger(Schedule)] TimerInfo timer, [DurableClient] DurableTaskClient? client, CancellationToken cancellationToken)
    {
        durable.Client = client;
        return sweep.RunAsync(cancellationToken);
    }
}
