using Azure.Data.Tables;
using PecosCrm.Core.Analytics;
using PecosCrm.Core.Events;
using PecosCrm.Core.Loyalty;
using PecosCrm.Core.Orders;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Customers;

/// <summary>
/// Applies one customer's store events of a batch. <see cref="FoldAsync"/> reads the card once and
/// folds every event onto it in memory (running totals; an order row is read only when the card
/// does not hold the order), cutting the writes into transactions of under 100 rows;
/// <see cref="CommitAsync"/> writes them one after the other, each guarded by the ETag the last one
/// left on the card. When a commit finds the card changed or an event applied already, the
/// customer's events are folded again from a fresh read, without the ones applied.
/// </summary>
public sealed class CustomerEventWriter(
    StorageAccount storage, CustomerCards cards, OrderStore orders, TagStore tags, AnalyticsCopy analytics, MarketingAnalysis marketing, LoyaltyFold loyalty, TimeProvider time)
{
    /// <summary>Rows after which a transaction takes no more events: one more event and the auto-tag entries stay under 100.</summary>
    private const int RowsPerTransaction = 70;

    private readonly CustomerPartition _partition = new(storage);
    private readonly CustomerIndex _index = new(storage);

    /// <summary>Folds the events (in the order they happened) onto the customer's card, skipping <paramref name="appliedBefore"/>.</summary>
    /// <param name="baseline">A fold of the same events that was partly committed: what the customer was before it.</param>
    internal async Task<CustomerFold> FoldAsync(
        string customerId, IReadOnlyList<StoreEvent> events, IReadOnlySet<string> appliedBefore, bool throwOnReject, CancellationToken cancellationToken, CustomerFold? baseline = null)
    {
        var card = await cards.FindAsync(customerId, cancellationToken);
        var fold = new CustomerFold(
            customerId, baseline is null ? card?.HasProfile == true ? card.ToCustomer() : null : baseline.Before,
            baseline?.AutoTagsBefore ?? card?.AutoTagSet() ?? new HashSet<string>(), card is null, card?.ETag ?? default);
        card ??= CardEntity.New(customerId);
        var chunk = new FoldChunk();
        var recount = false;
        var rules = await loyalty.CatalogueAsync(cancellationToken);
        foreach (var e in events)
        {
            if (appliedBefore.Contains(e.Id))
            {
                fold.Duplicates++;
                continue;
            }
            var entries = new List<TimelineEntry>();
            var rows = new List<TableTransactionAction>();
            var notices = new List<LoyaltyNotice>();
            try
            {
                if (EventTypes.IsCustomerEvent(e.Type))
                {
                    await ApplyProfileAsync(card, e, fold, entries, cancellationToken);
                }
                else if (EventTypes.IsOrderEvent(e.Type))
                {
                    var ordersBefore = card.OrderCount;
                    var (before, after, unknown) = await ApplyOrderAsync(card, e, fold, chunk, entries, cancellationToken);
                    recount |= unknown;
                    await loyalty.OnOrderAsync(rules, card, before, after, e, ordersBefore, rows, entries, notices, cancellationToken);
                }
                else
                {
                    if (e.Type == EventTypes.NpsResponse)
                    {
                        // Kept by month for the NPS report; an upsert by event id, harmless when repeated.
                        await marketing.RecordNpsAsync(e, cancellationToken);
                    }
                    var (entry, count) = EventEffects.Describe(e);
                    card.Set(count(card.ToEngagement()).Touch(e.OccurredAt));
                    EventEffects.Track(card, e);
                    entries.Add(entry);
                    loyalty.OnEngagement(rules, card, e, rows, entries, notices);
                }
            }
            catch (Exception ex) when (!throwOnReject && ex is ValidationFailedException or System.Text.Json.JsonException)
            {
                fold.Rejected.Add((e, ex.Message));
                continue;
            }
            chunk.Events.Add(e);
            chunk.Rows.Add(new(TableTransactionActionType.Add, new EventMarkerEntity { PartitionKey = customerId, RowKey = CustomerKeys.Event(e.Id), Type = e.Type, OccurredAt = e.OccurredAt }));
            chunk.Entries.AddRange(entries);
            foreach (var row in rows)
            {
                // A transaction may touch a row once: a later event's upsert of the same row (an
                // order's loyalty points, earned then reversed in one batch) replaces the earlier one.
                chunk.Rows.RemoveAll(r => r.ActionType == TableTransactionActionType.UpsertReplace && r.Entity.RowKey == row.Entity.RowKey);
                chunk.Rows.Add(row);
            }
            chunk.Notices.AddRange(notices);
            if (chunk.RowCount >= RowsPerTransaction)
            {
                await CloseAsync(card, fold, chunk, recount, cancellationToken);
                chunk = new FoldChunk();
                recount = false;
            }
        }
        if (chunk.Events.Count > 0)
        {
            await CloseAsync(card, fold, chunk, recount, cancellationToken);
        }
        fold.After = card.HasProfile ? card.ToCustomer() : null;
        fold.InAutomation = card.Automations != "[]";
        fold.AutoTagsAfter = card.AutoTagSet();
        return fold;
    }

    /// <summary>
    /// Commits a fold's transactions in order. Returns false when the card moved or an event turned
    /// out applied already (<see cref="CustomerFold.FoundApplied"/>); then nothing of that transaction
    /// on was written, and the caller folds again.
    /// </summary>
    internal async Task<bool> CommitAsync(CustomerFold fold, CancellationToken cancellationToken)
    {
        var etag = fold.ETag;
        var isNew = fold.IsNew;
        foreach (var chunk in fold.Chunks.Where(c => !c.Committed))
        {
            var actions = new List<TableTransactionAction>(chunk.Rows);
            actions.AddRange(chunk.Entries.SelectMany(TimelineEntity.RowsFor).Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r)));
            var cardAt = actions.Count;
            actions.Add(isNew ? new(TableTransactionActionType.Add, chunk.Card!) : new(TableTransactionActionType.UpdateReplace, chunk.Card!, etag));
            PartitionWrite written;
            try
            {
                written = await _partition.SubmitAsync(actions, cardAt, markFeatures: false, cancellationToken);
            }
            catch (ConcurrencyException)
            {
                return false;
            }
            if (written.Duplicate)
            {
                fold.FoundApplied = true;
                return false;
            }
            chunk.Committed = true;
            fold.Applied += chunk.Events.Count;
            etag = written.CardETag;
            isNew = false;
            if (etag == default)
            {
                etag = (await cards.FindAsync(fold.CustomerId, cancellationToken))?.ETag ?? default;
            }
        }
        return true;
    }

    /// <summary>
    /// What follows the commits outside the partitions, for many customers at once: the lookup rows
    /// of changed profiles and the member rows of auto-tags gained, grouped by partition into
    /// transactions; then, customer by customer, lookup and member rows no longer wanted and emails
    /// claimed for nothing. A crash before this leaves an index stale, never a card wrong.
    /// </summary>
    internal async Task FinishAsync(IReadOnlyCollection<CustomerFold> folds, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var changed = folds.Where(f => f.After is { } after && (f.Before is null || ProfileChanges.ChangedFields(f.Before, after).Count > 0)).ToList();
        await _index.WriteAsync(changed.SelectMany(f => CustomerIndex.Upserts(f.After!, f.Claimed.LastOrDefault(c => SameEmail(c.Email, f.After!.Email)).Summary)), cancellationToken);
        await tags.AddMembersAsync(folds.SelectMany(f => TagStore.MemberUpserts(f.CustomerId, f.AutoTagsBefore, f.AutoTagsAfter, now)), cancellationToken);
        foreach (var fold in folds)
        {
            if (changed.Contains(fold))
            {
                await _index.RemoveStaleAsync(fold.Before, fold.After!, cancellationToken);
            }
            foreach (var (email, _) in fold.Claimed.Where(c => !SameEmail(c.Email, fold.After?.Email)))
            {
                await _index.ReleaseEmailAsync(email, fold.CustomerId, cancellationToken);
            }
            await tags.RemoveMembersAsync(fold.CustomerId, fold.AutoTagsBefore.Except(fold.AutoTagsAfter), cancellationToken);
        }
    }

    private static bool SameEmail(string a, string? b) => b is not null && CustomerRules.NormalizeEmail(a) == CustomerRules.NormalizeEmail(b);

    /// <summary>Releases what a fold claimed when it could not be committed.</summary>
    internal async Task AbandonAsync(CustomerFold fold, CancellationToken cancellationToken)
    {
        foreach (var (email, _) in fold.Claimed)
        {
            await _index.ReleaseEmailAsync(email, fold.CustomerId, cancellationToken);
        }
    }

    /// <summary>
    /// Applies one customer's events alone: fold, the order month rows and analytics marks, commit,
    /// again from a fresh read (without the events found applied) until it goes through.
    /// </summary>
    /// <param name="checkApplied">Look for events applied before from the start (a commit found one), not only once a commit finds one.</param>
    internal async Task<CustomerFold> ApplyAloneAsync(
        string customerId, IReadOnlyList<StoreEvent> events, bool throwOnReject, bool checkApplied, CancellationToken cancellationToken, CustomerFold? baseline = null)
    {
        CustomerFold? last = null;
        try
        {
            return await OptimisticRetry.RunAsync(async _ =>
            {
                // Only a redelivered batch (or the same event in two batches) reads the markers: then it is worth it.
                var applied = checkApplied ? await AppliedAsync(customerId, events, cancellationToken) : new HashSet<string>(StringComparer.Ordinal);
                var fold = last = await FoldAsync(customerId, events, applied, throwOnReject, cancellationToken, baseline);
                await WriteOutsideAsync([fold], cancellationToken);
                if (!await CommitAsync(fold, cancellationToken))
                {
                    checkApplied |= fold.FoundApplied || fold.Chunks.Any(c => c.Committed);
                    if (fold.Chunks.Any(c => c.Committed))
                    {
                        baseline ??= fold;
                    }
                    throw new ConcurrencyException();
                }
                await FinishAsync([fold], cancellationToken);
                return fold;
            }, cancellationToken: cancellationToken);
        }
        catch (ConcurrencyException) when (last is not null)
        {
            await AbandonAsync(last, cancellationToken);
            throw;
        }
    }

    /// <summary>
    /// The writes of a batch outside the customers' partitions, made before the partitions are
    /// committed so that a crash in between loses nothing (they are upserts, harmless when repeated):
    /// the orders' month rows, grouped by month into transactions, the months and customers to
    /// rebuild in the analytical copy, one mark each.
    /// </summary>
    internal async Task WriteOutsideAsync(IReadOnlyCollection<CustomerFold> folds, CancellationToken cancellationToken)
    {
        var touched = folds.SelectMany(f => f.Orders.Values).Select(o => o.Order).ToList();
        await orders.WriteMonthRowsAsync(touched, cancellationToken);
        foreach (var month in touched.Select(o => MonthOrderEntity.Month(o.PlacedAt)).Distinct())
        {
            await analytics.MarkChangedAsync(month, cancellationToken);
        }
        await CustomerFeatures.MarkChangedAsync(storage, folds.Where(f => f.Chunks.Count > 0).Select(f => f.CustomerId).ToList(), cancellationToken);
    }

    private async Task<HashSet<string>> AppliedAsync(string customerId, IReadOnlyList<StoreEvent> events, CancellationToken cancellationToken)
    {
        var table = storage.Table(StorageNames.Tables.Customers);
        var found = await Task.WhenAll(events.Select(async e =>
            await table.FindAsync<EventMarkerEntity>(customerId, CustomerKeys.Event(e.Id), cancellationToken) is null ? null : e.Id));
        return found.OfType<string>().ToHashSet(StringComparer.Ordinal);
    }

    private async Task ApplyProfileAsync(CardEntity card, StoreEvent e, CustomerFold fold, List<TimelineEntry> entries, CancellationToken cancellationToken)
    {
        var fields = EventValidator.CustomerData(e);
        var now = time.GetUtcNow();
        Customer? before = card.HasProfile ? card.ToCustomer() : null;
        if (before is not null && card.LastEventAt is { } last && e.OccurredAt < last)
        {
            return; // An older event changes nothing, but is recorded as applied.
        }
        var after = ProfileChanges.Build(before, before is null ? fields with { CustomerSince = fields.CustomerSince ?? e.OccurredAt } : fields, now);
        if (ProfileChanges.EmailChanged(before, after))
        {
            if (await _index.ClaimEmailAsync(after, cancellationToken) is { } owner)
            {
                // A store event cannot be refused: keep the old email and say why on the timeline.
                after = after with { Email = before?.Email };
                entries.Add(ProfileChanges.EmailTakenEntry(e.CustomerId, owner, e.OccurredAt));
            }
            else
            {
                fold.Claimed.Add((after.Email!, CustomerSummary.From(after)));
            }
        }
        if (before is null)
        {
            entries.Insert(0, ProfileChanges.AccountEntry(e.CustomerId, "Customer created", "store", e.OccurredAt, e.Id));
            card.SetProfile(after, e.OccurredAt);
            return;
        }
        var changed = ProfileChanges.ChangedFields(before, after);
        if (changed.Count == 0)
        {
            card.LastEventAt = e.OccurredAt;
            return;
        }
        entries.Insert(0, ProfileChanges.AccountEntry(e.CustomerId, "Profile updated: " + string.Join(", ", changed), "store", e.OccurredAt, e.Id));
        card.SetProfile(after, e.OccurredAt);
    }

    /// <summary>Folds an order event; returns the order before and after, and true when the metrics need every order re-read.</summary>
    private async Task<(Order? Before, Order After, bool Recount)> ApplyOrderAsync(CardEntity card, StoreEvent e, CustomerFold fold, FoldChunk chunk, List<TimelineEntry> entries, CancellationToken cancellationToken)
    {
        var input = EventValidator.OrderData(e);
        var incoming = input.ToOrder(new Validation());
        long? refund = e.Type == EventTypes.OrderRefunded && input.RefundedAmount is not null ? incoming.RefundedCents : null;
        var (current, placedAt) = await CurrentOrderAsync(card, fold, incoming, e.CustomerId, cancellationToken);
        var (merged, version) = OrderMerge.Apply(
            current?.Order, current is null ? null : (current.DataAt, current.DataEventId),
            incoming with { CustomerId = e.CustomerId, PlacedAt = placedAt }, OrderMerge.StatusOf(e.Type), e.OccurredAt, e.Id, refund);
        var metrics = card.ToMetrics().Replace(current?.Order, merged);
        if (metrics is not null)
        {
            card.Set(metrics);
        }
        fold.Orders[merged.Id] = new CardOrder(merged, version.At, version.EventId);
        chunk.OrderIds.Add(merged.Id);
        if (e.Type == EventTypes.OrderPlaced && card.CartOpen)
        {
            card.SetCart(e.OccurredAt, open: false);
        }
        entries.Add(new TimelineEntry(e.Id, e.CustomerId, TimelineType.Order, EventEffects.OrderTitle(e.Type, merged, refund), e.OccurredAt, "store", $"/api/orders/{merged.Id}", null));
        return (current?.Order, merged, metrics is null);
    }

    /// <summary>
    /// The order as kept so far (from this fold, the card or its row) and the placement time its row
    /// is keyed by; a new order is claimed in the order locator first, and one that belongs to
    /// another customer is refused.
    /// </summary>
    private async Task<(CardOrder? Current, DateTimeOffset PlacedAt)> CurrentOrderAsync(
        CardEntity card, CustomerFold fold, Order incoming, string customerId, CancellationToken cancellationToken)
    {
        if (fold.Orders.TryGetValue(incoming.Id, out var folded))
        {
            return (folded, folded.Order.PlacedAt);
        }
        if (card.RecentOrderList().Find(o => o.Order.Id == incoming.Id) is { LinesLeftOut: false } recent)
        {
            return (recent, recent.Order.PlacedAt);
        }
        var location = await orders.ClaimAsync(incoming.Id, customerId, incoming.PlacedAt, cancellationToken);
        if (location.CustomerId != customerId)
        {
            throw new ValidationFailedException("customerId", $"Order '{incoming.Id}' belongs to another customer.");
        }
        // A freshly claimed order has no row yet; one claimed before (by an earlier attempt, or known
        // to the customer but no longer among the card's newest) is read.
        var row = location.Claimed ? null : await orders.FindRowAsync(customerId, location.PlacedAt, incoming.Id, cancellationToken);
        return (row, location.PlacedAt);
    }

    /// <summary>Ends a transaction's worth of events: metrics re-read when needed, health and auto-tags, the card's lists, a snapshot of the card.</summary>
    private async Task CloseAsync(CardEntity card, CustomerFold fold, FoldChunk chunk, bool recount, CancellationToken cancellationToken)
    {
        if (recount)
        {
            var all = (await orders.AllForCustomerAsync(fold.CustomerId, cancellationToken)).ToDictionary(o => o.Id);
            foreach (var (id, order) in fold.Orders)
            {
                all[id] = order.Order;
            }
            card.Set(CustomerMetrics.FromOrders(all.Values));
        }
        var now = time.GetUtcNow();
        var (added, removed) = CustomerCard.Refresh(card, now);
        chunk.Entries.AddRange(CustomerCard.TagEntries(fold.CustomerId, added, removed, now));
        foreach (var id in chunk.OrderIds)
        {
            var order = fold.Orders[id];
            CustomerCard.PutOrder(card, order);
            chunk.Rows.Add(new(TableTransactionActionType.UpsertReplace, OrderEntity.From(order.Order, (order.DataAt, order.DataEventId))));
        }
        CustomerCard.AddActivity(card, chunk.Entries);
        card.UpdatedAt = now;
        chunk.Card = card.Snapshot();
        fold.Chunks.Add(chunk);
    }
}
