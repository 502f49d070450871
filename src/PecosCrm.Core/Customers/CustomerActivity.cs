namespace PecosCrm.Core.Customers;

/// <summary>
/// Re-evaluates what moves with the passing of time alone (the health score, the churn risk and
/// through them the auto-tags New Customer and At Risk) and stores the customer's RFM code: one
/// read of the card, and a write only when something changed.
/// </summary>
public sealed class CustomerActivity(CustomerCards cards, TagStore tags, TimeProvider time)
{
    /// <summary>Returns true when something changed.</summary>
    public async Task<bool> RefreshAsync(string customerId, string? rfmCode = null, CancellationToken cancellationToken = default)
    {
        IReadOnlySet<string> before = new HashSet<string>();
        IReadOnlySet<string> after = before;
        var changed = false;
        var now = time.GetUtcNow();
        await cards.ChangeAsync(customerId, card =>
        {
            changed = false;
            if (card.ETag == default)
            {
                return null; // No card: nothing known about the customer yet.
            }
            before = card.AutoTagSet();
            var score = card.HealthScore;
            var risk = card.ChurnRisk;
            var (added, removed) = CustomerCard.Refresh(card, now);
            DateTimeOffset? rfmScoredAt = rfmCode is null ? null : card.RfmCode == rfmCode ? card.RfmScoredAt ?? now : now;
            if (added.Count == 0 && removed.Count == 0 && card.RfmCode == rfmCode && card.RfmScoredAt == rfmScoredAt && card.HealthScore == score && card.ChurnRisk == risk)
            {
                return null;
            }
            card.RfmCode = rfmCode;
            card.RfmScoredAt = rfmScoredAt;
            after = card.AutoTagSet();
            changed = true;
            return new CardChange([], [.. CustomerCard.TagEntries(customerId, added, removed, now)], FeaturesChanged: true);
        }, cancellationToken);
        if (changed && !before.SetEquals(after))
        {
            await tags.SyncMembersAsync(customerId, before, after, now, cancellationToken);
        }
        return changed;
    }
}
