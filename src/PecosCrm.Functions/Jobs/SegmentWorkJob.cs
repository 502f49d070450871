using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using PecosCrm.Core;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Segments;
using PecosCrm.Core.Storage;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.Functions.Jobs;

/// <summary>
/// Segment work from the <c>segments</c> queue: a membership refresh (reported to the recompute job
/// that asked for it, if any) or a segment action.
/// </summary>
public sealed partial class SegmentWorkJob(
    SegmentService segments, SegmentActions actions, RecomputeService recompute, DurableClientAccessor durable, ILogger<SegmentWorkJob> logger)
{
    public const string FunctionName = "SegmentWork";

    [Function(FunctionName)]
    public async Task RunAsync([QueueTrigger(StorageNames.Queues.Segments)] string message, [DurableClient] DurableTaskClient? client, CancellationToken cancellationToken)
    {
        durable.Client = client;
        var work = QueuePayload.Parse<SegmentMessage>(FunctionName, message,
            w => QueuePayload.OneOf("kind", w.Kind, SegmentMessage.Refresh, SegmentMessage.Action));
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
            LogNotRefreshed(logger, work.Id, ex.GetType().Name);
        }
        if (work.RecomputeJob is { } job)
        {
            await recompute.SegmentRefreshedAsync(job, work.Id, failed, cancellationToken);
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "SegmentWork: segment {SegmentId} was not refreshed ({Reason})")]
    private static partial void LogNotRefreshed(ILogger logger, string segmentId, string reason);
}
