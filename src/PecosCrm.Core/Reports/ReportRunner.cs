using DuckDB.NET.Data;
using PecosCrm.Core.Analytics;
using PecosCrm.Core.Segments;

namespace PecosCrm.Core.Reports;

/// <summary>
/// Runs a checked definition on the analytical copy, through the shared DuckDB session (never a
/// table scan): the store's clock offsets over the range and the members of filtered segments go
/// into temporary tables of the reader's own connection, the query is <see cref="ReportQuery"/>.
/// </summary>
public sealed class ReportRunner(AnalyticsEngine engine, AnalyticsCopy copy, RfmMapStore rfmMaps, SegmentStore segments, StoreTime storeTime)
{
    /// <summary>A segment filter reads at most this many members of each segment.</summary>
    public const int MaxSegmentMembers = 200_000;

    /// <summary>Runs <paramref name="definition"/> with its date range resolved as of <paramref name="asOf"/>.</summary>
    public async Task<ReportResult> RunAsync(ReportDefinition definition, DateTimeOffset asOf, CancellationToken cancellationToken = default)
    {
        var zone = storeTime.Zone;
        var period = ReportPeriod.Resolve(definition.DateRange, zone, asOf);
        var members = await SegmentMembersAsync(definition, cancellationToken);
        var rfm = definition.Dimensions.Concat(definition.Filters.Select(f => f.Field)).Contains("rfm_segment")
            ? await rfmMaps.GetCurrentCachedAsync(cancellationToken)
            : null;

        using var reader = await engine.AcquireAsync(cancellationToken);
        var query = ReportQuery.Build(definition, period.From, period.To, rfm is null ? null : reader.RfmScores(rfm));
        var db = reader.Connection;
        if (query.UsesZone)
        {
            Execute(db, "CREATE OR REPLACE TEMP TABLE report_zone (from_utc TIMESTAMP, to_utc TIMESTAMP, offset_min BIGINT)");
            using var appender = db.CreateAppender("report_zone");
            foreach (var span in ReportPeriod.Offsets(zone, period.From, period.To))
            {
                appender.CreateRow().AppendValue(span.From.UtcDateTime).AppendValue(span.To.UtcDateTime).AppendValue((long)span.OffsetMinutes).EndRow();
            }
        }
        if (query.UsesSegment)
        {
            Execute(db, "CREATE OR REPLACE TEMP TABLE report_segment (filter INTEGER, customer_id VARCHAR)");
            using var appender = db.CreateAppender("report_segment");
            foreach (var (filter, id) in members)
            {
                appender.CreateRow().AppendValue(filter).AppendValue(id).EndRow();
            }
        }

        var metric = ReportCatalog.FindMetric(definition.Metric)!;
        var rows = new List<ReportRow>();
        decimal total = 0;
        using (var command = db.CreateCommand())
        {
            command.CommandText = query.Sql;
            foreach (var (name, value) in query.Parameters)
            {
                command.Parameters.Add(new DuckDBParameter(name, value));
            }
            using var result = command.ExecuteReader();
            var count = definition.Dimensions.Count;
            while (result.Read())
            {
                var value = Value(metric, result.IsDBNull(count + 1) ? 0 : result.GetInt64(count + 1), result.IsDBNull(count + 2) ? 0 : result.GetInt64(count + 2));
                if (result.GetInt32(count + 3) == 1)
                {
                    total = value;
                    continue;
                }
                var dimensions = new Dictionary<string, string>(StringComparer.Ordinal);
                for (var i = 0; i < count; i++)
                {
                    dimensions[definition.Dimensions[i]] = result.GetString(i);
                }
                var labels = new Dictionary<string, string>(StringComparer.Ordinal);
                if (!result.IsDBNull(count))
                {
                    labels["product"] = result.GetString(count);
                }
                rows.Add(new ReportRow(dimensions, labels, value));
            }
        }

        var ordered = Order(definition, rows).ToList();
        var freshness = await copy.AnswerFreshnessAsync(reader.Session.AsOf, cancellationToken);
        return new ReportResult(
            metric.Name, metric.Label, metric.Kind == ReportValueKind.Money ? Money.DefaultCurrency : null, definition.Chart, definition.Dimensions,
            ordered.Take(ReportCatalog.MaxRows).ToList(), total, ordered.Count > ReportCatalog.MaxRows, period.From, period.To,
            period.FirstDay.ToString(ReportPeriod.DateFormat, System.Globalization.CultureInfo.InvariantCulture),
            period.LastDay.ToString(ReportPeriod.DateFormat, System.Globalization.CultureInfo.InvariantCulture), zone.Id, asOf, freshness);
    }

    /// <summary>Time order when the first dimension is time, else largest value first; ties by the dimension values.</summary>
    private static IEnumerable<ReportRow> Order(ReportDefinition definition, List<ReportRow> rows)
    {
        string Key(ReportRow r) => string.Join('\u0001', definition.Dimensions.Select(d => r.Dimensions[d]));
        return definition.Dimensions.Count > 0 && ReportCatalog.FindDimension(definition.Dimensions[0])!.Time
            ? rows.OrderBy(Key, StringComparer.Ordinal)
            : rows.OrderByDescending(r => r.Value).ThenBy(Key, StringComparer.Ordinal);
    }

    private static decimal Value(ReportMetric metric, long a, long b) => metric.Name switch
    {
        "average_order_value" => Money.ToDecimal(Money.Divide(a, b)),
        _ when metric.Kind == ReportValueKind.Money => Money.ToDecimal(a),
        _ => a,
    };

    private async Task<List<(int Filter, string CustomerId)>> SegmentMembersAsync(ReportDefinition definition, CancellationToken cancellationToken)
    {
        var members = new List<(int, string)>();
        for (var i = 0; i < definition.Filters.Count; i++)
        {
            if (definition.Filters[i].Field != ReportCatalog.SegmentFilter)
            {
                continue;
            }
            foreach (var segmentId in definition.Filters[i].Values)
            {
                var read = 0;
                await foreach (var page in segments.MemberIdPagesAsync(segmentId, cancellationToken))
                {
                    members.AddRange(page.Select(id => (i, id)));
                    read += page.Count;
                    if (read >= MaxSegmentMembers)
                    {
                        break;
                    }
                }
            }
        }
        return members;
    }

    private static void Execute(DuckDBConnection db, string sql)
    {
        using var command = db.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
