using System.Text.Json;
using PecosCrm.Core;
using PecosCrm.Core.Automation;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.Functions.Jobs;

/// <summary>Advances one automation instance: a new enrolment, a durable timer firing, an awaited event arriving.</summary>
public sealed class AdvanceAutomationJob(AutomationRuntime runtime) : IQueueJob
{
    public const string FunctionName = "AdvanceAutomation";

    public async Task HandleAsync(QueueInvocation message, CancellationToken cancellationToken)
    {
        var work = JsonSerializer.Deserialize<AutomationWork>(message.Body, CrmJson.Options) ?? throw new InvalidOperationException("Empty automation work.");
        await runtime.AdvanceAsync(work.InstanceId, work.Sequence, cancellationToken);
    }
}
