using Azure.Data.Tables;
using PecosCrm.Core.Analytics;
using PecosCrm.Core.Events;
using PecosCrm.Core.Orders;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Customers;

/// <summary>
/// Applies order and engagement events to a customer's partition: the order row, the metrics row,
/// the auto-tags and the timeline entry go in one transaction with the event's marker, guarded by
/// the metrics row's ETag, so an event is applied exactly once and two workers never interleave.
/// </summary>
public sealed class CustomerActivity(StorageAccount storage, OrderStore orders, TagStore tags, AnalyticsCopy analytics, TimeProvider time)
{
    private const int MaxAttempts = 8;

    private readonly CustomerPartition _partition = new(storage);

    private TableClient Customers => storage.Table(StorageNames.Tables.Customers);

    /// <summary>Applies an order event; returns false when it had been applied before.</summary>
    internal async Task<bool> ApplyOrderEventAsync(StoreEvent e, Order incoming, long? refundCents, CancellationToken cancellationToken)
    {
        var status = OrderMerge.StatusOf(e.Type);
        for (var attempt = 1; ; attempt++)
        {
            // The metrics row is read before the order rows: its ETag guards the commit, so any
            // order row written after this read makes the commit fail and the attempt start again.
            var marker = Customers.FindAsync<EventMarkerEntity>(e.CustomerId, CustomerKeys.Event(e.Id), cancellationToken);
            var metrics = await Customers.FindAsync<MetricsEntity>(e.CustomerId, CustomerKeys.Metrics, cancellationToken);
            if (await marker is not null)
            {
                return false;
            }
            var profile = Customers.FindAsync<CustomerEntity>(e.CustomerId, CustomerKeys.Profile, cancellationToken);
            var all = new List<Order>();
            var versions = new Dictionary<string, (DateTimeOffset, string)>(StringComparer.Ordinal);
            await foreach (var row in Customers.QueryAsync<OrderEntity>(CustomerKeys.PrefixFilter(e.CustomerId, CustomerKeys.OrderPrefix), cancellationToken: cancellationToken))
            {
                all.Add(row.ToOrder());
                versions[row.OrderId] = (row.DataAt, row.DataEventId);
            }
            var current = all.FirstOrDefault(o => o.Id == incoming.Id);
            if (current is null && await orders.FindCustomerOfAsync(incoming.Id, cancellationToken) is { } owner && owner != e.CustomerId)
            {
                throw new ValidationFailedException("customerId", $"Order '{incoming.Id}' belongs to another customer.");
            }
            var currentVersion = current is null ? ((DateTimeOffset, string)?)null : versions[current.Id];
            // The row key keeps the placement time first seen, so later events find the same row.
            var (merged, version) = OrderMerge.Apply(
                current, currentVersion,
                incoming with { CustomerId = e.CustomerId, PlacedAt = current?.PlacedAt ?? incoming.PlacedAt }, status, e.OccurredAt, e.Id, refundCents);
            all.RemoveAll(o => o.Id == merged.Id);
            all.Add(merged);

            await Task.WhenAll(
                orders.WriteIndexesAsync(merged, cancellationToken),
                analytics.MarkChangedAsync(MonthOrderEntity.Month(merged.PlacedAt), cancellationToken));
            var title = OrderTitle(e.Type, merged, refundCents);
            var entry = new TimelineEntry(e.Id, e.CustomerId, TimelineType.Order, title, e.OccurredAt, "store", $"/api/orders/{merged.Id}", null);
            var extra = new List<TableTransactionAction> { new(TableTransactionActionType.UpsertReplace, OrderEntity.From(merged, version)) };
            var outcome = await CommitAsync(e, metrics, await profile, entry, extra, m =>
            {
                m.Set(CustomerMetrics.FromOrders(all));
                if (e.Type == EventTypes.OrderPlaced && m.CartOpen)
                {
                    m.SetCart(e.OccurredAt, open: false);
                }
            }, cancellationToken);
            if (outcome is not null)
            {
                return outcome.Value;
            }
            if (attempt >= MaxAttempts)
            {
                throw new ConcurrencyException();
            }
        }
    }

