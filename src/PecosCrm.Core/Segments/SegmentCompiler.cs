using System.Globalization;
using System.Text;
using System.Text.Json;
using DuckDB.NET.Data;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Segments;

/// <summary>What a rule tree is checked against: the time, the tags that exist and the current RFM segment names.</summary>
/// <param name="Tags">Tag id, and lower-cased tag name, to tag id.</param>
public sealed record SegmentContext(DateTimeOffset Now, IReadOnlyDictionary<string, string> Tags, IReadOnlyCollection<string> RfmSegments);

/// <summary>One condition of a compiled tree: where it sits, its SQL truth value and the customer's value it tests.</summary>
public sealed record CompiledCondition(string Path, SegmentRule Rule, string Met, string Value);

/// <summary>
/// A rule tree as parameterised DuckDB SQL over the features row <c>f</c> (and the RFM scores
/// <c>rfm</c> when <see cref="UsesRfm"/>): <see cref="Where"/> holds
/// for exactly the customers the segment contains. User values only ever travel as parameters.
/// <see cref="Normalized"/> is the tree as stored (tag names resolved to ids, categories lower-cased).
/// </summary>
public sealed record CompiledSegment(string Where, IReadOnlyList<DuckDBParameter> Parameters, IReadOnlyList<CompiledCondition> Conditions, SegmentRule Normalized)
{
    /// <summary>Whether a condition names an RFM field, so the query joins the scores as <c>rfm</c>.</summary>
    public bool UsesRfm => Conditions.Any(c => SegmentFields.IsRfm(c.Rule.Field));
}

/// <summary>
/// Checks a segment's rule tree, naming every bad node by its path (<c>rules.rules[1].value</c>),
/// and compiles it. Null semantics: a condition on a value that is not set is false, except the
/// negative operators (<c>neq</c>, <c>not_in</c>, <c>not_contains</c>, <c>has_none</c>), for which
/// it is true: a customer without an email does not have an email containing "gmail".
/// </summary>
public sealed class SegmentCompiler
{
    public const int MaxDepth = 6;
    public const int MaxConditions = 50;
    public const int MaxListValues = 200;

    private readonly SegmentContext _context;
    private readonly Validation _check = new();
    private readonly List<DuckDBParameter> _parameters = [];
    private readonly List<CompiledCondition> _conditions = [];

    private SegmentCompiler(SegmentContext context) => _context = context;

    /// <summary>Compiles <paramref name="root"/>, or throws a validation failure naming each problem under <paramref name="path"/>.</summary>
    public static CompiledSegment Compile(SegmentRule? root, SegmentContext context, string path = "rules")
    {
        var compiler = new SegmentCompiler(context);
        if (root is null)
        {
            compiler._check.Add(path, "is required: a group such as { \"match\": \"all\", \"rules\": [ ... ] }.");
            compiler._check.ThrowIfInvalid();
        }
        var (sql, normalized) = compiler.Node(root!, path, 1);
        if (compiler._conditions.Count > MaxConditions)
        {
            compiler._check.Add(path, $"has {compiler._conditions.Count} conditions; at most {MaxConditions}.");
        }
        compiler._check.ThrowIfInvalid();
        var parameters = compiler._parameters.ToList();
        if (sql.Contains("$now", StringComparison.Ordinal) || compiler._conditions.Any(c => c.Value.Contains("$now", StringComparison.Ordinal)))
        {
            parameters.Add(new DuckDBParameter("now", context.Now.UtcDateTime));
        }
        return new CompiledSegment(sql, parameters, compiler._conditions, normalized!);
    }

