using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Events;
using PecosCrm.Core.Orders;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Loyalty;

/// <summary>
/// Loyalty on the store-event path: an order or review event applied to a customer's card earns or
/// reverses points on the account the card holds, and the ledger entries join the rows of the same
/// transaction. So points cost the event path no storage call of their own: the card is read and
/// written anyway, the catalogue comes from a cached snapshot, and the event's marker makes the
/// entries as exactly-once as the event. What happened is collected as notices, published once the
/// transaction is committed.
/// </summary>
public sealed class LoyaltyFold(StorageAccount storage, CatalogueStore catalogue, StoreTime storeTime, IOptions<LoyaltyOptions> options, TimeProvider time)
{
    public Task<LoyaltyCatalogue> CatalogueAsync(CancellationToken cancellationToken) => catalogue.SnapshotAsync(cancellationToken);

    /// <summary>
    /// An order event folded onto the card (its metrics already moved); <paramref name="ordersBefore"/>
    /// is the order count before it. The only read it may make: the order's points row, for a refund
    /// or cancellation of an order the account no longer lists.
    /// </summary>
    internal async Task OnOrderAsync(LoyaltyCatalogue rules, CardEntity card, Order? before, Order after, StoreEvent e, int ordersBefore, List<TableTransactionAction> rows, List<TimelineEntry> entries, List<LoyaltyNotice> notices, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var d = new LedgerDraft(card.PartitionKey, LoyaltyCard.Read(card), now);
        var facts = LoyaltyCard.Facts(card, storeTime, now);
        var wasKnown = d.Account.Orders.ContainsKey(after.Id);
        var stored = !wasKnown && before is { Counts: true } && (after.RefundedCents != before.RefundedCents || after.IsCancelled != before.IsCancelled)
            ? await OrderPointsEntity.FindAsync(storage.Table(StorageNames.Tables.Customers), card.PartitionKey, after.Id, cancellationToken)
            : null;
        LoyaltyDecisions.Order(d, rules, options.Value, before, after, e.Id, storeTime.Date(after.PlacedAt), facts with { OrderCount = ordersBefore }, stored);
        if (!wasKnown && before is not { Counts: true } && after.Counts && d.Account.ReferredBy is { } referral)
        {
            // The referred friend's first order: the referral is credited once this commits.
            d.Account = d.Account with { ReferredBy = null };
            d.Notices.Add(LoyaltyNotice.Of(LoyaltyNotice.ReferralPurchase, card.PartitionKey, new { referral.ReferralId, referral.ReferrerId, orderId = after.Id }));
        }
        Finish(d, rules, card, facts, e.OccurredAt, rows, entries, notices);
    }

    /// <summary>An engagement event folded onto the card: a review earns the review rule's points.</summary>
    internal void OnEngagement(LoyaltyCatalogue rules, CardEntity card, StoreEvent e, List<TableTransactionAction> rows, List<TimelineEntry> entries, List<LoyaltyNotice> notices)
    {
        if (e.Type != EventTypes.ReviewSubmitted)
        {
            return;
        }
        var now = time.GetUtcNow();
        var d = new LedgerDraft(card.PartitionKey, LoyaltyCard.Read(card), now);
        LoyaltyDecisions.Bonus(d, rules.Rule(EarningRules.Review), "review-" + e.Id, "Product review", "review:" + e.Id, "store", storeTime.Date(e.OccurredAt));
        Finish(d, rules, card, LoyaltyCard.Facts(card, storeTime, now), e.OccurredAt, rows, entries, notices);
    }

    private void Finish(LedgerDraft d, LoyaltyCatalogue rules, CardEntity card, MemberFacts facts, DateTimeOffset at, List<TableTransactionAction> rows, List<TimelineEntry> entries, List<LoyaltyNotice> notices)
    {
        LoyaltyDecisions.Tier(d, options.Value, facts);
        LoyaltyDecisions.Achievements(d, rules, facts);
        if (!d.Changed)
        {
            return;
        }
        LoyaltyCard.Write(card, d.Account);
        // Upserts: the event's marker already makes them once-only, and an entry of an order the
        // account no longer lists (past the orders it keeps) must not fail the whole event.
        rows.AddRange(d.Rows(TableTransactionActionType.UpsertReplace));
        entries.AddRange(d.Timeline(at));
        notices.AddRange(d.Finish());
    }
}
