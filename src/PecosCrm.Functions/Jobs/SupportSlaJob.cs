using Microsoft.Azure.Functions.Worker;
using PecosCrm.Core.Support;

namespace PecosCrm.Functions.Jobs;

/// <summary>Every minute: the SLA sweep works out the state of every running ticket and fires the escalation rules that are due.</summary>
public sealed class SupportSlaJob(TicketSweep sweep)
{
    public const string FunctionName = "SupportSla";
    public const string Schedule = "30 * * * * *";

    [Function(FunctionName)]
    public Task RunAsync([TimerTrigger(Schedule)] TimerInfo timer, CancellationToken cancellationToken) => sweep.RunAsync(cancellationToken);
}
