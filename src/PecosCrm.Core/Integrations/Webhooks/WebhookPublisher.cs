using System.Text.Json;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Integrations.Webhooks;

/// <summary>
/// The one entry point for publishing an event to webhook subscribers. Publishing never sends
/// anything: events that some active subscription wants are written to the event log (100 to a
/// transaction) and one queue message per batch hands them to <see cref="WebhookDispatcher"/>.
/// Events nobody subscribes to cost nothing (the active subscriptions are cached). So a publisher
/// (the event processor, support tickets, loyalty) is never slowed by a receiver. Other readers of
/// the log (the connectors' incremental syncs, <see cref="IEventLogReader"/>) may ask for events of
/// types no subscription wants: those are logged too, without a queue message.
/// </summary>
public sealed class WebhookPublisher(
    StorageAccount storage, WebhookSubscriptions subscriptions, WebhookEventLog log, IEnumerable<IEventLogReader> readers, TimeProvider time)
{
    /// <summary>Data larger than two table properties is replaced by this marker; the receiver reads the record through the API.</summary>
    public const string TooLargeData = """{"tooLarge":true}""";

    /// <summary>
    /// Publishes <paramref name="events"/> in the order given (the order receivers see per customer)
    /// and returns how many some subscription wanted.
    /// </summary>
    public async Task<int> PublishAsync(IReadOnlyList<OutboundEvent> events, CancellationToken cancellationToken = default)
    {
        if (events.Count == 0)
        {
            return 0;
        }
        var active = await subscriptions.ActiveAsync(cancellationToken);
        var readersWant = new List<Func<string, bool>>();
        foreach (var reader in readers)
        {
            if (await reader.WantedTypesAsync(cancellationToken) is { } wants)
            {
                readersWant.Add(wants);
            }
        }
        var subscribed = events.Select(e => active.Any(s => s.Wants(e.Type))).ToList();
        var kept = events.Where((e, i) => subscribed[i] || readersWant.Any(w => w(e.Type))).ToList();
        if (kept.Count == 0)
        {
            return 0;
        }
        var now = time.GetUtcNow();
        var rows = kept.Select(e => Row(e, WebhookSequence.Next(now), now)).ToList();
        await log.AppendAsync(rows, cancellationToken);
        var wanted = subscribed.Count(w => w);
        if (wanted == 0)
        {
            return 0;
        }
        var queue = storage.Queue(StorageNames.Queues.Webhooks);
        foreach (var part in rows.GroupBy(r => r.PartitionKey, StringComparer.Ordinal))
        {
            var work = new WebhookWork(WebhookWork.Events, part.Key, WebhookKeys.SequenceOf(part.First().RowKey), WebhookKeys.SequenceOf(part.Last().RowKey));
            await queue.SendMessageAsync(JsonSerializer.Serialize(work, CrmJson.Options), cancellationToken);
        }
        return wanted;
    }

    /// <inheritdoc cref="PublishAsync(IReadOnlyList{OutboundEvent}, CancellationToken)"/>
    public Task<int> PublishAsync(OutboundEvent e, CancellationToken cancellationToken = default) => PublishAsync([e], cancellationToken);

    private static WebhookEventEntity Row(OutboundEvent e, string sequence, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(e.Type);
        var data = e.Data.ValueKind == JsonValueKind.Undefined ? "null" : e.Data.GetRawText();
        if (data.Length > 2 * WebhookEventEntity.PartLength)
        {
            data = TooLargeData;
        }
        return new WebhookEventEntity
        {
            PartitionKey = WebhookKeys.EventPartition(sequence), RowKey = WebhookKeys.Event(sequence),
            WebhookId = "msg_" + (e.IdempotencyKey ?? sequence), Type = e.Type, CustomerId = e.CustomerId, PublishedAt = now,
            Data = data.Length > WebhookEventEntity.PartLength ? data[..WebhookEventEntity.PartLength] : data,
            DataMore = data.Length > WebhookEventEntity.PartLength ? data[WebhookEventEntity.PartLength..] : null,
        };
    }
}