    /// <summary>Applies a cart, view, review or login event; returns false when it had been applied before.</summary>
    internal async Task<bool> ApplyEngagementEventAsync(StoreEvent e, CancellationToken cancellationToken)
    {
        var (entry, count) = Describe(e);
        for (var attempt = 1; ; attempt++)
        {
            var profile = Customers.FindAsync<CustomerEntity>(e.CustomerId, CustomerKeys.Profile, cancellationToken);
            var metrics = await Customers.FindAsync<MetricsEntity>(e.CustomerId, CustomerKeys.Metrics, cancellationToken);
            var outcome = await CommitAsync(e, metrics, await profile, entry, [], m =>
            {
                m.Set(count(m.ToEngagement()).Touch(e.OccurredAt));
                Track(m, e);
            }, cancellationToken);
            if (outcome is not null)
            {
                return outcome.Value;
            }
            if (attempt >= MaxAttempts)
            {
                throw new ConcurrencyException();
            }
        }
    }

    /// <summary>
    /// One attempt: takes the metrics row as read (null when new), lets <paramref name="update"/> change it, works out the
    /// auto-tags, and commits marker, rows, metrics and timeline together. Null means "lost a race,
    /// try again"; true applied; false already applied.
    /// </summary>
    private async Task<bool?> CommitAsync(
        StoreEvent e, MetricsEntity? metrics, CustomerEntity? profile, TimelineEntry entry, List<TableTransactionAction> extra, Action<MetricsEntity> update, CancellationToken cancellationToken)
    {
        var isNew = metrics is null;
        metrics ??= new MetricsEntity { PartitionKey = e.CustomerId };
        update(metrics);
        var now = time.GetUtcNow();
        metrics.UpdatedAt = now;

        var current = metrics.AutoTagSet();
        var computed = metrics.ToMetrics();
        var health = HealthScore.Compute(computed, metrics.ToEngagement(), now);
        var wanted = AutoTags.For(profile?.CustomerSince ?? computed.FirstOrderAt ?? e.OccurredAt, computed, health, now);
        metrics.AutoTags = string.Join(' ', wanted.Order(StringComparer.Ordinal));
        metrics.SetHealth(health);

        var actions = new List<TableTransactionAction>
        {
            new(TableTransactionActionType.Add, new EventMarkerEntity { PartitionKey = e.CustomerId, RowKey = CustomerKeys.Event(e.Id), Type = e.Type, OccurredAt = e.OccurredAt }),
        };
        actions.AddRange(extra);
        actions.Add(isNew
            ? new TableTransactionAction(TableTransactionActionType.Add, metrics)
            : new TableTransactionAction(TableTransactionActionType.UpdateReplace, metrics, metrics.ETag));
        actions.AddRange(TimelineEntity.RowsFor(entry).Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r)));
        actions.AddRange(TagStore.AutoTagActions(e.CustomerId, current, wanted, now));
        try
        {
            if (await _partition.SubmitAsync(actions, cancellationToken) == PartitionWrite.Duplicate)
            {
                return false;
            }
        }
        catch (ConcurrencyException)
        {
            return null;
        }
        if (!current.SetEquals(wanted))
        {
            await tags.SyncAutoMembersAsync(e.CustomerId, current, wanted, now, cancellationToken);
        }
        return true;
    }

    /// <summary>
    /// Re-evaluates what depends on the passing of time alone (the health score, the churn risk and
    /// through them the auto-tags New Customer and At Risk) and stores the customer's RFM code, reading only the customer's
    /// metrics and profile rows. Returns true when something changed. Guarded by the metrics row's
    /// ETag like every other write.
    /// </summary>
    public async Task<bool> RefreshAsync(string customerId, string? rfmCode = null, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            var profile = Customers.FindAsync<CustomerEntity>(customerId, CustomerKeys.Profile, cancellationToken);
            var metrics = await Customers.FindAsync<MetricsEntity>(customerId, CustomerKeys.Metrics, cancellationToken);
            var customer = await profile;
            if (metrics is null)
            {
                return false;
            }
            var now = time.GetUtcNow();
            var computed = metrics.ToMetrics();
            var health = HealthScore.Compute(computed, metrics.ToEngagement(), now);
            var current = metrics.AutoTagSet();
            var wanted = AutoTags.For(customer?.CustomerSince ?? computed.FirstOrderAt ?? now, computed, health, now);
            DateTimeOffset? rfmScoredAt = rfmCode is null ? null : metrics.RfmCode == rfmCode ? metrics.RfmScoredAt ?? now : now;
            if (current.SetEquals(wanted) && metrics.RfmCode == rfmCode && metrics.RfmScoredAt == rfmScoredAt && metrics.HealthScore == health.Score && metrics.ChurnRisk == health.ChurnRisk.ToString())
            {
                return false;
            }
            metrics.AutoTags = string.Join(' ', wanted.Order(StringComparer.Ordinal));
            metrics.RfmCode = rfmCode;
            metrics.RfmScoredAt = rfmScoredAt;
            metrics.SetHealth(health);
            metrics.UpdatedAt = now;
            var actions = new List<TableTransactionAction> { new(TableTransactionActionType.UpdateReplace, metrics, metrics.ETag) };
            actions.AddRange(TagStore.AutoTagActions(customerId, current, wanted, now));
            try
            {
                await _partition.SubmitAsync(actions, cancellationToken);
            }
            catch (ConcurrencyException) when (attempt < MaxAttempts)
            {
                continue;
            }
            await tags.SyncAutoMembersAsync(customerId, current, wanted, now, cancellationToken);
            return true;
        }
    }

    /// <summary>The cart and email facts an engagement event carries besides its counter.</summary>
    private static void Track(MetricsEntity m, StoreEvent e)
    {
        switch (e.Type)
        {
            case EventTypes.CartUpdated or EventTypes.CartAbandoned:
                var cart = EventValidator.Data<CartData>(e);
                var items = cart.Items?.Sum(i => i.Quantity ?? 1) ?? 0;
                // An update that empties the cart closes it.
                m.SetCart(e.OccurredAt, open: items > 0 || cart.Value > 0, Money.ToCents(cart.Value ?? 0), items);
                break;
            case EventTypes.CartCheckedOut:
                m.SetCart(e.OccurredAt, open: false);
                break;
            case EventTypes.EmailOpened:
                m.LastEmailOpenedAt = Latest(m.LastEmailOpenedAt, e.OccurredAt);
                break;
            case EventTypes.EmailClicked:
                m.LastEmailClickedAt = Latest(m.LastEmailClickedAt, e.OccurredAt);
                // A click implies the email was opened, even when the open pixel was blocked.
                m.LastEmailOpenedAt = Latest(m.LastEmailOpenedAt, e.OccurredAt);
                break;
        }
    }

    private static DateTimeOffset Latest(DateTimeOffset? known, DateTimeOffset at) => known is { } k && k > at ? k : at;

    private static string OrderTitle(string type, Order order, long? refundCents)
    {
        var number = $"Order #{order.Number}";
        return type switch
        {
            EventTypes.OrderPlaced => $"{number} placed ({Money.Format(order.TotalCents, order.Currency)})",
            EventTypes.OrderPaid => $"{number} paid",
            EventTypes.OrderShipped => $"{number} shipped",
            EventTypes.OrderDelivered => $"{number} delivered",
            EventTypes.OrderCancelled => $"{number} cancelled",
            EventTypes.OrderRefunded => $"{number} refunded ({Money.Format(refundCents ?? order.TotalCents, order.Currency)})",
            _ => number,
        };
    }

    /// <summary>The timeline entry of an engagement event, and the counter it advances.</summary>
    private static (TimelineEntry Entry, Func<Engagement, Engagement> Count) Describe(StoreEvent e)
    {
        TimelineEntry Entry(TimelineType type, string title, string? link = null, string? detail = null) =>
            new(e.Id, e.CustomerId, type, title, e.OccurredAt, "customer", link, detail);

        switch (e.Type)
        {
            case EventTypes.CartUpdated or EventTypes.CartAbandoned or EventTypes.CartCheckedOut:
                var cart = EventValidator.Data<CartData>(e);
                var value = cart.Value is { } v ? $" ({Money.Format((long)(v * 100))}" + (cart.Items is { Count: > 0 } items ? $", {items.Sum(i => i.Quantity ?? 1)} items)" : ")") : "";
                var title = e.Type switch
                {
                    EventTypes.CartUpdated => "Cart updated" + value,
                    EventTypes.CartAbandoned => "Cart abandoned" + value,
                    _ => "Checked out cart" + value,
                };
                var link = cart.OrderId is null ? null : $"/api/orders/{cart.OrderId}";
                return (Entry(TimelineType.Cart, title, link), g => g with { CartUpdates = g.CartUpdates + 1 });
            case EventTypes.ProductViewed:
                var product = EventValidator.Data<ProductViewData>(e);
                return (Entry(TimelineType.PageView, $"Viewed {product.Name ?? product.ProductId}", $"/api/products/{product.ProductId}"),
                    g => g with { ProductViews = g.ProductViews + 1 });
            case EventTypes.ReviewSubmitted:
                var review = EventValidator.Data<ReviewData>(e);
                return (Entry(TimelineType.Review, $"Left a {review.Rating}-star review on {(string.IsNullOrWhiteSpace(review.Name) ? review.ProductId : $"{review.Name} ({review.ProductId})")}", $"/api/products/{review.ProductId}",
                    review.Title is null ? review.Body : review.Title + (review.Body is null ? "" : ": " + review.Body)),
                    g => g with { Reviews = g.Reviews + 1 });
            case EventTypes.AccountLogin:
                var channel = e.Data.ValueKind == System.Text.Json.JsonValueKind.Object && e.Data.TryGetProperty("channel", out var c) ? c.GetString() : null;
                return (Entry(TimelineType.Login, channel is null ? "Signed in" : $"Signed in ({channel})"), g => g with { Logins = g.Logins + 1 });
            case EventTypes.NpsResponse:
                var nps = EventValidator.Data<NpsData>(e);
                return (Entry(TimelineType.Survey, $"Answered the NPS survey: {nps.Score}/10", null, nps.Comment), g => g);
            case EventTypes.EmailOpened:
                var opened = EventValidator.Data<EmailEventData>(e);
                return (Entry(TimelineType.Email, opened.Subject is null ? "Opened an email" : $"Opened email \"{opened.Subject}\""),
                    g => g with { EmailOpens = g.EmailOpens + 1 });
            case EventTypes.EmailClicked:
                var clicked = EventValidator.Data<EmailEventData>(e);
                return (Entry(TimelineType.Email, clicked.Subject is null ? "Clicked a link in an email" : $"Clicked a link in \"{clicked.Subject}\"", clicked.Url),
                    g => g with { EmailClicks = g.EmailClicks + 1 });
            case EventTypes.PageViewed:
                var page = EventValidator.Data<PageViewData>(e);
                return (Entry(TimelineType.PageView, $"Viewed page {page.Title ?? page.Url}", page.Url), g => g with { PageViews = g.PageViews + 1 });
            default:
                throw new ArgumentOutOfRangeException(nameof(e), e.Type, "Not an engagement event.");
        }
    }
}
