using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Integrations.Webhooks;

/// <summary>
/// Delivers published events from the <c>webhooks</c> queue. For each active subscription that
/// wants some of a batch, one customer's events go one after the other and customers in parallel.
/// A failed delivery holds that customer's events for the subscription (<see cref="WebhookHolds"/>):
/// later batches append to the hold rather than overtake it, and <see cref="RetryDueAsync"/> (every
/// minute) tries the hold again on the <see cref="WebhookOptions.RetryDelays"/> schedule. When an
/// event has failed for the whole schedule it is given up, the subscription is disabled and the
/// admins get an email. Every attempt is written to the delivery log, 100 rows a transaction.
/// </summary>
public sealed partial class WebhookDispatcher(
    StorageAccount storage, WebhookSubscriptions subscriptions, WebhookEventLog log, WebhookHolds holds, WebhookDeliveryLog deliveries,
    WebhookSender sender, WebhookAlerts alerts, IOptions<WebhookOptions> options, TimeProvider time, ILogger<WebhookDispatcher> logger)
{
    /// <summary>Events a replay message delivers before it queues the next slice.</summary>
    public const int ReplaySlice = 500;

    private const int Parallelism = 8;

    public Task RunAsync(WebhookWork work, CancellationToken cancellationToken = default) => work.Kind switch
    {
        WebhookWork.Events => DeliverBatchAsync(work.Partition!, work.From!, work.To!, cancellationToken),
        WebhookWork.Redeliver => RedeliverAsync(work.SubscriptionId!, work.DeliveryId!, cancellationToken),
        WebhookWork.Replay => ReplayAsync(work.SubscriptionId!, work.Since!, cancellationToken),
        _ => throw new ArgumentException($"Unknown webhook work '{work.Kind}'.", nameof(work)),
    };

    /// <summary>Delivers one published batch to every active subscription that wants some of it.</summary>
    public async Task DeliverBatchAsync(string partition, string from, string to, CancellationToken cancellationToken = default)
    {
        var events = await log.ReadRangeAsync(partition, from, to, cancellationToken);
        foreach (var subscription in await subscriptions.ActiveAsync(cancellationToken))
        {
            var mine = events.Where(e => subscription.Wants(e.Type)).ToList();
            if (mine.Count > 0)
            {
                await DeliverToAsync(subscription, mine, cancellationToken);
            }
        }
    }

    private async Task DeliverToAsync(WebhookSubscription subscription, IReadOnlyList<LoggedEvent> events, CancellationToken cancellationToken)
    {
        var secret = await subscriptions.SecretAsync(subscription.Id, cancellationToken);
        if (secret is null)
        {
            return;
        }
        var held = await holds.HeldKeysAsync(subscription.Id, cancellationToken);
        var attempts = new ConcurrentBag<WebhookDeliveryEntity>();
        var now = time.GetUtcNow();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(events.GroupBy(e => e.OrderingKey, StringComparer.Ordinal), parallel, async (group, ct) =>
        {
            var line = group.ToList();
            if (held.Contains(group.Key))
            {
                await holds.HoldAsync(subscription.Id, group.Key, line.Select(e => e.Sequence).ToList(), 0, now, now, ct);
                return;
            }
            for (var i = 0; i < line.Count; i++)
            {
                var attempt = await sender.SendAsync(subscription, secret, line[i], DeliveryTrigger.Live, 1, ct);
                attempts.Add(attempt);
                if (!attempt.Succeeded)
                {
                    attempt.NextAttemptAt = now + options.Value.Delays[0];
                    await holds.HoldAsync(subscription.Id, group.Key, line.Skip(i).Select(e => e.Sequence).ToList(), 1, attempt.NextAttemptAt.Value, now, ct);
                    LogHeld(logger, subscription.Id, line[i].Sequence, attempt.ResponseStatus, attempt.Error);
                    break;
                }
            }
        });
        await deliveries.WriteAsync(attempts, cancellationToken);
    }

    /// <summary>Tries again every hold whose time has come; returns the attempts made.</summary>
    public async Task<int> RetryDueAsync(CancellationToken cancellationToken = default)
    {
        var due = await holds.DueAsync(time.GetUtcNow(), cancellationToken);
        var made = 0;
        foreach (var bySubscription in due.GroupBy(h => h.SubscriptionId, StringComparer.Ordinal))
        {
            var subscription = await subscriptions.FindAsync(bySubscription.Key, cancellationToken);
            var secret = await subscriptions.SecretAsync(bySubscription.Key, cancellationToken);
            if (subscription is null || secret is null)
            {
                // Deleted: nothing will ever take these.
                foreach (var hold in bySubscription)
                {
                    await holds.SettleAsync(hold.SubscriptionId, hold.OrderingKey, hold.Sequences.ToList(), 0, time.GetUtcNow(), cancellationToken);
                }
                continue;
            }
            if (!subscription.Active)
            {
                continue;
            }
            var attempts = new ConcurrentBag<WebhookDeliveryEntity>();
            var exhausted = 0;
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(bySubscription, parallel, async (hold, ct) =>
            {
                if (await RetryHoldAsync(subscription, secret, hold, attempts, ct))
                {
                    Interlocked.Increment(ref exhausted);
                }
            });
            await deliveries.WriteAsync(attempts, cancellationToken);
            made += attempts.Count;
            if (exhausted > 0 && await subscriptions.DisableAsync(subscription.Id, $"deliveries failed for {options.Value.Delays.Count + 1} attempts over the whole retry schedule", cancellationToken))
            {
                LogDisabled(logger, subscription.Id);
                await alerts.SubscriptionDisabledAsync(subscription, attempts.Where(a => !a.Succeeded).MaxBy(a => a.At)?.ToRecord(), cancellationToken);
            }
        }
        return made;
    }

    /// <summary>One hold, in order; true when its first event failed for the last time.</summary>
    private async Task<bool> RetryHoldAsync(WebhookSubscription subscription, string secret, HeldEvents hold, ConcurrentBag<WebhookDeliveryEntity> attempts, CancellationToken cancellationToken)
    {
        var delays = options.Value.Delays;
        var done = new List<string>();
        for (var i = 0; i < hold.Sequences.Count; i++)
        {
            var e = await log.FindAsync(hold.Sequences[i], cancellationToken);
            if (e is null)
            {
                done.Add(hold.Sequences[i]);
                continue;
            }
            var number = i == 0 ? hold.Attempts + 1 : 1;
            var attempt = await sender.SendAsync(subscription, secret, e, DeliveryTrigger.Retry, number, cancellationToken);
            attempts.Add(attempt);
            if (attempt.Succeeded)
            {
                done.Add(e.Sequence);
                continue;
            }
            if (number > delays.Count)
            {
                // Given up: the event leaves the hold; the ones behind it wait for the subscription to be turned back on.
                done.Add(e.Sequence);
                await holds.SettleAsync(subscription.Id, hold.OrderingKey, done, 0, time.GetUtcNow(), cancellationToken);
                return true;
            }
            attempt.NextAttemptAt = time.GetUtcNow() + delays[number - 1];
            await holds.SettleAsync(subscription.Id, hold.OrderingKey, done, number, attempt.NextAttemptAt.Value, cancellationToken);
            return false;
        }
        await holds.SettleAsync(subscription.Id, hold.OrderingKey, done, 0, time.GetUtcNow(), cancellationToken);
        return false;
    }

    /// <summary>Sends a logged delivery's event again, once, whatever became of it before (and whether or not the subscription is active).</summary>
    public async Task RedeliverAsync(string subscriptionId, string deliveryId, CancellationToken cancellationToken = default)
    {
        var subscription = await subscriptions.FindAsync(subscriptionId, cancellationToken);
        var secret = await subscriptions.SecretAsync(subscriptionId, cancellationToken);
        var delivery = await deliveries.FindAsync(subscriptionId, deliveryId, cancellationToken);
        if (subscription is null || secret is null || delivery is null || await log.FindAsync(delivery.EventSequence, cancellationToken) is not { } e)
        {
            return;
        }
        await deliveries.WriteAsync([await sender.SendAsync(subscription, secret, e, DeliveryTrigger.Redelivery, 1, cancellationToken)], cancellationToken);
    }

    /// <summary>
    /// Delivers the subscription's events published after <paramref name="since"/>, in order, one
    /// attempt each, <see cref="ReplaySlice"/> to a message. It stops at the first failure (so no
    /// event overtakes one that failed); the delivery log shows where, to replay from there.
    /// </summary>
    public async Task ReplayAsync(string subscriptionId, string since, CancellationToken cancellationToken = default)
    {
        var subscription = await subscriptions.FindAsync(subscriptionId, cancellationToken);
        var secret = await subscriptions.SecretAsync(subscriptionId, cancellationToken);
        if (subscription is null || secret is null)
        {
            return;
        }
        var events = await log.ReadAfterAsync(since, time.GetUtcNow(), ReplaySlice, cancellationToken);
        var attempts = new List<WebhookDeliveryEntity>();
        var failed = false;
        foreach (var e in events.Where(e => WebhookEventTypes.Matches(subscription.Events, e.Type)))
        {
            var attempt = await sender.SendAsync(subscription, secret, e, DeliveryTrigger.Replay, 1, cancellationToken);
            attempts.Add(attempt);
            if (!attempt.Succeeded)
            {
                failed = true;
                break;
            }
        }
        await deliveries.WriteAsync(attempts, cancellationToken);
        if (!failed && events.Count == ReplaySlice)
        {
            await EnqueueAsync(new WebhookWork(WebhookWork.Replay, SubscriptionId: subscriptionId, Since: events[^1].Sequence), cancellationToken);
        }
    }

    /// <summary>Queues a redelivery or a replay (the API answers 202 at once).</summary>
    public async Task EnqueueAsync(WebhookWork work, CancellationToken cancellationToken = default) =>
        await storage.Queue(StorageNames.Queues.Webhooks).SendMessageAsync(JsonSerializer.Serialize(work, CrmJson.Options), cancellationToken);

    [LoggerMessage(1, LogLevel.Information, "Webhook subscription {SubscriptionId}: event {Sequence} failed (status {Status}, {Error}); the customer's events are held for a retry")]
    private static partial void LogHeld(ILogger logger, string subscriptionId, string sequence, int? status, string? error);

    [LoggerMessage(2, LogLevel.Warning, "Webhook subscription {SubscriptionId} disabled: an event failed for the whole retry schedule")]
    private static partial void LogDisabled(ILogger logger, string subscriptionId);
}
