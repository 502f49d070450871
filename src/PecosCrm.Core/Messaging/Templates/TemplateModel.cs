using System.Collections.Frozen;
using System.Globalization;

namespace PecosCrm.Core.Messaging.Templates;

/// <summary>
/// The values of the template variables for one email, by variable name (<c>customer.first_name</c>).
/// Values are text, numbers or booleans; <c>order.items</c> is a list of items keyed by field name
/// (<c>name</c>, <c>quantity</c>, …). A variable without a value renders empty and is false in
/// <c>{{#if}}</c>. Build one with <c>TemplateService.ForCustomerAsync</c> or <see cref="Sample"/>.
/// </summary>
public sealed record TemplateModel
{
    private readonly FrozenDictionary<string, object?> _values;

    private TemplateModel(FrozenDictionary<string, object?> values) => _values = values;

    /// <summary>A model with no values at all.</summary>
    public static readonly TemplateModel Empty = new(FrozenDictionary<string, object?>.Empty);

    public IReadOnlyDictionary<string, object?> Values => _values;

    /// <summary>
    /// This model with one more value (or a value replaced). Dates become text such as
    /// <c>November 25, 2025</c>. Throws <see cref="ArgumentException"/> for a name outside
    /// <see cref="TemplateVariables.All"/> or a value of a kind the variable cannot hold.
    /// </summary>
    public TemplateModel With(string name, object? value) => With(new Dictionary<string, object?> { [name] = value });

    /// <summary>This model with several values added or replaced; see <see cref="With(string, object?)"/>.</summary>
    public TemplateModel With(IReadOnlyDictionary<string, object?> values)
    {
        var merged = new Dictionary<string, object?>(_values, StringComparer.Ordinal);
        foreach (var (name, value) in values)
        {
            var variable = TemplateVariables.Find(name)
                ?? throw new ArgumentException($"'{name}' is not a template variable; see TemplateVariables.All.", nameof(values));
            merged[name] = Normalize(variable, value);
        }
        return new TemplateModel(merged.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>This model with the store's details from <paramref name="store"/>.</summary>
    public TemplateModel WithStore(StoreOptions store) => With(new Dictionary<string, object?>
    {
        ["store.name"] = store.Name,
        ["store.phone"] = store.Phone,
        ["store.email"] = store.Email,
        ["store.url"] = store.Url,
        ["store.address"] = store.Address,
    });

    /// <summary>
    /// Made-up values for every variable (a Gold customer with a four-piece order), the store's
    /// default details and the given links: what a preview without a customer shows.
    /// </summary>
    public static TemplateModel Sample(TemplateLinks links)
    {
        var values = TemplateVariables.All.Where(v => !v.IsList).ToDictionary(v => v.Name, v => (object?)v.Example, StringComparer.Ordinal);
        values["loyalty.points"] = 1250;
        values["order.item_count"] = 4;
        values["order.items"] = new[]
        {
            Item("Square-Toe Roper Boot – Cognac", "BT-ROPER-COG-105D", 1, "$189.00", "$189.00"),
            Item("Cattleman Felt Hat – Silverbelly", "HT-CATTLE-SLV-718", 1, "$129.00", "$129.00"),
            Item("Pearl Snap Work Shirt – Chambray", "SH-PEARL-CHB-L", 2, "$49.50", "$99.00"),
        };
        values["customer.recommendations"] = new[]
        {
            Recommended("Leather Spur Straps", "Spurs", "p-spur-straps"),
            Recommended("Felt Hat Brush", "Hat Care", "p-hat-brush"),
        };
        values["links.unsubscribe"] = links.Unsubscribe;
        values["links.preferences"] = links.Preferences;
        return Empty.With(values).WithStore(new StoreOptions());
    }

    /// <summary>An item of <c>customer.recommendations</c>.</summary>
    public static IReadOnlyDictionary<string, object?> Recommended(string? name, string? category, string productId) =>
        new Dictionary<string, object?>(StringComparer.Ordinal) { ["name"] = name, ["category"] = category, ["product_id"] = productId };

    /// <summary>An item of <c>order.items</c>.</summary>
    public static IReadOnlyDictionary<string, object?> Item(string name, string? sku, int quantity, string price, string total) =>
        new Dictionary<string, object?>(StringComparer.Ordinal) { ["name"] = name, ["sku"] = sku, ["quantity"] = quantity, ["price"] = price, ["total"] = total };

    /// <summary>The values as the nested objects Handlebars walks: <c>customer.first_name</c> becomes <c>customer</c> → <c>first_name</c>.</summary>
    internal Dictionary<string, object?> ToTree()
    {
        var root = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in _values)
        {
            var dot = name.IndexOf('.', StringComparison.Ordinal);
            var group = name[..dot];
            if (root.GetValueOrDefault(group) is not Dictionary<string, object?> node)
            {
                root[group] = node = new Dictionary<string, object?>(StringComparer.Ordinal);
            }
            node[name[(dot + 1)..]] = value is IReadOnlyList<IReadOnlyDictionary<string, object?>> items
                ? items.Select(i => new Dictionary<string, object?>(i, StringComparer.Ordinal)).ToList()
                : value;
        }
        return root;
    }

    private static object? Normalize(TemplateVariable variable, object? value)
    {
        if (variable.IsList)
        {
            if (value is null)
            {
                return null;
            }
            if (value is not IEnumerable<IReadOnlyDictionary<string, object?>> items)
            {
                throw new ArgumentException($"'{variable.Name}' takes a list of items keyed by field name.", nameof(value));
            }
            var fields = variable.Fields!.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
            var list = new List<IReadOnlyDictionary<string, object?>>();
            foreach (var item in items)
            {
                var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var (field, fieldValue) in item)
                {
                    if (!fields.Contains(field))
                    {
                        throw new ArgumentException($"'{field}' is not a field of {variable.Name}; the fields are {string.Join(", ", fields)}.", nameof(value));
                    }
                    copy[field] = Scalar(variable.Name + "." + field, fieldValue);
                }
                list.Add(copy);
            }
            return list;
        }
        return Scalar(variable.Name, value);
    }

    private static object? Scalar(string name, object? value) => value switch
    {
        null or string or bool or int or long or decimal or double => value,
        DateTimeOffset d => Date(d.Date),
        DateTime d => Date(d.Date),
        DateOnly d => Date(d.ToDateTime(TimeOnly.MinValue)),
        _ => throw new ArgumentException($"'{name}' takes text, a number, a boolean or a date, not {value.GetType().Name}.", nameof(value)),
    };

    /// <summary>How dates read in emails: <c>November 25, 2025</c>.</summary>
    internal static string Date(DateTime date) => date.ToString("MMMM d, yyyy", CultureInfo.InvariantCulture);
}
