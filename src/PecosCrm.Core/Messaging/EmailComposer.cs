using System.Net;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Messaging.Templates;

namespace PecosCrm.Core.Messaging;

/// <summary>
/// Makes the content of one email: a template rendered for the customer (with their signed
/// unsubscribe and preference links, the order when one is named, and any extra variables), or
/// content written by hand, sent as given with a text body made from the HTML when it has none.
/// A template's category decides the purpose unless the request says otherwise: marketing
/// templates are marketing email, the rest transactional.
/// </summary>
public sealed class EmailComposer(TemplateService templates, SignedLinks links) : IEmailComposer
{
    public async Task<EmailContent> ComposeAsync(EmailRequest request, Customer customer, string messageId, CancellationToken cancellationToken)
    {
        if (request.TemplateId is not { } templateId)
        {
            var html = request.Html ?? WebUtility.HtmlEncode(request.Text ?? "").Replace("\n", "<br>\n", StringComparison.Ordinal);
            return new EmailContent(request.Subject!, html, request.Text ?? HtmlText.Convert(html), null, null, request.Purpose ?? MessagePurpose.Transactional);
        }
        var signed = new TemplateLinks(links.Unsubscribe(customer.Id, messageId), links.Preferences(customer.Id, messageId));
        TemplateModel model;
        RenderedEmail rendered;
        try
        {
            model = await templates.ForCustomerAsync(customer.Id, signed, request.OrderId, request.Variables, cancellationToken);
            rendered = await templates.RenderAsync(templateId, model, cancellationToken);
        }
        catch (NotFoundException ex)
        {
            throw new ValidationFailedException(ex.Message.Contains("rder", StringComparison.Ordinal) ? "orderId" : "templateId", ex.Message);
        }
        catch (ArgumentException ex)
        {
            throw new ValidationFailedException("variables", ex.Message);
        }
        var purpose = request.Purpose ?? (rendered.Category == TemplateCategory.Marketing ? MessagePurpose.Marketing : MessagePurpose.Transactional);
        return new EmailContent(rendered.Subject, rendered.Html, rendered.Text, rendered.TemplateId, rendered.Version, purpose);
    }
}
