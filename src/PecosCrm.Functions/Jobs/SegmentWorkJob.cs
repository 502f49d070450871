using System.Text.Json;
using PecosCrm.Core;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Segments;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.Functions.Jobs;

/// <summary>
/// Segment work from the <c>segments</c> queue: a membership refresh (reported to the recompute job
/// that asked for it, if any) or a segment action.
/// </summary>
public sealed class SegmentWorkJob(SegmentService segments, SegmentActions actions, RecomputeService recompute) : IQueueJob
{
    public const string FunctionName = "SegmentWork";

    public async Task HandleAsync(QueueInvocation message, CancellationToken cancellationToken)
    {
        var work = JsonSerializer.Deserialize<SegmentMessage>(message.Body, CrmJson.Options) ?? throw new InvalidOperationException("Empty segment message.");
        if (work.Kind == SegmentMessage.Action)
        {
            await actions.RunAsync(work.Id, cancellationToken);
            return;
        }
        var failed = false;
        try
        {
            await segments.RefreshAsync(work.Id, cancellationToken);
        }
        catch (Exception ex) when (ex is ValidationFailedException or NotFoundException or ConflictException)
        {
            // Rules that no longer compile (the reason is on the segment), or a segment deleted or made static since.
            failed = true;
        }
        if (work.RecomputeJob is { } job)
        {
            await recompute.SegmentRefreshedAsync(job, work.Id, failed, cancellationToken);
        }
    }
}
