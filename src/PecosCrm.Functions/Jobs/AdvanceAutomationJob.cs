using System.Text.Json;
using PecosCrm.Core;
using PecosCrm.Core.Automation;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.Functions.Jobs;

/// <summary>
/// Advances one automation instance: a new enrolment, a durable timer firing, an awaited event
/// arriving. A step that fails is retried by the queue; on the last delivery before the message
/// would go to the poison queue, the instance is marked failed with the reason instead of being
/// left active with nothing to move it on.
/// </summary>
public sealed class AdvanceAutomationJob(AutomationRuntime runtime) : IQueueJob
{
    public const string FunctionName = "AdvanceAutomation";

    /// <summary>The fifth delivery is the last, in standalone mode and under the Functions host alike.</summary>
    public const int LastDelivery = 5;

    public async Task HandleAsync(QueueInvocation message, CancellationToken cancellationToken)
    {
        var work = JsonSerializer.Deserialize<AutomationWork>(message.Body, CrmJson.Options) ?? throw new InvalidOperationException("Empty automation work.");
        try
        {
            await runtime.AdvanceAsync(work.InstanceId, work.Sequence, cancellationToken);
        }
        catch (Exception ex) when (message.DequeueCount >= LastDelivery && ex is not OperationCanceledException)
        {
            await runtime.FailAsync(work.InstanceId, ex.GetType().Name + ": " + ex.Message, cancellationToken);
        }
    }
}