    private (string Sql, SegmentRule? Normalized) Node(SegmentRule node, string path, int depth)
    {
        if (node.IsGroup)
        {
            if (node.Field is not null || node.Op is not null || node.Value is not null)
            {
                _check.Add(path, "is either a group (match, rules) or a condition (field, op, value), not both.");
            }
            if (node.Match is not ("all" or "any"))
            {
                _check.Add(path + ".match", "must be all or any.");
            }
            if (depth > MaxDepth)
            {
                _check.Add(path, $"nests deeper than {MaxDepth} groups.");
                return ("false", null);
            }
            if (node.Rules is not { Count: > 0 })
            {
                _check.Add(path + ".rules", "must hold at least one rule.");
                return ("false", null);
            }
            var parts = new List<string>();
            var children = new List<SegmentRule>();
            for (var i = 0; i < node.Rules.Count; i++)
            {
                if (node.Rules[i] is not { } child)
                {
                    _check.Add($"{path}.rules[{i}]", "must not be null.");
                    continue;
                }
                var (sql, normalized) = Node(child, $"{path}.rules[{i}]", depth + 1);
                parts.Add(sql);
                if (normalized is not null)
                {
                    children.Add(normalized);
                }
            }
            var joiner = node.Match == "any" ? " OR " : " AND ";
            return ("(" + string.Join(joiner, parts) + ")", node with { Rules = children });
        }
        return Condition(node, path);
    }

