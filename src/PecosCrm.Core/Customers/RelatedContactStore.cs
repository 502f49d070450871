using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Customers;

/// <summary>
/// Links between customers, kept on both customers' cards. The two cards are changed one after
/// the other (two partitions cannot share a transaction); both changes are idempotent, so repeating
/// a link or an unlink after a failure completes it.
/// </summary>
public sealed class RelatedContactStore(CustomerCards cards, CustomerStore customers, TimeProvider time)
{
    public async Task<RelatedContact> LinkAsync(string customerId, string? otherId, Relationship? relationship, string? note, string actor, CancellationToken cancellationToken = default)
    {
        var check = new Validation();
        if (string.IsNullOrWhiteSpace(otherId))
        {
            check.Add("customerId", "is required: the customer to link.");
        }
        else if (otherId == customerId)
        {
            check.Add("customerId", "cannot link a customer to themselves.");
        }
        if (relationship is null or Relationship.GiftGiver)
        {
            check.Add("relationship", "is required: family, business_associate, gift_recipient or other.");
        }
        check.MaxLength("note", note, 500).ThrowIfInvalid();

        var self = await customers.GetAsync(customerId, cancellationToken);
        var other = await customers.FindAsync(otherId!, cancellationToken)
            ?? throw new ValidationFailedException("customerId", $"Customer '{otherId}' does not exist.");
        var now = time.GetUtcNow();
        var inverse = relationship == Relationship.GiftRecipient ? Relationship.GiftGiver : relationship!.Value;
        var link = new RelatedContact(other.Id, other.FullName, other.Email, relationship.Value, note, actor, now);
        await PutAsync(self.Id, link, cancellationToken);
        await PutAsync(other.Id, new RelatedContact(self.Id, self.FullName, self.Email, inverse, note, actor, now), cancellationToken);
        return link;
    }

    public async Task<bool> UnlinkAsync(string customerId, string otherId, CancellationToken cancellationToken = default)
    {
        await customers.GetAsync(customerId, cancellationToken);
        var existed = await RemoveAsync(customerId, otherId, cancellationToken);
        if (KeyRules.IsValidKey(otherId))
        {
            await RemoveAsync(otherId, customerId, cancellationToken);
        }
        return existed;
    }

    public async Task<IReadOnlyList<RelatedContact>> ListAsync(string customerId, CancellationToken cancellationToken = default) =>
        (await cards.GetAsync(customerId, cancellationToken)).RelatedList();

    /// <summary>Customers who share a shipping address with this one and are not linked yet.</summary>
    public async Task<IReadOnlyList<CustomerSummary>> SuggestAsync(string customerId, CancellationToken cancellationToken = default)
    {
        var card = await cards.GetAsync(customerId, cancellationToken);
        var linked = card.RelatedList().Select(r => r.CustomerId).ToHashSet();
        return (await customers.SharingAddressAsync(card.ToCustomer(), cancellationToken)).Where(s => !linked.Contains(s.Id)).ToList();
    }

    /// <summary>Takes a customer off another's card (when the customer is erased).</summary>
    internal Task ForgetAsync(string customerId, string otherId, CancellationToken cancellationToken) => RemoveAsync(customerId, otherId, cancellationToken);

    private Task PutAsync(string customerId, RelatedContact contact, CancellationToken cancellationToken) =>
        cards.ChangeAsync(customerId, card =>
        {
            CustomerCard.PutRelated(card, contact);
            return CardChange.Card(featuresChanged: false);
        }, cancellationToken);

    private async Task<bool> RemoveAsync(string customerId, string otherId, CancellationToken cancellationToken)
    {
        var removed = false;
        await cards.ChangeAsync(customerId, card => (removed = CustomerCard.RemoveRelated(card, otherId)) ? CardChange.Card(featuresChanged: false) : null, cancellationToken);
        return removed;
    }
}
