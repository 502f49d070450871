namespace PecosCrm.Core.Customers;

/// <summary>
/// What the support desk tells a customer's card: a ticket event on the timeline, and how many of
/// their tickets are open now, which feeds the health score's support component and the churn risk.
/// The count is set, not added to, and the entry id is the caller's, so a retried call changes nothing.
/// </summary>
public sealed class CustomerSupport(CustomerCards cards, TagStore tags, TimeProvider time)
{
    /// <summary>Records the entry and the open count; a customer without a card is left alone.</summary>
    public async Task RecordAsync(string customerId, int openTickets, string entryId, string title, DateTimeOffset at, string actor, string link, CancellationToken cancellationToken = default)
    {
        IReadOnlySet<string> before = new HashSet<string>();
        IReadOnlySet<string> after = before;
        var now = time.GetUtcNow();
        await cards.ChangeAsync(customerId, card =>
        {
            if (card.ETag == default || !card.HasProfile)
            {
                return null;
            }
            before = card.AutoTagSet();
            card.OpenSupportIssues = openTickets;
            var (added, removed) = CustomerCard.Refresh(card, now);
            after = card.AutoTagSet();
            TimelineEntry entry = new(entryId, customerId, TimelineType.Support, title, at, actor, link, null);
            return new CardChange([], [entry, .. CustomerCard.TagEntries(customerId, added, removed, now)], FeaturesChanged: true);
        }, cancellationToken);
        if (!before.SetEquals(after))
        {
            await tags.SyncMembersAsync(customerId, before, after, now, cancellationToken);
        }
    }
}
