using Microsoft.Extensions.Options;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Orders;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Messaging.Templates;

/// <summary>
/// Email templates: creates and edits them (each content change a new version, every source
/// checked against the variable catalogue), renders them for a recipient, and builds the
/// recipient's variable values from the customer, their order and the store.
/// </summary>
public sealed class TemplateService(
    TemplateStore store, TemplateRenderer renderer, CustomerStore customers, OrderStore orders, IOptions<StoreOptions> storeOptions, StoreTime storeTime, Loyalty.PointsLedger points, TimeProvider time)
{
    /// <summary>Creates a template; <paramref name="id"/> and <paramref name="preBuilt"/> are for the seeded defaults.</summary>
    public async Task<EmailTemplate> CreateAsync(
        TemplateDraft draft, string actor, CancellationToken cancellationToken = default, string? id = null, bool preBuilt = false)
    {
        var check = new Validation();
        check.Required("name", draft.Name, TemplateRules.MaxName);
        if (draft.Category is null)
        {
            check.Add("category", "is required: one of order, service, marketing, transactional, personal.");
        }
        var (text, derived) = CheckContent(check, draft.Subject, draft.Html, draft.Text);
        check.ThrowIfInvalid();

        var now = time.GetUtcNow();
        var entity = new TemplateEntity
        {
            Id = id ?? Ids.New(time),
            Name = draft.Name!.Trim(),
            Category = draft.Category!.Value,
            Subject = draft.Subject!,
            Html = draft.Html!,
            Text = text,
            TextDerived = derived,
            Active = draft.Active ?? true,
            Version = 1,
            PreBuilt = preBuilt,
            CreatedBy = actor,
            CreatedAt = now,
            UpdatedAt = now,
            SavedBy = actor,
            SavedAt = now,
        };
        return await store.AddAsync(entity, cancellationToken);
    }

    /// <summary>
    /// Changes a template. A change of name, category, subject or a body makes a new version; a
    /// change of the active flag alone does not. A change that changes nothing writes nothing.
    /// </summary>
    public async Task<(EmailTemplate Before, EmailTemplate After)> UpdateAsync(
        string id, TemplateChange change, string? ifMatch, string actor, CancellationToken cancellationToken = default)
    {
        var current = await store.GetEntityAsync(id, cancellationToken);
        TableClientExtensions.CheckIfMatch(ifMatch, current.ETag);
        var before = current.ToRecord();

        var check = new Validation();
        if (change.Name is not null)
        {
            check.Required("name", change.Name, TemplateRules.MaxName);
        }
        var html = change.Html ?? current.Html;
        // Null keeps the text body; empty goes back to deriving it; a derived one follows the HTML.
        var text = change.Text ?? (current.TextDerived ? null : current.Text);
        var (newText, derived) = CheckContent(check, change.Subject ?? current.Subject, html, text);
        check.ThrowIfInvalid();

        var next = new TemplateEntity
        {
            Id = current.Id,
            Name = change.Name?.Trim() ?? current.Name,
            Category = change.Category ?? current.Category,
            Subject = change.Subject ?? current.Subject,
            Html = html,
            Text = newText,
            TextDerived = derived,
            Active = change.Active ?? current.Active,
            Version = current.Version,
            PreBuilt = current.PreBuilt,
            CreatedBy = current.CreatedBy,
            CreatedAt = current.CreatedAt,
            UpdatedAt = current.UpdatedAt,
            SavedBy = current.SavedBy,
            SavedAt = current.SavedAt,
            ETag = current.ETag,
        };
        var contentChanged = next.Name != current.Name || next.Category != current.Category || next.Subject != current.Subject
            || next.Html != current.Html || next.Text != current.Text || next.TextDerived != current.TextDerived;
        if (!contentChanged && next.Active == current.Active)
        {
            return (before, before);
        }
        var now = time.GetUtcNow();
        next.UpdatedAt = now;
        if (contentChanged)
        {
            next.Version = current.Version + 1;
            next.SavedBy = actor;
            next.SavedAt = now;
        }
        var after = await store.ReplaceAsync(current, next, contentChanged, cancellationToken);
        return (before, after);
    }

    /// <summary>
    /// Deletes a template with all its versions. A pre-built one cannot be deleted (the seeder
    /// would not bring it back, and senders may name it): deactivate it instead.
    /// </summary>
    public async Task<EmailTemplate> DeleteAsync(string id, string? ifMatch, CancellationToken cancellationToken = default)
    {
        var current = await store.GetEntityAsync(id, cancellationToken);
        TableClientExtensions.CheckIfMatch(ifMatch, current.ETag);
        if (current.PreBuilt)
        {
            throw new ConflictException($"Template '{id}' is one of the pre-built defaults: deactivate it (PATCH with \"active\": false) instead of deleting it.");
        }
        await store.DeleteAsync(current, cancellationToken);
        return current.ToRecord();
    }

    /// <summary>
    /// Renders the current version of an active template for one recipient. Throws
    /// <see cref="NotFoundException"/> for an unknown template and <see cref="ConflictException"/>
    /// for an inactive one. Variables the model has no value for render empty.
    /// </summary>
    public async Task<RenderedEmail> RenderAsync(string templateId, TemplateModel model, CancellationToken cancellationToken = default) =>
        renderer.Render(await ActiveAsync(templateId, cancellationToken), model);

    /// <summary>The current version of an active template; see <see cref="RenderAsync"/> for the exceptions.</summary>
    public async Task<EmailTemplate> ActiveAsync(string templateId, CancellationToken cancellationToken = default)
    {
        var template = await store.GetAsync(templateId, cancellationToken);
        if (!template.Active)
        {
            throw new ConflictException($"Template '{templateId}' is inactive; activate it before sending it.");
        }
        return template;
    }

    /// <summary>
    /// Renders a template (active or not) for a customer and optionally one of their orders, or for
    /// <see cref="TemplateModel.Sample"/> data without a customer, with placeholder links. An
    /// unknown customer or order is a validation error on <c>customerId</c> or <c>orderId</c>.
    /// </summary>
    public async Task<RenderedEmail> PreviewAsync(string id, string? customerId, string? orderId, CancellationToken cancellationToken = default)
    {
        var template = await store.GetAsync(id, cancellationToken);
        if (string.IsNullOrWhiteSpace(customerId))
        {
            if (!string.IsNullOrWhiteSpace(orderId))
            {
                throw new ValidationFailedException("customerId", "is required with orderId: give the customer the order belongs to.");
            }
            return renderer.Render(template, TemplateModel.Sample(TemplateLinks.Placeholder).WithStore(storeOptions.Value));
        }
        TemplateModel model;
        try
        {
            model = await ForCustomerAsync(customerId, TemplateLinks.Placeholder, string.IsNullOrWhiteSpace(orderId) ? null : orderId, null, cancellationToken);
        }
        catch (NotFoundException ex)
        {
            var field = ex.EntityType == "Customer" ? "customerId" : "orderId";
            throw new ValidationFailedException(field, ex.EntityType == "Customer"
                ? $"no customer has the id '{customerId}'."
                : $"customer '{customerId}' has no order with the id '{orderId}'.");
        }
        return renderer.Render(template, model);
    }

    /// <summary>
    /// The variable values for an email to one customer: their profile (<c>customer.*</c>), their
    /// loyalty points balance and tier, the
    /// store from the <c>Store</c> settings, the given links and, with <paramref name="orderId"/>,
    /// that order (<c>order.*</c>, dates in the customer's time zone, else the store's). Values the
    /// CRM does not hold (tracking link, discount code, ticket) come in <paramref name="extra"/>,
    /// keyed by variable name, and may also replace any of the others. Throws
    /// <see cref="NotFoundException"/> for an unknown customer, or an order that is not theirs;
    /// <see cref="ArgumentException"/> for an <paramref name="extra"/> name outside the catalogue.
    /// </summary>
    public async Task<TemplateModel> ForCustomerAsync(
        string customerId, TemplateLinks links, string? orderId = null, IReadOnlyDictionary<string, object?>? extra = null, CancellationToken cancellationToken = default) =>
        await ForCustomerAsync(await customers.GetAsync(customerId, cancellationToken), links, orderId, extra, withPoints: true, cancellationToken);

    /// <summary>
    /// As above for a customer already read. The points balance comes from the loyalty account the
    /// customer carries when read from their card (no second read); without <paramref name="withPoints"/>
    /// it is not looked at and renders 0.
    /// </summary>
    public async Task<TemplateModel> ForCustomerAsync(
        Customer customer, TemplateLinks links, string? orderId, IReadOnlyDictionary<string, object?>? extra, bool withPoints, CancellationToken cancellationToken)
    {
        Order? order = null;
        if (orderId is not null)
        {
            order = await orders.FindAsync(orderId, cancellationToken);
            if (order is null || order.CustomerId != customer.Id)
            {
                throw new NotFoundException("Order", orderId);
            }
        }
        var options = storeOptions.Value;
        var zone = storeTime.For(customer.TimeZone);
        var values = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["customer.first_name"] = customer.FirstName,
            ["customer.last_name"] = customer.LastName,
            ["customer.full_name"] = customer.FullName,
            ["customer.email"] = customer.Email,
            ["customer.phone"] = customer.Phone,
            ["customer.city"] = (customer.Addresses.FirstOrDefault(a => a.Kind == AddressKind.Shipping) ?? customer.Addresses.FirstOrDefault())?.City,
            ["customer.since"] = customer.CustomerSince.Year.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["loyalty.points"] = withPoints ? await points.BalanceAsync(customer, cancellationToken) : 0,
            ["loyalty.tier"] = customer.Tier.ToString(),
            ["links.unsubscribe"] = links.Unsubscribe,
            ["links.preferences"] = links.Preferences,
        };
        if (order is not null)
        {
            values["order.number"] = order.Number;
            values["order.placed_at"] = TemplateModel.Date(TimeZoneInfo.ConvertTime(order.PlacedAt, zone).DateTime);
            values["order.status"] = order.Status.ToString();
            values["order.items"] = order.Lines
                .Select(l => TemplateModel.Item(l.Name, l.Sku, l.Quantity, Money.Format(l.UnitPriceCents, order.Currency), Money.Format(l.TotalCents, order.Currency)))
                .ToList();
            values["order.item_count"] = order.Lines.Sum(l => l.Quantity);
            values["order.subtotal"] = Money.Format(order.SubtotalCents, order.Currency);
            values["order.discount"] = Money.Format(order.DiscountCents, order.Currency);
            values["order.shipping"] = Money.Format(order.ShippingCents, order.Currency);
            values["order.tax"] = Money.Format(order.TaxCents, order.Currency);
            values["order.total"] = Money.Format(order.TotalCents, order.Currency);
            values["order.coupon_code"] = order.CouponCode;
        }
        var model = TemplateModel.Empty.With(values).WithStore(options);
        return extra is { Count: > 0 } ? model.With(extra) : model;
    }

    /// <summary>Checks subject and bodies; returns the text body to store and whether it was derived from the HTML.</summary>
    private (string Text, bool Derived) CheckContent(Validation check, string? subject, string? html, string? text)
    {
        if (Length(check, "subject", subject, TemplateRules.MaxSubject))
        {
            if (subject!.AsSpan().IndexOfAny('\r', '\n') >= 0)
            {
                check.Add("subject", "must be one line.");
            }
            else
            {
                Add(check, "subject", TemplateRules.Problems(renderer, subject!, html: false));
            }
        }
        var htmlProblems = Length(check, "html", html, TemplateRules.MaxBody) ? TemplateRules.Problems(renderer, html!, html: true) : null;
        Add(check, "html", htmlProblems ?? []);
        if (!string.IsNullOrWhiteSpace(text))
        {
            if (Length(check, "text", text, TemplateRules.MaxBody))
            {
                Add(check, "text", TemplateRules.Problems(renderer, text, html: false));
            }
            return (text, false);
        }
        if (htmlProblems is not { Count: 0 })
        {
            return ("", true);
        }
        var derived = HtmlText.FromTemplate(html!);
        // The HTML passed, so the text made from it should too; if the conversion ever broke a
        // tag, say so on the text rather than save a template that cannot render.
        Add(check, "text", TemplateRules.Problems(renderer, derived, html: false).Select(p => $"derived from the HTML, {p} Give a text body."));
        check.MaxLength("text", derived, TemplateRules.MaxBody);
        return (derived, true);
    }

    /// <summary>Required and within <paramref name="max"/> characters; adds the error otherwise.</summary>
    private static bool Length(Validation check, string field, string? value, int max)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            check.Add(field, "is required.");
            return false;
        }
        if (value.Length > max)
        {
            check.Add(field, max == TemplateRules.MaxBody
                ? $"must be at most {max} characters (200 KB)."
                : $"must be at most {max} characters.");
            return false;
        }
        return true;
    }

    private static void Add(Validation check, string field, IEnumerable<string> problems)
    {
        foreach (var problem in problems)
        {
            check.Add(field, problem);
        }
    }
}
