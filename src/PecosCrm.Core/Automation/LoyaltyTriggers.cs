using Microsoft.Extensions.Logging;
using PecosCrm.Core.Loyalty;

namespace PecosCrm.Core.Automation;

/// <summary>
/// Starts workflows from what the loyalty ledger committed: <c>tier.changed</c> triggers hear a real
/// tier change (its data: <c>tier</c>, <c>previousTier</c>, <c>direction</c>, <c>qualifyingSpend</c>,
/// which the trigger's filters test), and <c>points</c> thresholds (or <c>points.threshold</c>
/// events) hear a balance that crossed their value upwards, whatever moved it (an order, a review,
/// a grant, an automation's award).
/// </summary>
public sealed partial class LoyaltyTriggers(WorkflowStore workflows, AutomationInstances instances, ILogger<LoyaltyTriggers> logger) : ILoyaltyEventSink
{
    public async Task OnLoyaltyEventAsync(LoyaltyNotice notice, CancellationToken cancellationToken)
    {
        if (notice.Type is not (LoyaltyNotice.TierChanged or LoyaltyNotice.PointsChanged))
        {
            return;
        }
        foreach (var workflow in await workflows.ActiveAsync(cancellationToken))
        {
            var trigger = workflow.Definition.Trigger!;
            string? source = null;
            if (notice.Type == LoyaltyNotice.TierChanged && trigger.Kind == "event" && trigger.Event == "tier.changed"
                && AutomationTriggers.FiltersHold(trigger.Filters, notice.Data))
            {
                source = $"tier changed {notice.Data.GetProperty("previousTier").GetString()} -> {notice.Data.GetProperty("tier").GetString()}";
            }
            else if (notice.Type == LoyaltyNotice.PointsChanged
                && (trigger.Kind == "threshold" && trigger.Metric == "points" || trigger.Kind == "event" && trigger.Event == "points.threshold")
                && trigger.Value is { } threshold)
            {
                var before = notice.Data.GetProperty("before").GetInt64();
                var after = notice.Data.GetProperty("after").GetInt64();
                source = before < threshold && after >= threshold ? $"points reached {after}" : null;
            }
            if (source is null)
            {
                continue;
            }
            var (_, refused) = await instances.EnrolAsync(workflow, notice.CustomerId, source, cancellationToken: cancellationToken);
            if (refused is not null)
            {
                LogNotEnrolled(logger, workflow.Id, refused);
            }
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Loyalty change did not enrol in workflow {WorkflowId}: {Reason}")]
    private static partial void LogNotEnrolled(ILogger logger, string workflowId, string reason);
}
