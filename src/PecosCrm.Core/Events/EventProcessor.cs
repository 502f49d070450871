using Microsoft.Extensions.Logging;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Loyalty;
using PecosCrm.Core.Products;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Events;

/// <summary>Hears every store event once it is applied to the customer (and again when it is replayed).</summary>
public interface IAppliedEventObserver
{
    /// <summary>Whether the observer wants to hear this event; asked first, so that most events cost it nothing.</summary>
    ValueTask<bool> WantsAsync(StoreEvent e, AppliedContext context, CancellationToken cancellationToken);

    Task OnAppliedAsync(StoreEvent e, CancellationToken cancellationToken);
}

/// <summary>What the processor knows about the customer when an event is applied.</summary>
/// <param name="InAutomation">The customer's card lists a running automation.</param>
public sealed record AppliedContext(bool InAutomation);

/// <summary>
/// Applies accepted store events, per customer: a batch is split by customer and each customer's
/// events are folded onto one read of the customer's card (<see cref="CustomerEventWriter"/>),
/// customers in parallel. Then, for the whole batch at once, the writes outside the customers'
/// partitions (order month rows, analytics marks), and only then the partitions, so a crash in
/// between loses nothing. Every event is applied at most once (its marker is written with its
/// effects), so a redelivered batch changes nothing.
/// </summary>
public sealed partial class EventProcessor(
    StorageAccount storage, CustomerEventWriter writer, ProductEvents products, IEnumerable<IAppliedEventObserver> observers,
    IEnumerable<IAppliedBatchObserver> batchObservers, LoyaltyEvents loyalty, ILogger<EventProcessor> logger)
{
    public const int Parallelism = 16;

    private readonly CustomerStripes _stripes = new();

    public async Task<BatchResult> ProcessBatchAsync(string blobName, CancellationToken cancellationToken = default)
    {
        var blob = storage.Container(StorageNames.Containers.EventBatches).GetBlobClient(blobName);
        var content = await blob.DownloadContentAsync(cancellationToken);
        var events = content.Value.Content.ToObjectFromJson<List<StoreEvent>>(CrmJson.Options) ?? [];
        return await ApplyAllAsync(events, cancellationToken);
    }

    public async Task<BatchResult> ApplyAllAsync(IEnumerable<StoreEvent> events, CancellationToken cancellationToken = default)
    {
        var batch = events.ToList();
        // The catalogue's events and the views they count, before the customers' partitions: both
        // are idempotent (by event id, by batch), so a crash later and the redelivery change nothing twice.
        await products.ApplyAsync(batch, cancellationToken);
        var all = batch.Where(e => !EventTypes.IsCatalogueEvent(e.Type)).ToList();
        var catalogue = batch.Count - all.Count;
        var groups = all
            .GroupBy(e => e.CustomerId, StringComparer.Ordinal)
            .Select(g => g.DistinctBy(e => e.Id).OrderBy(e => e.OccurredAt).ThenBy(e => e.Id, StringComparer.Ordinal).ToList())
            .ToList();
        using var held = await _stripes.HoldAsync(groups.Select(g => g[0].CustomerId), cancellationToken);
        var none = new HashSet<string>();
        var folds = new CustomerFold[groups.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, groups.Count), options, async (i, ct) =>
            folds[i] = await writer.FoldAsync(groups[i][0].CustomerId, groups[i], none, throwOnReject: false, ct));
        await writer.WriteOutsideAsync(folds, cancellationToken);

        var applied = 0;
        // An event id twice in one batch is applied once; the second is a duplicate.
        var duplicates = all.Count - groups.Sum(g => g.Count);
        var rejected = 0;
        var committed = new bool[groups.Count];
        var heard = new IReadOnlyList<StoreEvent>[groups.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, groups.Count), options, async (i, ct) => committed[i] = await writer.CommitAsync(folds[i], ct));
        await writer.FinishAsync([.. folds.Where((_, i) => committed[i])], cancellationToken);
        await Parallel.ForEachAsync(Enumerable.Range(0, groups.Count), options, async (i, ct) =>
        {
            var fold = folds[i];
            if (!committed[i])
            {
                // The card moved or some event was applied before: this customer again, alone.
                var done = fold.Chunks.Where(c => c.Committed).Sum(c => c.Events.Count);
                fold = await writer.ApplyAloneAsync(fold.CustomerId, groups[i], throwOnReject: false, checkApplied: fold.FoundApplied || done > 0, ct, done > 0 ? fold : null);
                Interlocked.Add(ref applied, done);
                Interlocked.Add(ref duplicates, -done);
            }
            Interlocked.Add(ref applied, fold.Applied);
            Interlocked.Add(ref duplicates, fold.Duplicates);
            Interlocked.Add(ref rejected, fold.Rejected.Count);
            foreach (var (e, reason) in fold.Rejected)
            {
                LogRejected(logger, e.Id, e.Type, reason);
            }
            heard[i] = await NotifyAsync(fold, groups[i], ct);
        });
        await NotifyBatchAsync([.. batch.Where(e => EventTypes.IsCatalogueEvent(e.Type)), .. heard.SelectMany(h => h)], cancellationToken);
        return new BatchResult(applied + catalogue, duplicates, rejected);
    }

    /// <summary>
    /// Applies one event now (the synchronous API). A conflict with stored data (an order that
    /// belongs to someone else) is thrown to the caller.
    /// </summary>
    public async Task<EventOutcome> ApplyAsync(StoreEvent e, CancellationToken cancellationToken = default, bool throwOnReject = false)
    {
        if (EventTypes.IsCatalogueEvent(e.Type))
        {
            await products.ApplyAsync([e], cancellationToken);
            await NotifyBatchAsync([e], cancellationToken);
            return EventOutcome.Applied;
        }
        using var held = await _stripes.HoldAsync([e.CustomerId], cancellationToken);
        var fold = await writer.ApplyAloneAsync(e.CustomerId, [e], throwOnReject, checkApplied: false, cancellationToken);
        foreach (var (rejected, reason) in fold.Rejected)
        {
            LogRejected(logger, rejected.Id, rejected.Type, reason);
        }
        await NotifyBatchAsync(await NotifyAsync(fold, [e], cancellationToken), cancellationToken);
        return fold.Rejected.Count > 0 ? EventOutcome.Rejected : fold.Applied > 0 ? EventOutcome.Applied : EventOutcome.Duplicate;
    }

    /// <summary>
    /// Observers (automation triggers, goals, waits) hear a replayed event too: the event may have
    /// been applied just before a crash that kept them from hearing it, and what they do is idempotent.
    /// </summary>
    private async Task<IReadOnlyList<StoreEvent>> NotifyAsync(CustomerFold fold, IReadOnlyList<StoreEvent> events, CancellationToken cancellationToken)
    {
        await loyalty.EmitAsync(fold.Chunks.Where(c => c.Committed).SelectMany(c => c.Notices), cancellationToken);
        var context = new AppliedContext(fold.InAutomation);
        var heard = fold.Heard(events).ToList();
        foreach (var e in heard)
        {
            foreach (var observer in observers)
            {
                if (await observer.WantsAsync(e, context, cancellationToken))
                {
                    await observer.OnAppliedAsync(e, cancellationToken);
                }
            }
        }
        return heard;
    }

    private async Task NotifyBatchAsync(IReadOnlyList<StoreEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return;
        }
        foreach (var observer in batchObservers)
        {
            await observer.OnBatchAppliedAsync(events, cancellationToken);
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "Event {EventId} ({Type}) rejected: {Reason}")]
    private static partial void LogRejected(ILogger logger, string eventId, string type, string reason);
}

public enum EventOutcome
{
    Applied,
    Duplicate,
    Rejected,
}

public sealed record BatchResult(int Applied, int Duplicates, int Rejected);
