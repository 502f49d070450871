using PecosCrm.Core.Customers;

namespace PecosCrm.Core.Messaging;

/// <summary>Turns a request into content for one customer and one message (templates plug in here).</summary>
public interface IEmailComposer
{
    /// <summary>The content of the email; <paramref name="customer"/> is the one read for the whole send, not read again.</summary>
    Task<EmailContent> ComposeAsync(EmailRequest request, Customer customer, string messageId, CancellationToken cancellationToken);
}
