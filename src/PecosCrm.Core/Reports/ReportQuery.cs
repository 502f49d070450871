using System.Globalization;

namespace PecosCrm.Core.Reports;

/// <summary>
/// The SQL of a checked definition, without I/O. Every piece of SQL text comes from the catalogue
/// below; what the user typed (filter values) travels only as parameters (<c>$f{i}_{j}</c>), and
/// segment members and the store's clock offsets as temporary tables the runner fills
/// (<c>report_segment</c>, <c>report_zone</c>). The result has one row per combination of the
/// dimensions (<c>d0</c>, <c>d1</c>, ...) and a last row for the whole range (<c>total</c> = 1),
/// from one pass (grouping sets), so distinct counts in the total are true distinct counts.
/// Columns: the dimensions, <c>label</c> (the product's name when split by product), <c>a</c> and
/// <c>b</c> (the metric's sums, in cents for money; <c>b</c> the orders of an average), <c>total</c>.
/// </summary>
public sealed record ReportQuery(string Sql, IReadOnlyDictionary<string, object> Parameters, bool UsesZone, bool UsesSegment, bool UsesRfm)
{
    private const string Local = "(o.placed_at + to_minutes(z.offset_min))";

    private static readonly Dictionary<string, string> Expressions = new(StringComparer.Ordinal)
    {
        ["day"] = $"strftime({Local}, '%Y-%m-%d')",
        ["week"] = $"strftime(date_trunc('week', {Local}), '%Y-%m-%d')",
        ["month"] = $"strftime({Local}, '%Y-%m')",
        ["channel"] = "coalesce(nullif(lower(trim(o.channel)), ''), 'unknown')",
        ["coupon"] = "coalesce(nullif(trim(o.coupon_code), ''), 'none')",
        ["category"] = "coalesce(nullif(l.category, ''), 'uncategorized')",
        ["product"] = "coalesce(nullif(l.product_id, ''), 'unknown')",
        ["rfm_segment"] = "coalesce(r.segment, 'unscored')",
        ["tier"] = "coalesce(nullif(lower(c.tier), ''), 'none')",
        ["country"] = "coalesce(nullif(upper(c.country), ''), 'unknown')",
        ["region"] = "coalesce(nullif(c.region, ''), 'unknown')",
    };

    /// <summary>The query of <paramref name="d"/> (checked) over <c>[from, to)</c>; <paramref name="rfmTable"/> names the version's scores table when the definition asks for RFM segments.</summary>
    public static ReportQuery Build(ReportDefinition d, DateTimeOffset from, DateTimeOffset to, string? rfmTable = null)
    {
        var metric = ReportCatalog.FindMetric(d.Metric) ?? throw new ArgumentException($"Unknown metric '{d.Metric}'.", nameof(d));
        var lines = ReportRules.ReadsLines(d);
        var fields = d.Dimensions.Concat(d.Filters.Select(f => f.Field)).Select(ReportCatalog.FindDimension).OfType<ReportDimension>().ToList();
        var usesZone = fields.Any(f => f.Time);
        var usesCustomer = fields.Any(f => f.Source == ReportSource.Customer);
        var usesRfm = fields.Any(f => f.Source == ReportSource.Rfm);
        var usesSegment = d.Filters.Any(f => f.Field == ReportCatalog.SegmentFilter);
        if (usesRfm && rfmTable is null)
        {
            throw new ArgumentException("An RFM dimension or filter needs the scores table.", nameof(rfmTable));
        }

        var revenue = lines ? "sum(l.quantity * l.unit_price_cents)" : "sum(o.net_cents)";
        var (a, b) = metric.Name switch
        {
            "revenue" => (revenue, "NULL"),
            "orders" => ("count(DISTINCT o.order_id)", "NULL"),
            "average_order_value" => (revenue, "count(DISTINCT o.order_id)"),
            "new_customers" or "active_customers" => ("count(DISTINCT o.customer_id)", "NULL"),
            "units" => ("sum(l.quantity)", "NULL"),
            "refunds" => ("sum(o.total_cents - o.net_cents)", "NULL"),
            _ => throw new ArgumentException($"No SQL for metric '{metric.Name}'.", nameof(d)),
        };

        var parameters = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["from"] = from.UtcDateTime,
            ["to"] = to.UtcDateTime,
        };
        var where = new List<string> { "o.placed_at >= $from", "o.placed_at < $to" };
        where.Add(metric.Name == "refunds" ? "o.status <> 'cancelled' AND o.total_cents > o.net_cents" : "o.net_cents > 0");
        for (var i = 0; i < d.Filters.Count; i++)
        {
            var filter = d.Filters[i];
            var negate = filter.Op == "not_in" ? "NOT " : "";
            if (filter.Field == ReportCatalog.SegmentFilter)
            {
                where.Add($"o.customer_id {negate}IN (SELECT customer_id FROM report_segment WHERE filter = {i.ToString(CultureInfo.InvariantCulture)})");
                continue;
            }
            var names = new List<string>();
            for (var j = 0; j < filter.Values.Count; j++)
            {
                var name = FormattableString.Invariant($"f{i}_{j}");
                parameters[name] = filter.Values[j].ToLowerInvariant();
                names.Add("$" + name);
            }
            where.Add($"lower({Expressions[filter.Field]}) {negate}IN ({string.Join(", ", names)})");
        }

        var joins = new List<string>();
        if (lines)
        {
            joins.Add("JOIN order_lines l ON l.order_id = o.order_id");
        }
        if (usesCustomer)
        {
            joins.Add("LEFT JOIN customers c ON c.customer_id = o.customer_id");
        }
        if (usesRfm)
        {
            joins.Add($"LEFT JOIN {rfmTable} r ON r.customer_id = o.customer_id");
        }
        if (usesZone)
        {
            joins.Add("JOIN report_zone z ON o.placed_at >= z.from_utc AND o.placed_at < z.to_utc");
        }
        if (metric.Name == "new_customers")
        {
            joins.Add("JOIN (SELECT customer_id, min(placed_at) AS first_at FROM orders WHERE net_cents > 0 GROUP BY customer_id) f ON f.customer_id = o.customer_id AND f.first_at = o.placed_at");
        }

        var dims = d.Dimensions.Select(n => Expressions[n]).ToList();
        var select = dims.Select((e, i) => FormattableString.Invariant($"{e} AS d{i}")).ToList();
        select.Add(d.Dimensions.Contains("product") ? "max(l.name) AS label" : "NULL AS label");
        select.Add($"CAST({a} AS BIGINT) AS a");
        select.Add($"CAST({b} AS BIGINT) AS b");
        select.Add(dims.Count == 0 ? "1 AS total" : $"CAST(grouping({string.Join(", ", dims)}) > 0 AS INTEGER) AS total");
        var sql = $"""
            SELECT {string.Join(", ", select)}
            FROM orders o
            {string.Join("\n", joins)}
            WHERE {string.Join(" AND ", where)}
            {(dims.Count == 0 ? "" : $"GROUP BY GROUPING SETS (({string.Join(", ", dims)}), ())")}
            """;
        return new ReportQuery(sql, parameters, usesZone, usesSegment, usesRfm);
    }
}
