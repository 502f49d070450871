using DuckDB.NET.Data;

namespace PecosCrm.Core.Analytics;

public sealed record RevenuePoint(string Key, long Orders, long RevenueCents);

public sealed record ChannelShare(string Channel, long Orders, long RevenueCents, double Share);

public sealed record RevenueReport(IReadOnlyList<RevenuePoint> ByMonth, IReadOnlyList<RevenuePoint> ByWeekday, IReadOnlyList<ChannelShare> Channels);

/// <summary>
/// Two items bought in the same order. Support: the share of orders holding both. Confidence A→B:
/// the share of orders with A that also hold B. Lift: how much more often they go together than if
/// they were independent (above 1: together more than by chance).
/// </summary>
public sealed record ItemPair(string A, string B, long Orders, double Support, double ConfidenceAToB, double ConfidenceBToA, double Lift);

/// <summary>Revenue over time and by channel, and what sells together, from the analytical copy (counted orders only).</summary>
public sealed class InsightAnalysis(AnalyticsEngine engine, StoreTime storeTime)
{
    private static readonly string[] Weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

    public async Task<RevenueReport> RevenueAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        Check(from, to);
        using var db = await engine.OpenAsync(cancellationToken);
        // Months and weekdays are the store's (Store:TimeZone): orders are summed in UTC quarter
        // hours (every zone's offset is a multiple of 15 minutes) and each quarter is placed on the store's clock.
        var zone = storeTime.Zone;
        var quarters = Points(db, "CAST(CAST(floor(epoch(placed_at) / 900) AS BIGINT) AS VARCHAR)", from, to)
            .Select(p => (Local: TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeSeconds(long.Parse(p.Key, System.Globalization.CultureInfo.InvariantCulture) * 900), zone), Point: p))
            .ToList();
        var months = Fold(quarters, q => q.Local.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture)).OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
        var days = Fold(quarters, q => Weekdays[(int)q.Local.DayOfWeek]).OrderBy(p => Array.IndexOf(Weekdays, p.Key)).ToList();
        var channels = Points(db, "coalesce(channel, 'unknown')", from, to);
        var total = channels.Sum(c => c.RevenueCents);
        return new RevenueReport(months, days,
            channels.OrderByDescending(c => c.RevenueCents).Select(c => new ChannelShare(c.Key, c.Orders, c.RevenueCents, total == 0 ? 0 : Math.Round((double)c.RevenueCents / total, 4))).ToList());
    }

    /// <summary>The pairs of categories (or products) most often bought together, with support, confidence and lift.</summary>
    public async Task<IReadOnlyList<ItemPair>> PairsAsync(bool byProduct, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken = default)
    {
        Check(from, to);
        using var db = await engine.OpenAsync(cancellationToken);
        using var command = db.CreateCommand();
        var item = byProduct ? "product_id" : "category";
        command.CommandText = $"""
            WITH l AS (SELECT DISTINCT order_id, {item} AS item FROM order_lines
                       WHERE counted AND {item} IS NOT NULL AND placed_at >= $from AND placed_at < $to),
            n AS (SELECT count(DISTINCT order_id) AS orders FROM l),
            single AS (SELECT item, count(*) AS c FROM l GROUP BY item),
            pairs AS (SELECT x.item AS a, y.item AS b, count(*) AS c FROM l x JOIN l y ON x.order_id = y.order_id AND x.item < y.item GROUP BY 1, 2)
            SELECT p.a, p.b, p.c, p.c / n.orders, p.c / sa.c, p.c / sb.c, p.c * n.orders / (sa.c * sb.c)
            FROM pairs p, n, single sa, single sb
            WHERE sa.item = p.a AND sb.item = p.b
            ORDER BY p.c DESC, 7 DESC, p.a, p.b
            LIMIT $limit
            """;
        command.Parameters.Add(new DuckDBParameter("from", from.UtcDateTime));
        command.Parameters.Add(new DuckDBParameter("to", to.UtcDateTime));
        command.Parameters.Add(new DuckDBParameter("limit", limit));
        using var reader = command.ExecuteReader();
        var pairs = new List<ItemPair>();
        while (reader.Read())
        {
            pairs.Add(new ItemPair(reader.GetString(0), reader.GetString(1), reader.GetInt64(2),
                Math.Round(reader.GetDouble(3), 4), Math.Round(reader.GetDouble(4), 4), Math.Round(reader.GetDouble(5), 4), Math.Round(reader.GetDouble(6), 4)));
        }
        return pairs;
    }

    /// <summary>Orders and net revenue grouped by a SQL expression over the columns (never user text).</summary>
    private static List<RevenuePoint> Points(DuckDBConnection db, string key, DateTimeOffset from, DateTimeOffset to)
    {
        using var command = db.CreateCommand();
        command.CommandText = $"""
            SELECT {key} AS k, count(*), CAST(sum(net_cents) AS BIGINT) FROM orders
            WHERE net_cents > 0 AND placed_at >= $from AND placed_at < $to GROUP BY k ORDER BY k
            """;
        command.Parameters.Add(new DuckDBParameter("from", from.UtcDateTime));
        command.Parameters.Add(new DuckDBParameter("to", to.UtcDateTime));
        using var reader = command.ExecuteReader();
        var points = new List<RevenuePoint>();
        while (reader.Read())
        {
            points.Add(new RevenuePoint(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2)));
        }
        return points;
    }

    private static IEnumerable<RevenuePoint> Fold(List<(DateTimeOffset Local, RevenuePoint Point)> quarters, Func<(DateTimeOffset Local, RevenuePoint Point), string> key) =>
        quarters.GroupBy(key).Select(g => new RevenuePoint(g.Key, g.Sum(q => q.Point.Orders), g.Sum(q => q.Point.RevenueCents)));

    private static void Check(DateTimeOffset from, DateTimeOffset to)
    {
        if (from >= to)
        {
            throw new ValidationFailedException("from", "must be before to.");
        }
    }
}
