using System.Text.Json;
using DuckDB.NET.Data;
using PecosCrm.Core.Analytics;

namespace PecosCrm.Core.Segments;

/// <summary>
/// Runs compiled segments in DuckDB over the analytical copy: the features row of every customer as
/// <c>f</c>, joined with the live RFM scores under the current map.
/// </summary>
public sealed class SegmentQuery(AnalyticsEngine engine, RfmAnalysis rfm)
{
    private const string Features = """
        CREATE TEMP VIEW f AS
        SELECT c.*, s.r AS rfm_r, s.f AS rfm_f, s.m AS rfm_m, s.code AS rfm_code, s.segment AS rfm_segment
        FROM customers c LEFT JOIN rfm_scores s ON s.customer_id = c.customer_id
        """;

    private async Task<DuckDBConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var db = await engine.OpenAsync(cancellationToken);
        await rfm.RegisterAsync(db, cancellationToken);
        using var command = db.CreateCommand();
        command.CommandText = Features;
        command.ExecuteNonQuery();
        return db;
    }

    public async Task<SegmentPreview> PreviewAsync(CompiledSegment segment, int sampleSize, CancellationToken cancellationToken = default)
    {
        using var db = await OpenAsync(cancellationToken);
        long count;
        using (var command = Command(db, $"SELECT count(*) FROM f WHERE {segment.Where}", segment))
        {
            count = Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }
        var sample = new List<SegmentSample>();
        using (var command = Command(db, $"""
            SELECT customer_id, first_name, last_name, email, tier, lifetime_value_cents, order_count, last_order_at
            FROM f WHERE {segment.Where} ORDER BY lifetime_value_cents DESC, customer_id LIMIT {sampleSize}
            """, segment))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                sample.Add(new SegmentSample(reader.GetString(0), reader.IsDBNull(1) ? "" : reader.GetString(1), reader.IsDBNull(2) ? "" : reader.GetString(2),
                    reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetString(4), Money.ToDecimal(reader.GetInt64(5)), reader.GetInt32(6),
                    reader.IsDBNull(7) ? null : new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(7), DateTimeKind.Utc))));
            }
        }
        return new SegmentPreview(count, sample, SegmentCompiler.Describe(segment.Normalized));
    }

    /// <summary>Every customer id the segment matches now.</summary>
    public async Task<HashSet<string>> MatchingIdsAsync(CompiledSegment segment, CancellationToken cancellationToken = default)
    {
        using var db = await OpenAsync(cancellationToken);
        using var command = Command(db, $"SELECT customer_id FROM f WHERE {segment.Where}", segment);
        using var reader = command.ExecuteReader();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }
        return ids;
    }

    /// <summary>Each condition's outcome and value for one customer; null when the customer is not in the copy.</summary>
    public async Task<(bool Matches, ExplainedRule Rules)?> ExplainAsync(CompiledSegment segment, string customerId, CancellationToken cancellationToken = default)
    {
        using var db = await OpenAsync(cancellationToken);
        var columns = segment.Conditions.SelectMany((c, i) => new[] { $"{c.Met} AS met{i}", $"{c.Value} AS value{i}" });
        using var command = Command(db, $"SELECT {segment.Where} AS matches, {string.Join(", ", columns)} FROM f WHERE customer_id = $customer", segment);
        command.Parameters.Add(new DuckDBParameter("customer", customerId));
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }
        var outcomes = new Dictionary<string, (bool Met, object? Value)>(StringComparer.Ordinal);
        for (var i = 0; i < segment.Conditions.Count; i++)
        {
            var field = SegmentFields.Find(segment.Conditions[i].Rule.Field);
            var raw = reader.IsDBNull(2 * i + 2) ? null : reader.GetValue(2 * i + 2);
            outcomes[segment.Conditions[i].Path] = (reader.GetBoolean(2 * i + 1), Display(field, raw));
        }
        return (reader.GetBoolean(0), Explain(segment.Normalized, "rules", outcomes));
    }

    private static ExplainedRule Explain(SegmentRule rule, string path, Dictionary<string, (bool Met, object? Value)> outcomes)
    {
        if (rule.IsGroup)
        {
            var children = (rule.Rules ?? []).Select((r, i) => Explain(r, $"{path}.rules[{i}]", outcomes)).ToList();
            var met = rule.Match == "any" ? children.Any(c => c.Met) : children.All(c => c.Met);
            return new ExplainedRule(rule.Match, null, null, null, null, met, null, children);
        }
        var (conditionMet, value) = outcomes[path];
        return new ExplainedRule(null, rule.Field, rule.Op, rule.Value, rule.WithinDays, conditionMet, value, null);
    }

    /// <summary>A value as the API shows it: money in currency units, times in UTC, tags as a list.</summary>
    private static object? Display(SegmentField? field, object? raw) => (field?.Kind, raw) switch
    {
        (_, null) => null,
        (FieldKind.Money, _) => Convert.ToDecimal(raw, System.Globalization.CultureInfo.InvariantCulture) / 100m,
        (FieldKind.Tags, string tags) => tags.Split('|', StringSplitOptions.RemoveEmptyEntries),
        (_, DateTime at) => new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)),
        (_, DateOnly date) => date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        _ => raw,
    };

    private static DuckDBCommand Command(DuckDBConnection db, string sql, CompiledSegment segment)
    {
        var command = db.CreateCommand();
        command.CommandText = sql;
        foreach (var p in segment.Parameters)
        {
            command.Parameters.Add(new DuckDBParameter(p.ParameterName, p.Value));
        }
        return command;
    }
}
