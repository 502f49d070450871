using System.Net;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Messaging.Templates;
using PecosCrm.Core.Predictive;

namespace PecosCrm.Core.Messaging;

/// <summary>
/// Makes the content of one email: a template rendered for the customer (with their signed
/// unsubscribe and preference links, the order when one is named, and any extra variables), or
/// content written by hand, rendered by the same engine with the same values (so
/// <c>{{customer.first_name}}</c> is filled either way), with a text body made from the HTML when it
/// has none. A subject given with a template (an A/B variant) replaces the template's and is rendered
/// the same way. A template's category decides the purpose unless the request says otherwise:
/// marketing templates are marketing email, the rest transactional. Reads: the template once (its
/// current version, unless it comes in already read), the order when one is named, the points
/// balance only when the text shows it, the customer's recommendations (from the analytics session,
/// in memory) only when the text names them; never the customer, who comes in already read.
/// </summary>
public sealed class EmailComposer(TemplateService templates, TemplateRenderer renderer, InlineTextRenderer inline, SignedLinks links, Recommendations recommendations) : IEmailComposer
{
    public async Task<EmailTemplate?> PreloadAsync(string? templateId, CancellationToken cancellationToken)
    {
        if (templateId is null)
        {
            return null;
        }
        try
        {
            return await templates.ActiveAsync(templateId, cancellationToken);
        }
        catch (Exception ex) when (ex is NotFoundException or ConflictException)
        {
            return null;
        }
    }

    public async Task<EmailContent> ComposeAsync(EmailRequest request, Customer customer, string messageId, CancellationToken cancellationToken, EmailTemplate? preloaded = null)
    {
        var signed = new TemplateLinks(links.Unsubscribe(customer.Id, messageId), links.Preferences(customer.Id, messageId));
        if (request.TemplateId is not { } templateId)
        {
            var inlineExtra = RecommendationVariables.Used(request.Subject, request.Html, request.Text)
                ? await RecommendationVariables.AddAsync(recommendations, request.Variables, customer.Id, cancellationToken)
                : request.Variables;
            var written = await inline.EmailAsync(customer, signed, request.Subject!, request.Html, request.Text, request.OrderId, inlineExtra, cancellationToken);
            var html = written.Html ?? WebUtility.HtmlEncode(written.Text ?? "").Replace("\n", "<br>\n", StringComparison.Ordinal);
            return new EmailContent(written.Subject, html, written.Text ?? HtmlText.Convert(html), null, null, request.Purpose ?? MessagePurpose.Transactional);
        }
        if (request.Subject is { } subjectOverride)
        {
            var check = InlineText.Check(new Validation(), "subject", subjectOverride);
            check.ThrowIfInvalid();
        }
        TemplateModel model;
        RenderedEmail rendered;
        try
        {
            var template = preloaded is { } read && read.Id == templateId ? read : await templates.ActiveAsync(templateId, cancellationToken);
            var withPoints = InlineText.NeedsPoints(template.Subject, template.Html, template.Text, request.Subject);
            var extra = RecommendationVariables.Used(template.Subject, template.Html, template.Text)
                ? await RecommendationVariables.AddAsync(recommendations, request.Variables, customer.Id, cancellationToken)
                : request.Variables;
            model = await templates.ForCustomerAsync(customer, signed, request.OrderId, extra, withPoints, cancellationToken);
            rendered = renderer.Render(template, model);
        }
        catch (NotFoundException ex)
        {
            throw new ValidationFailedException(ex.EntityType == "Order" ? "orderId" : "templateId", ex.Message);
        }
        catch (ArgumentException ex)
        {
            throw new ValidationFailedException("variables", ex.Message);
        }
        var subject = request.Subject is { } written2 ? inline.Subject(written2, model) : rendered.Subject;
        var purpose = request.Purpose ?? (rendered.Category == TemplateCategory.Marketing ? MessagePurpose.Marketing : MessagePurpose.Transactional);
        return new EmailContent(subject, rendered.Html, rendered.Text, rendered.TemplateId, rendered.Version, purpose);
    }
}
