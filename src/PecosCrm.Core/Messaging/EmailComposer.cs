using System.Net;
using System.Text.RegularExpressions;
using PecosCrm.Core.Customers;

namespace PecosCrm.Core.Messaging;

/// <summary>Content written by hand: sent as given; a missing text body is made from the HTML.</summary>
public sealed partial class EmailComposer : IEmailComposer
{
    public Task<EmailContent> ComposeAsync(EmailRequest request, Customer customer, string messageId, CancellationToken cancellationToken)
    {
        if (request.TemplateId is not null)
        {
            throw new ValidationFailedException("templateId", "templates are not available here.");
        }
        var html = request.Html ?? WebUtility.HtmlEncode(request.Text ?? "").Replace("\n", "<br>\n", StringComparison.Ordinal);
        var text = request.Text ?? TextOf(html);
        return Task.FromResult(new EmailContent(request.Subject!, html, text, null, null, request.Purpose ?? MessagePurpose.Transactional));
    }

    public static string TextOf(string html) =>
        WebUtility.HtmlDecode(Tags().Replace(Breaks().Replace(html, "\n"), "")).Trim();

    [GeneratedRegex("<(br|/p|/div|/h[1-6]|/li|/tr)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex Breaks();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tags();
}
