using PecosCrm.Core.Customers;

namespace PecosCrm.Core.Messaging;

/// <summary>Unsubscribes from the signed link in a marketing email: the address suppressed, the preference set, the message and its observers told.</summary>
public sealed class Unsubscribes(
    SignedLinks links, CustomerStore customers, Suppressions suppressions, Preferences preferences, MessageStore log,
    IEnumerable<IMessageEventObserver> observers, TimeProvider time)
{
    /// <summary>A one-click or confirmed unsubscribe from a signed link: marketing email stops for the address and the customer.</summary>
    public async Task<Customer?> UnsubscribeAsync(string token, CancellationToken cancellationToken = default)
    {
        if (links.Verify(token) is not var (customerId, messageId))
        {
            return null;
        }
        var customer = await customers.FindAsync(customerId, cancellationToken);
        if (customer is null)
        {
            return null;
        }
        if (customer.Email is { Length: > 0 } email)
        {
            await suppressions.AddAsync(Channel.Email, email, SuppressionReason.Unsubscribed, "unsubscribe-link", time.GetUtcNow(), cancellationToken);
        }
        await preferences.SetAsync(customerId, false, null, null, "customer", cancellationToken);
        var (message, _) = await log.UpdateAsync(customerId, messageId, m => true, m => $"Unsubscribed from marketing email: {m.Subject}", cancellationToken);
        if (message is not null)
        {
            foreach (var observer in observers)
            {
                await observer.OnUnsubscribedAsync(message.ToRecord(), time.GetUtcNow(), cancellationToken);
            }
        }
        return customer;
    }
}
