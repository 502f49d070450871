using PecosCrm.Core.Customers;
using PecosCrm.Core.Messaging.Templates;

namespace PecosCrm.Core.Messaging;

/// <summary>Turns a request into content for one customer and one message (templates plug in here).</summary>
public interface IEmailComposer
{
    /// <summary>The content of the email; <paramref name="customer"/> is the one read for the whole send, not read again.</summary>
    Task<EmailContent> ComposeAsync(EmailRequest request, Customer customer, string messageId, CancellationToken cancellationToken, EmailTemplate? preloaded = null);

    /// <summary>
    /// The current version of an active template, read once for many emails (a campaign's slice) and
    /// passed back to <see cref="ComposeAsync"/>; null when there is none to read, or when reading it
    /// fails, so that composing reports the failure as it would without it.
    /// </summary>
    Task<EmailTemplate?> PreloadAsync(string? templateId, CancellationToken cancellationToken);
}
