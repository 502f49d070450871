using System.Globalization;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Products;

/// <summary>The rules of product fields and what a change changed, without I/O.</summary>
public static class ProductRules
{
    /// <summary>The fields the history follows, in the order it lists them.</summary>
    public static readonly IReadOnlyList<string> Fields = ["name", "sku", "category", "price", "currency", "active"];

    /// <summary>Checks a whole product (a create or a replace); errors are named <paramref name="prefix"/> + field.</summary>
    public static void Validate(ProductFields f, Validation check, string prefix = "") => Validate(f, check, prefix, whole: true);

    /// <summary>Checks the fields a partial change carries (a <c>product.updated</c> event); the id is required.</summary>
    public static void ValidateChange(ProductFields f, Validation check, string prefix = "") => Validate(f, check, prefix, whole: false);

    private static void Validate(ProductFields f, Validation check, string prefix, bool whole)
    {
        if (!KeyRules.IsValidKey(f.Id) || f.Id!.Length > 100)
        {
            check.Add(prefix + "id", "is required: the store's product id or UPC.");
        }
        if (whole || f.Sku is not null)
        {
            check.Required(prefix + "sku", f.Sku, 60);
        }
        if (whole || f.Name is not null)
        {
            check.Required(prefix + "name", f.Name);
        }
        if (whole || f.Category is not null)
        {
            check.Required(prefix + "category", f.Category, 60);
        }
        if (f.Category is not null && !KeyRules.IsValidKey(f.Category.Trim()))
        {
            check.Add(prefix + "category", "must not contain / \\ # ?.");
        }
        if ((whole && f.Price is null) || f.Price is < 0 or > 1_000_000m || (f.Price is { } p && decimal.Round(p, 2) != p))
        {
            check.Add(prefix + "price", "is required: an amount from 0 with at most two decimals.");
        }
        if (f.Currency is not null && (f.Currency.Length != 3 || !f.Currency.All(char.IsAsciiLetter)))
        {
            check.Add(prefix + "currency", "must be a three-letter ISO 4217 code.");
        }
    }

    /// <summary>A partial change (a <c>product.updated</c> event) laid over the product as it is: absent fields stay.</summary>
    public static ProductFields Merge(Product current, ProductFields change) => new(
        current.Id,
        change.Sku ?? current.Sku,
        change.Name ?? current.Name,
        change.Category ?? current.Category,
        change.Price ?? Money.ToDecimal(current.PriceCents),
        change.Currency ?? current.Currency,
        change.Active ?? current.Active);

    /// <summary>The fields that differ; for a new product every field, from nothing.</summary>
    public static IReadOnlyList<FieldChange> Diff(Product? before, Product after)
    {
        var changes = new List<FieldChange>();
        foreach (var field in Fields)
        {
            var old = before is null ? null : Value(before, field);
            var now = Value(after, field);
            if (old != now)
            {
                changes.Add(new FieldChange(field, old, now));
            }
        }
        return changes;
    }

    private static string Value(Product p, string field) => field switch
    {
        "name" => p.Name,
        "sku" => p.Sku,
        "category" => p.Category,
        "price" => Money.ToDecimal(p.PriceCents).ToString("0.00", CultureInfo.InvariantCulture),
        "currency" => p.Currency,
        "active" => p.Active ? "true" : "false",
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, "Not a product field."),
    };
}