    private (string Sql, SegmentRule? Normalized) Condition(SegmentRule rule, string path)
    {
        var field = SegmentFields.Find(rule.Field);
        if (field is null)
        {
            _check.Add(path + ".field", rule.Field is null
                ? "is required (or make this node a group with match and rules)."
                : $"'{rule.Field}' is not a segment field; GET /api/segments/fields lists them.");
            return ("false", null);
        }
        var operators = SegmentFields.Operators[field.Kind];
        if (rule.Op is null || !operators.Contains(rule.Op))
        {
            _check.Add(path + ".op", $"must be one of {string.Join(", ", operators)} for {field.Name}.");
            return ("false", null);
        }
        string? since = null;
        if (rule.WithinDays is { } days)
        {
            if (!field.Windowed)
            {
                _check.Add(path + ".withinDays", $"applies only to order facts ({string.Join(", ", SegmentFields.All.Where(f => f.Windowed).Select(f => f.Name))}).");
            }
            else if (days is < 1 or > 3650)
            {
                _check.Add(path + ".withinDays", "must be between 1 and 3650.");
            }
            else
            {
                since = Parameter(_context.Now.AddDays(-days).UtcDateTime);
            }
        }
        var value = field.Sql
            .Replace("{window}", since is null ? "" : $" if x.at >= {since}", StringComparison.Ordinal)
            .Replace("{lwindow}", since is null ? "" : $" if x.value >= {since}", StringComparison.Ordinal);
        var normalized = rule;
        var valuePath = path + ".value";
        var v = rule.Value is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } given ? given : (JsonElement?)null;
        string met;
        if (rule.Op is "is_set" or "is_not_set")
        {
            if (v is not null)
            {
                _check.Add(valuePath, $"must be left out for {rule.Op}.");
            }
            var set = field.Kind == FieldKind.Text ? $"nullif({value}, '') IS NOT NULL" : $"{value} IS NOT NULL";
            met = rule.Op == "is_set" ? set : $"NOT ({set})";
        }
        else
        {
            switch (field.Kind)
            {
                case FieldKind.Text:
                    met = TextCondition(value, rule.Op, v, valuePath, null);
                    break;
                case FieldKind.Choice:
                    var choices = field.Name == "rfm_segment" ? _context.RfmSegments.ToList() : field.Choices ?? [];
                    met = TextCondition(value, rule.Op, v, valuePath, choices);
                    break;
                case FieldKind.Number or FieldKind.Money:
                    met = NumberCondition(value, rule.Op, v, valuePath, field.Kind == FieldKind.Money);
                    break;
                case FieldKind.Date:
                    met = DateCondition(value, rule.Op, v, valuePath);
                    break;
                case FieldKind.Flag:
                    if (v is not { ValueKind: JsonValueKind.True or JsonValueKind.False } flag)
                    {
                        _check.Add(valuePath, "must be true or false.");
                        met = "false";
                        break;
                    }
                    met = $"{value} = {Parameter(flag.GetBoolean())}";
                    break;
                case FieldKind.Tags:
                    var ids = new List<string>();
                    foreach (var tag in Strings(v, valuePath))
                    {
                        if (_context.Tags.TryGetValue(tag, out var id) || _context.Tags.TryGetValue(tag.ToLowerInvariant(), out id))
                        {
                            ids.Add(id);
                        }
                        else
                        {
                            _check.Add(valuePath, $"no tag has the id or name '{tag}'.");
                        }
                    }
                    normalized = rule with { Value = JsonSerializer.SerializeToElement(ids.Distinct().ToList(), CrmJson.Options) };
                    var any = "(" + string.Join(" OR ", ids.Distinct().Select(id => $"contains(coalesce({value}, ''), {Parameter("|" + id + "|")})")) + ")";
                    met = ids.Count == 0 ? "false" : rule.Op switch
                    {
                        "has_all" => "(" + string.Join(" AND ", ids.Distinct().Select(id => $"contains(coalesce({value}, ''), {Parameter("|" + id + "|")})")) + ")",
                        "has_none" => $"NOT {any}",
                        _ => any,
                    };
                    break;
                default:
                    var category = field.Name == "purchased_category";
                    var items = Strings(v, valuePath).Select(s => category ? s.Trim().ToLowerInvariant() : s.Trim()).Distinct().ToList();
                    normalized = rule with { Value = JsonSerializer.SerializeToElement(items, CrmJson.Options) };
                    // The last counted purchase of each item, looked up in the customer's map: bought (in the window) when it is set (and recent enough).
                    var column = category ? "f.category_last" : "f.product_last";
                    var bought = items.Select(i => since is null ? $"{column}[{Parameter(i)}] IS NOT NULL" : $"coalesce({column}[{Parameter(i)}] >= {since}, false)").ToList();
                    var exists = items.Count == 0 ? "false" : "(" + string.Join(" OR ", bought) + ")";
                    met = rule.Op == "not_in" ? $"NOT {exists}" : exists;
                    break;
            }
        }
        // Null-safe: a test on a value that is not set is false, except the negative ones, for which it is true.
        met = $"coalesce({met}, {(IsNegative(rule.Op) ? "true" : "false")})";
        _conditions.Add(new CompiledCondition(path, normalized, met, value));
        return (met, normalized);
    }

    private static bool IsNegative(string op) => op is "neq" or "not_in" or "not_contains" or "has_none";

    private string TextCondition(string value, string op, JsonElement? v, string path, IReadOnlyList<string>? choices)
    {
        string Checked(string s)
        {
            if (choices is not null && !choices.Contains(s, StringComparer.OrdinalIgnoreCase))
            {
                _check.Add(path, $"'{s}' is not one of {string.Join(", ", choices)}.");
            }
            return s.ToLowerInvariant();
        }

        if (op is "in" or "not_in")
        {
            var list = Strings(v, path).Select(Checked).Distinct().ToList();
            if (list.Count == 0)
            {
                return "false";
            }
            var inList = $"lower({value}) IN ({string.Join(", ", list.Select(s => Parameter(s)))})";
            return op == "in" ? inList : $"NOT ({inList})";
        }
        if (v is not { ValueKind: JsonValueKind.String } text || string.IsNullOrWhiteSpace(text.GetString()))
        {
            _check.Add(path, "must be a non-empty string.");
            return "false";
        }
        if (text.GetString()!.Length > 200)
        {
            _check.Add(path, "must be at most 200 characters.");
        }
        var p = Parameter(Checked(text.GetString()!));
        return op switch
        {
            "eq" => $"lower({value}) = {p}",
            "neq" => $"lower({value}) IS DISTINCT FROM {p}",
            "contains" => $"contains(lower({value}), {p})",
            "not_contains" => $"NOT contains(lower({value}), {p})",
            _ => $"starts_with(lower({value}), {p})",
        };
    }

    private string NumberCondition(string value, string op, JsonElement? v, string path, bool money)
    {
        object Number(JsonElement e) => money ? Money.ToCents(e.GetDecimal()) : (object)e.GetDouble();

        if (op == "between")
        {
            if (v is not { ValueKind: JsonValueKind.Array } range || range.GetArrayLength() != 2 || range.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.Number))
            {
                _check.Add(path, "must be two numbers [low, high].");
                return "false";
            }
            var (low, high) = (range[0].GetDecimal(), range[1].GetDecimal());
            if (low > high)
            {
                _check.Add(path, "must have low <= high.");
            }
            return $"{value} BETWEEN {Parameter(Number(range[0]))} AND {Parameter(Number(range[1]))}";
        }
        if (v is not { ValueKind: JsonValueKind.Number } number)
        {
            _check.Add(path, money ? "must be an amount such as 500 or 49.99." : "must be a number.");
            return "false";
        }
        var p = Parameter(Number(number));
        return op switch
        {
            "eq" => $"{value} = {p}",
            "neq" => $"{value} IS DISTINCT FROM {p}",
            "gt" => $"{value} > {p}",
            "gte" => $"{value} >= {p}",
            "lt" => $"{value} < {p}",
            _ => $"{value} <= {p}",
        };
    }

    private string DateCondition(string value, string op, JsonElement? v, string path)
    {
        if (op is "within_last_days" or "more_than_days_ago")
        {
            if (v is not { ValueKind: JsonValueKind.Number } n || !n.TryGetInt32(out var days) || days is < 0 or > 36500)
            {
                _check.Add(path, "must be a whole number of days from 0 to 36500.");
                return "false";
            }
            var since = Parameter(_context.Now.AddDays(-days).UtcDateTime);
            return op == "within_last_days" ? $"{value} >= {since}" : $"{value} < {since}";
        }
        if (op == "between")
        {
            if (v is not { ValueKind: JsonValueKind.Array } range || range.GetArrayLength() != 2)
            {
                _check.Add(path, "must be two dates [from, to], e.g. [\"2026-01-01\", \"2026-03-31\"]; to is inclusive.");
                return "false";
            }
            var from = ParseDate(range[0], path, endOfDay: false);
            var to = ParseDate(range[1], path, endOfDay: true);
            if (from > to)
            {
                _check.Add(path, "must have from <= to.");
            }
            return $"({value} >= {Parameter(from)} AND {value} < {Parameter(to)})";
        }
        var at = ParseDate(v, path, endOfDay: op == "after");
        return op == "before" ? $"{value} < {Parameter(at)}" : $"{value} >= {Parameter(at)}";
    }

    /// <summary>
    /// A date (<c>yyyy-MM-dd</c>, a whole UTC day) or a date-time. With <paramref name="endOfDay"/>
    /// a date means the end of that day, so "after 2026-03-01" starts on 2 March and a range's last day is included.
    /// </summary>
    private DateTime ParseDate(JsonElement? v, string path, bool endOfDay)
    {
        var text = v is { ValueKind: JsonValueKind.String } s ? s.GetString() : null;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc).AddDays(endOfDay ? 1 : 0);
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            return endOfDay ? at.UtcDateTime.AddTicks(1) : at.UtcDateTime;
        }
        _check.Add(path, "must be a date (2026-03-01) or a date-time (2026-03-01T09:00:00Z).");
        return DateTime.UnixEpoch;
    }

    private List<string> Strings(JsonElement? v, string path)
    {
        var list = new List<string>();
        if (v is { ValueKind: JsonValueKind.String } one && !string.IsNullOrWhiteSpace(one.GetString()))
        {
            list.Add(one.GetString()!);
        }
        else if (v is { ValueKind: JsonValueKind.Array } many && many.GetArrayLength() is > 0 and <= MaxListValues
            && many.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(e.GetString())))
        {
            list.AddRange(many.EnumerateArray().Select(e => e.GetString()!));
        }
        else
        {
            _check.Add(path, $"must be a string or a list of 1 to {MaxListValues} non-empty strings.");
        }
        return list;
    }

    private string Parameter(object value)
    {
        var name = "p" + _parameters.Count.ToString(CultureInfo.InvariantCulture);
        _parameters.Add(new DuckDBParameter(name, value));
        return "$" + name;
    }

    /// <summary>The rule tree as one readable line, for the audit log and the admin panel's summary.</summary>
    public static string Describe(SegmentRule rule)
    {
        var text = new StringBuilder();
        Write(rule, text);
        return text.ToString();

        static void Write(SegmentRule r, StringBuilder text)
        {
            if (r.IsGroup)
            {
                text.Append('(');
                var first = true;
                foreach (var child in r.Rules ?? [])
                {
                    text.Append(first ? "" : r.Match == "any" ? " OR " : " AND ");
                    Write(child, text);
                    first = false;
                }
                text.Append(')');
                return;
            }
            text.Append(r.Field).Append(' ').Append(r.Op);
            if (r.Value is { } value)
            {
                text.Append(' ').Append(value.GetRawText());
            }
            if (r.WithinDays is { } days)
            {
                text.Append(" within ").Append(days).Append(" days");
            }
        }
    }
}
