using System.Text.Json;
using Microsoft.Extensions.Logging;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Orders;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Events;

/// <summary>Hears every store event once it is applied to the customer (and again when it is replayed).</summary>
public interface IAppliedEventObserver
{
    Task OnAppliedAsync(StoreEvent e, CancellationToken cancellationToken);
}

/// <summary>
/// Applies accepted store events. A batch is split by customer; customers are worked on in
/// parallel, each customer's events in the order they happened. Every event is applied at most once
/// (its marker is written with its effects), so a redelivered batch changes nothing.
/// </summary>
public sealed partial class EventProcessor(
    StorageAccount storage, CustomerStore customers, CustomerActivity activity, Analytics.MarketingAnalysis marketing, IEnumerable<IAppliedEventObserver> observers,
    ILogger<EventProcessor> logger)
{
    public const int Parallelism = 16;

    public async Task<BatchResult> ProcessBatchAsync(string blobName, CancellationToken cancellationToken = default)
    {
        var blob = storage.Container(StorageNames.Containers.EventBatches).GetBlobClient(blobName);
        var content = await blob.DownloadContentAsync(cancellationToken);
        var events = content.Value.Content.ToObjectFromJson<List<StoreEvent>>(CrmJson.Options) ?? [];
        return await ApplyAllAsync(events, cancellationToken);
    }

    public async Task<BatchResult> ApplyAllAsync(IEnumerable<StoreEvent> events, CancellationToken cancellationToken = default)
    {
        var applied = 0;
        var duplicates = 0;
        var rejected = 0;
        var byCustomer = events.GroupBy(e => e.CustomerId, StringComparer.Ordinal);
        await Parallel.ForEachAsync(byCustomer, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (group, ct) =>
        {
            foreach (var e in group.OrderBy(e => e.OccurredAt).ThenBy(e => e.Id, StringComparer.Ordinal))
            {
                switch (await ApplyAsync(e, ct))
                {
                    case EventOutcome.Applied:
                        Interlocked.Increment(ref applied);
                        break;
                    case EventOutcome.Duplicate:
                        Interlocked.Increment(ref duplicates);
                        break;
                    default:
                        Interlocked.Increment(ref rejected);
                        break;
                }
            }
        });
        return new BatchResult(applied, duplicates, rejected);
    }

    /// <summary>
    /// Applies one event. A conflict with stored data (an order that belongs to someone else)
    /// rejects that event only; with <paramref name="throwOnReject"/> (the synchronous API) the
    /// conflict is thrown to the caller instead.
    /// </summary>
    public async Task<EventOutcome> ApplyAsync(StoreEvent e, CancellationToken cancellationToken = default, bool throwOnReject = false)
    {
        try
        {
            bool applied;
            if (EventTypes.IsCustomerEvent(e.Type))
            {
                applied = await customers.ApplyEventAsync(EventValidator.CustomerData(e), e.Id, e.OccurredAt, cancellationToken);
            }
            else if (EventTypes.IsOrderEvent(e.Type))
            {
                var input = EventValidator.OrderData(e);
                var order = input.ToOrder(new Validation());
                long? refund = e.Type == EventTypes.OrderRefunded && input.RefundedAmount is not null ? order.RefundedCents : null;
                applied = await activity.ApplyOrderEventAsync(e, order, refund, cancellationToken);
            }
            else
            {
                if (e.Type == EventTypes.NpsResponse)
                {
                    // Kept by month for the NPS report; an upsert by event id, harmless when repeated.
                    await marketing.RecordNpsAsync(e, cancellationToken);
                }
                applied = await activity.ApplyEngagementEventAsync(e, cancellationToken);
            }
            // Observers (automation triggers, goals, waits) hear a replayed event too: the event may
            // have been applied just before a crash that kept them from hearing it, and what they do is idempotent.
            foreach (var observer in observers)
            {
                await observer.OnAppliedAsync(e, cancellationToken);
            }
            return applied ? EventOutcome.Applied : EventOutcome.Duplicate;
        }
        catch (ValidationFailedException ex) when (!throwOnReject)
        {
            LogRejected(logger, e.Id, e.Type, string.Join("; ", ex.Errors.SelectMany(x => x.Value)));
            return EventOutcome.Rejected;
        }
        catch (JsonException ex)
        {
            LogRejected(logger, e.Id, e.Type, ex.Message);
            return EventOutcome.Rejected;
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
