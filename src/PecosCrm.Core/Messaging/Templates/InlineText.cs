using PecosCrm.Core.Customers;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Messaging.Templates;

/// <summary>
/// Text written in place rather than saved as a template: a one-off email's subject and bodies, a
/// campaign's subject, A/B subjects and bodies, an automation's email step and task title. It is
/// rendered by the same engine and variable catalogue as templates (<see cref="TemplateRenderer"/>,
/// <see cref="TemplateVariables"/>), and checked the same way when it is saved: an unknown variable
/// or a broken tag is a validation error naming the field and the variable.
/// </summary>
public static class InlineText
{
    private static readonly TemplateRenderer Checker = new();

    /// <summary>Whether the text has any tag at all; text without one is sent as it is.</summary>
    public static bool HasTags(string? text) => text is not null && text.Contains("{{", StringComparison.Ordinal);

    /// <summary>Adds an error on <paramref name="field"/> for everything that would not render (unknown variables, broken tags).</summary>
    public static Validation Check(Validation check, string field, string? text, bool html = false)
    {
        if (HasTags(text))
        {
            foreach (var problem in TemplateRules.Problems(Checker, text!, html))
            {
                check.Add(field, problem);
            }
        }
        return check;
    }

    /// <summary>Whether the text shows the points balance, which costs a read to fill.</summary>
    internal static bool NeedsPoints(params string?[] texts) => texts.Any(t => t is not null && t.Contains("loyalty.", StringComparison.Ordinal));
}

/// <summary>Email content written in place, rendered for one customer.</summary>
public sealed record InlineEmail(string Subject, string? Html, string? Text);

/// <summary>
/// Renders text written in place for one customer, with the same values a template gets
/// (<see cref="TemplateService.ForCustomerAsync(string, TemplateLinks, string?, IReadOnlyDictionary{string, object?}?, CancellationToken)"/>):
/// the entry point for everything that reaches a customer or a staff member without a template.
/// </summary>
public sealed class InlineTextRenderer(TemplateService templates, TemplateRenderer renderer, CustomerStore customers)
{
    /// <summary>
    /// Subject and bodies for one customer; the subject comes out as one line. Throws
    /// <see cref="ValidationFailedException"/> when the text does not render (checked on
    /// <c>subject</c>, <c>html</c>, <c>text</c>), the order is not the customer's (<c>orderId</c>) or a
    /// variable is not in the catalogue (<c>variables</c>).
    /// </summary>
    public async Task<InlineEmail> EmailAsync(
        Customer customer, TemplateLinks links, string subject, string? html, string? text, string? orderId,
        IReadOnlyDictionary<string, object?>? extra, CancellationToken cancellationToken)
    {
        var check = new Validation();
        InlineText.Check(check, "subject", subject);
        InlineText.Check(check, "html", html, html: true);
        InlineText.Check(check, "text", text);
        check.ThrowIfInvalid();
        if (!InlineText.HasTags(subject) && !InlineText.HasTags(html) && !InlineText.HasTags(text))
        {
            return new InlineEmail(subject, html, text);
        }
        var model = await ModelAsync(customer, links, orderId, extra, InlineText.NeedsPoints(subject, html, text), cancellationToken);
        return new InlineEmail(
            TemplateRenderer.OneLine(renderer.RenderInline(subject, html: false, model)),
            html is null ? null : renderer.RenderInline(html, html: true, model),
            text is null ? null : renderer.RenderInline(text, html: false, model));
    }

    /// <summary>One line of plain text (a task title, an SMS) for a customer; unknown customers render the text without their values.</summary>
    public async Task<string> TextAsync(string text, string customerId, IReadOnlyDictionary<string, object?>? extra, CancellationToken cancellationToken) =>
        InlineText.HasTags(text) ? await TextAsync(text, await customers.FindAsync(customerId, cancellationToken), extra, cancellationToken) : text;

    /// <summary>As above for a customer already read (null: none).</summary>
    public async Task<string> TextAsync(string text, Customer? customer, IReadOnlyDictionary<string, object?>? extra, CancellationToken cancellationToken)
    {
        if (!InlineText.HasTags(text))
        {
            return text;
        }
        var check = new Validation();
        InlineText.Check(check, "text", text);
        check.ThrowIfInvalid();
        var model = customer is null
            ? TemplateModel.Empty
            : await ModelAsync(customer, TemplateLinks.Placeholder, null, extra, InlineText.NeedsPoints(text), cancellationToken);
        return renderer.RenderInline(text, html: false, model);
    }

    /// <summary>Renders a subject written in place over a template's model (an A/B subject on a template campaign).</summary>
    public string Subject(string subject, TemplateModel model) => TemplateRenderer.OneLine(renderer.RenderInline(subject, html: false, model));

    private async Task<TemplateModel> ModelAsync(
        Customer customer, TemplateLinks links, string? orderId, IReadOnlyDictionary<string, object?>? extra, bool withPoints, CancellationToken cancellationToken)
    {
        try
        {
            return await templates.ForCustomerAsync(customer, links, orderId, extra, withPoints, cancellationToken);
        }
        catch (NotFoundException ex)
        {
            throw new ValidationFailedException("orderId", ex.Message);
        }
        catch (ArgumentException ex)
        {
            throw new ValidationFailedException("variables", ex.Message);
        }
    }
}
