using System.Text.Json;
using System.Text.Json.Serialization;

namespace PecosCrm.Core.Segments;

/// <summary>
/// A node of a segment's rule tree: either a group (<c>match</c> <c>all</c> or <c>any</c> over
/// nested <c>rules</c>) or a condition (<c>field</c>, <c>op</c>, <c>value</c>, and for facts about
/// orders an optional <c>withinDays</c> window). The admin panel draws and edits this tree as it is.
/// </summary>
/// <example><code>
/// { "match": "all", "rules": [
///     { "field": "lifetime_value", "op": "gt", "value": 500 },
///     { "field": "purchased_category", "op": "in", "value": ["boots"], "withinDays": 365 },
///     { "match": "any", "rules": [ { "field": "tier", "op": "in", "value": ["gold", "platinum"] },
///                                  { "field": "last_order_at", "op": "within_last_days", "value": 90 } ] } ] }
/// </code></example>
public sealed record SegmentRule(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Match = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<SegmentRule>? Rules = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Field = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Op = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Value = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? WithinDays = null)
{
    [JsonIgnore]
    public bool IsGroup => Match is not null || Rules is not null;

    public static SegmentRule All(params SegmentRule[] rules) => new(Match: "all", Rules: rules);

    public static SegmentRule Any(params SegmentRule[] rules) => new(Match: "any", Rules: rules);

    public static SegmentRule When(string field, string op, object? value = null, int? withinDays = null) =>
        new(Field: field, Op: op, Value: value is null ? null : JsonSerializer.SerializeToElement(value, CrmJson.Options), WithinDays: withinDays);
}
