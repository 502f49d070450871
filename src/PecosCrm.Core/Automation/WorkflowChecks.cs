using PecosCrm.Core.Customers;
using PecosCrm.Core.Messaging.Templates;
using PecosCrm.Core.Segments;

namespace PecosCrm.Core.Automation;

/// <summary>What workflows are checked against, from the live stores.</summary>
public sealed class WorkflowChecks(TagStore tags, SegmentStore segments, TemplateStore templates)
{
    /// <summary>Checks against the stores as they are now; pass the request's cancellation token.</summary>
    public WorkflowContext Context(CancellationToken cancellationToken) => new(
        async id => await TemplateExistsAsync(id, cancellationToken),
        async id => !AutoTags.IsAuto(id) && await ExistsAsync(() => tags.GetAsync(id, cancellationToken)),
        async id => await ExistsAsync(() => segments.GetAsync(id, cancellationToken)));

    private async Task<bool> TemplateExistsAsync(string id, CancellationToken cancellationToken) =>
        await templates.FindAsync(id, cancellationToken) is { Active: true };

    private static async Task<bool> ExistsAsync(Func<Task> get)
    {
        try
        {
            await get();
            return true;
        }
        catch (NotFoundException)
        {
            return false;
        }
    }
}
