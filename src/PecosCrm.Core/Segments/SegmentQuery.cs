using System.Text.Json;
using DuckDB.NET.Data;
using PecosCrm.Core.Analytics;

namespace PecosCrm.Core.Segments;

/// <summary>
/// Runs compiled segments in DuckDB on the engine's shared session of the analytical copy: the
/// <c>customers</c> row of every customer as <c>f</c> (features and purchase facts), joined with the
/// session's RFM scores under the current map as <c>rfm</c> only when a rule names an RFM field.
/// Each call reads the version current when it starts, on a connection of its own.
/// </summary>
public sealed class SegmentQuery(AnalyticsEngine engine, RfmAnalysis rfm)
{
    private async Task<(AnalyticsReader Reader, string From)> OpenAsync(CompiledSegment segment, CancellationToken cancellationToken)
    {
        var map = segment.UsesRfm ? await rfm.CurrentMapAsync(cancellationToken) : null;
        var reader = await engine.AcquireAsync(cancellationToken);
        try
        {
            var from = map is null ? "customers f" : $"customers f LEFT JOIN {reader.RfmScores(map)} rfm ON rfm.customer_id = f.customer_id";
            return (reader, from);
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>How many customers match and the first <paramref name="sampleSize"/> by lifetime value, with the time of the version read.</summary>
    public async Task<(SegmentPreview Preview, DateTimeOffset? AsOf)> PreviewAsync(CompiledSegment segment, int sampleSize, CancellationToken cancellationToken = default)
    {
        var (reader, from) = await OpenAsync(segment, cancellationToken);
        using var _ = reader;
        var db = reader.Connection;
        if (sampleSize == 0)
        {
            using var counting = Command(db, $"SELECT count(*) FROM {from} WHERE {segment.Where}", segment);
            var total = Convert.ToInt64(counting.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            return (new SegmentPreview(total, [], SegmentCompiler.Describe(segment.Normalized)), reader.Session.AsOf);
        }
        // One pass: the count of every match rides on the sampled rows (no row when nothing matches).
        long count = 0;
        var sample = new List<SegmentSample>();
        using (var command = Command(db, $"""
            SELECT f.customer_id, f.first_name, f.last_name, f.email, f.tier, f.lifetime_value_cents, f.order_count, f.last_order_at, count(*) OVER () AS matches
            FROM {from} WHERE {segment.Where} ORDER BY f.lifetime_value_cents DESC, f.customer_id LIMIT {sampleSize}
            """, segment))
        using (var rows = command.ExecuteReader())
        {
            while (rows.Read())
            {
                count = rows.GetInt64(8);
                sample.Add(new SegmentSample(rows.GetString(0), rows.IsDBNull(1) ? "" : rows.GetString(1), rows.IsDBNull(2) ? "" : rows.GetString(2),
                    rows.IsDBNull(3) ? null : rows.GetString(3), rows.GetString(4), Money.ToDecimal(rows.GetInt64(5)), rows.GetInt32(6),
                    rows.IsDBNull(7) ? null : new DateTimeOffset(DateTime.SpecifyKind(rows.GetDateTime(7), DateTimeKind.Utc))));
            }
        }
        return (new SegmentPreview(count, sample, SegmentCompiler.Describe(segment.Normalized)), reader.Session.AsOf);
    }

    /// <summary>Every customer id the segment matches now.</summary>
    public async Task<HashSet<string>> MatchingIdsAsync(CompiledSegment segment, CancellationToken cancellationToken = default)
    {
        var (reader, from) = await OpenAsync(segment, cancellationToken);
        using var _ = reader;
        using var command = Command(reader.Connection, $"SELECT f.customer_id FROM {from} WHERE {segment.Where}", segment);
        using var rows = command.ExecuteReader();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        while (rows.Read())
        {
            ids.Add(rows.GetString(0));
        }
        return ids;
    }

    /// <summary>Each condition's outcome and value for one customer; null when the customer is not in the copy.</summary>
    public async Task<(bool Matches, ExplainedRule Rules, DateTimeOffset? AsOf)?> ExplainAsync(CompiledSegment segment, string customerId, CancellationToken cancellationToken = default)
    {
        var (session, from) = await OpenAsync(segment, cancellationToken);
        using var _ = session;
        var columns = segment.Conditions.SelectMany((c, i) => new[] { $"{c.Met} AS met{i}", $"{c.Value} AS value{i}" });
        using var command = Command(session.Connection, $"SELECT {segment.Where} AS matches, {string.Join(", ", columns)} FROM {from} WHERE f.customer_id = $customer", segment);
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
        return (reader.GetBoolean(0), Explain(segment.Normalized, "rules", outcomes), session.Session.AsOf);
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
