using PecosCrm.Core.Customers;

namespace PecosCrm.Core.Messaging;

/// <summary>
/// Whether a message may go to a customer now: marketing needs the channel's consent (on the
/// customer already read), no address may be suppressed (<see cref="Suppressions"/>), and transactional
/// email needs the customer not to have turned it off (<see cref="Preferences"/>). Checked when a
/// message is logged and again just before it is sent. Reads: the suppression row of the address;
/// for transactional email, the customer's preferences row. Never the customer's card: the caller
/// hands over the customer it read.
/// </summary>
public sealed class MessageConsent(Suppressions suppressions, Preferences preferences)
{
    public const string TransactionalOff = "the customer turned off transactional email";

    /// <summary>Why the message may not go to the customer now, or null.</summary>
    public async Task<string?> BlockedAsync(Customer customer, Channel channel, MessagePurpose purpose, CancellationToken cancellationToken)
    {
        if (await suppressions.BlockedAsync(customer, channel, purpose, cancellationToken) is { } reason)
        {
            return reason;
        }
        return AsksPreference(channel, purpose) && !await preferences.TransactionalAsync(customer.Id, cancellationToken) ? TransactionalOff : null;
    }

    /// <summary>Only transactional email can be turned off in the preferences; marketing is the profile's consent.</summary>
    public static bool AsksPreference(Channel channel, MessagePurpose purpose) => channel == Channel.Email && purpose == MessagePurpose.Transactional;
}
