using DuckDB.NET.Data;

namespace PecosCrm.Core.Analytics;

public sealed record RfmCell(int R, int F, int Customers, long RevenueCents, double AverageM);

public sealed record RfmSegmentSummary(string Name, int Customers, long RevenueCents, double AverageR, double AverageF, double AverageM);

/// <summary>The grid and segment totals, named by map version <paramref name="MapVersion"/>.</summary>
public sealed record RfmGrid(int Customers, IReadOnlyList<RfmCell> Cells, IReadOnlyList<RfmSegmentSummary> Segments, int MapVersion);

/// <summary>
/// How much more (above 1) or less (below 1) often a segment's customers bought a category than
/// scored customers in general. <paramref name="Customers"/>: the segment's customers who bought it;
/// <paramref name="CustomerShare"/>: of the segment's customers; <paramref name="RevenueCents"/>:
/// quantity × unit price of those lines; <paramref name="RevenueShare"/>: of the segment's line
/// revenue; <paramref name="Affinity"/>: the segment's share of buyers over the share among all
/// scored customers.
/// </summary>
public sealed record CategoryAffinity(string Category, int Customers, double CustomerShare, long RevenueCents, double RevenueShare, double Affinity);

public sealed record SegmentAffinity(string Segment, int Customers, long RevenueCents, IReadOnlyList<CategoryAffinity> Categories);

public sealed record RfmAffinityReport(DateTimeOffset From, DateTimeOffset To, int MapVersion, int Customers, IReadOnlyList<SegmentAffinity> Segments);

/// <summary>
/// RFM scores from the analytical copy, among customers with at least one counted order, over all
/// their orders. Each score is a quintile of the customer's rank: score = 1 + floor(5 × (rank − 1) / n),
/// n the number of scored customers, ranking by last order date (recency: the most recent scores
/// highest), by number of orders (frequency) and by net spend (monetary), each ascending. Ties: customers
/// with equal values share a rank (SQL <c>rank()</c>: the lowest position of the tie), so ties always
/// get the same score, the same data always gives the same scores, and a tie at the top can leave a
/// score of 5 unused. Segment names come from the current map of <see cref="RfmMapStore"/> (version 1
/// is the built-in <see cref="RfmMap.Default"/>).
/// </summary>
public sealed class RfmAnalysis(AnalyticsEngine engine, RfmMapStore maps)
{
    /// <summary>
    /// The one copy of the scoring SQL (see the class summary for the formula): one row per scored
    /// customer, <c>(customer_id, last_order, orders, spend, r, f, m, code)</c>. The engine
    /// materialises it once per version of the copy as <c>rfm_base</c>; the names of a map version
    /// are joined on by <see cref="AnalyticsSession.RfmScores"/>.
    /// </summary>
    internal const string ScoresSql = """
        WITH c AS (
            SELECT customer_id, max(placed_at) AS last_order, count(*) AS orders, CAST(sum(net_cents) AS BIGINT) AS spend
            FROM orders WHERE net_cents > 0 GROUP BY customer_id),
        n AS (SELECT count(*) AS total FROM c),
        s AS (
            SELECT customer_id, last_order, orders, spend,
                CAST(1 + floor(5.0 * (rank() OVER (ORDER BY last_order) - 1) / n.total) AS INTEGER) AS r,
                CAST(1 + floor(5.0 * (rank() OVER (ORDER BY orders) - 1) / n.total) AS INTEGER) AS f,
                CAST(1 + floor(5.0 * (rank() OVER (ORDER BY spend) - 1) / n.total) AS INTEGER) AS m
            FROM c, n)
        SELECT customer_id, last_order, orders, spend, r, f, m, CAST(r AS VARCHAR) || CAST(f AS VARCHAR) || CAST(m AS VARCHAR) AS code FROM s
        """;

    /// <summary>The current map, for callers that join a reader's scores table (<see cref="AnalyticsReader.RfmScores"/>).</summary>
    public Task<RfmMapVersion> CurrentMapAsync(CancellationToken cancellationToken = default) => maps.GetCurrentCachedAsync(cancellationToken);

    /// <summary>The names of the current map's segments, for segment rules to be checked against.</summary>
    public async Task<IReadOnlyList<string>> SegmentNamesAsync(CancellationToken cancellationToken = default) =>
        (await maps.GetCurrentCachedAsync(cancellationToken)).Segments.Select(s => s.Name).ToList();

    public async Task<RfmGrid> GetGridAsync(CancellationToken cancellationToken = default)
    {
        var map = await maps.GetCurrentCachedAsync(cancellationToken);
        using var session = await engine.AcquireAsync(cancellationToken);
        var db = session.Connection;
        var scores = session.RfmScores(map);
        var cells = new List<RfmCell>();
        using (var command = db.CreateCommand())
        {
            command.CommandText = $"SELECT r, f, count(*), CAST(sum(spend) AS BIGINT), avg(m) FROM {scores} GROUP BY r, f ORDER BY r DESC, f DESC";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                cells.Add(new RfmCell(reader.GetInt32(0), reader.GetInt32(1), (int)reader.GetInt64(2), reader.GetInt64(3), Math.Round(reader.GetDouble(4), 2)));
            }
        }
        var segments = new List<RfmSegmentSummary>();
        using (var command = db.CreateCommand())
        {
            command.CommandText = $"""
                SELECT segment, count(*), CAST(sum(spend) AS BIGINT), avg(r), avg(f), avg(m)
                FROM {scores} GROUP BY segment ORDER BY 3 DESC, 1
                """;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                segments.Add(new RfmSegmentSummary(reader.GetString(0), (int)reader.GetInt64(1), reader.GetInt64(2),
                    Math.Round(reader.GetDouble(3), 2), Math.Round(reader.GetDouble(4), 2), Math.Round(reader.GetDouble(5), 2)));
            }
        }
        return new RfmGrid(cells.Sum(c => c.Customers), cells, segments, map.Version);
    }

    /// <summary>Every scored customer's RFM code (e.g. <c>545</c>), for the nightly recompute to store on each customer.</summary>
    public async Task<IReadOnlyDictionary<string, string>> GetAllCodesAsync(CancellationToken cancellationToken = default)
    {
        using var session = await engine.AcquireAsync(cancellationToken);
        using var command = session.Connection.CreateCommand();
        command.CommandText = "SELECT customer_id, code FROM rfm_base";
        using var reader = command.ExecuteReader();
        var codes = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            codes[reader.GetString(0)] = reader.GetString(1);
        }
        return codes;
    }

    /// <summary>
    /// Category affinity per named segment of the current map, segments in the map's order and each
    /// one's categories by affinity, highest first. Scores and segments are computed over all orders,
    /// as in the grid; purchases are the counted order lines placed in [<paramref name="from"/>,
    /// <paramref name="to"/>), their revenue quantity × unit price (before order discounts, shipping,
    /// tax and partial refunds; lines of cancelled orders and of orders refunded in full are not counted), lines without a
    /// category under <c>uncategorized</c>. A segment without customers is listed with none.
    /// </summary>
    public async Task<RfmAffinityReport> GetAffinityAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        if (from >= to)
        {
            throw new ValidationFailedException("from", "must be before to.");
        }
        var map = await maps.GetCurrentCachedAsync(cancellationToken);
        using var session = await engine.AcquireAsync(cancellationToken);
        var db = session.Connection;
        var scores = session.RfmScores(map);

        var sizes = new Dictionary<string, int>(StringComparer.Ordinal);
        var scored = 0;
        using (var command = db.CreateCommand())
        {
            command.CommandText = $"SELECT segment, count(*) FROM {scores} GROUP BY segment";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var count = (int)reader.GetInt64(1);
                sizes[reader.GetString(0)] = count;
                scored += count;
            }
        }

        var rows = new List<(string Segment, CategoryAffinity Category)>();
        using (var command = db.CreateCommand())
        {
            // l: one row per customer and category bought in the range; overall: buyers among all scored customers.
            command.CommandText = $"""
                WITH l AS (
                    SELECT customer_id, coalesce(category, 'uncategorized') AS category, CAST(sum(quantity * unit_price_cents) AS BIGINT) AS cents
                    FROM order_lines WHERE counted AND placed_at >= $from AND placed_at < $to GROUP BY 1, 2),
                b AS (SELECT s.segment, l.category, l.customer_id, l.cents FROM l JOIN {scores} s ON s.customer_id = l.customer_id),
                overall AS (SELECT category, count(*) AS buyers FROM b GROUP BY category)
                SELECT b.segment, b.category, count(*), CAST(sum(b.cents) AS BIGINT), overall.buyers
                FROM b JOIN overall ON overall.category = b.category
                GROUP BY b.segment, b.category, overall.buyers
                """;
            command.Parameters.Add(new DuckDBParameter("from", from.UtcDateTime));
            command.Parameters.Add(new DuckDBParameter("to", to.UtcDateTime));
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var segment = reader.GetString(0);
                var buyers = reader.GetInt64(2);
                var size = sizes[segment];
                // Ratios of whole numbers, so 7/8 is exactly 0.875 and rounds the same everywhere.
                var affinity = (double)(buyers * scored) / (size * reader.GetInt64(4));
                rows.Add((segment, new CategoryAffinity(reader.GetString(1), (int)buyers, Math.Round((double)buyers / size, 4),
                    reader.GetInt64(3), 0, Math.Round(affinity, 2, MidpointRounding.AwayFromZero))));
            }
        }

        var segments = map.Segments.Select(s =>
        {
            var categories = rows.Where(r => r.Segment == s.Name).Select(r => r.Category).ToList();
            var revenue = categories.Sum(c => c.RevenueCents);
            return new SegmentAffinity(s.Name, sizes.GetValueOrDefault(s.Name), revenue, categories
                .Select(c => c with { RevenueShare = revenue == 0 ? 0 : Math.Round((double)c.RevenueCents / revenue, 4) })
                .OrderByDescending(c => c.Affinity).ThenBy(c => c.Category, StringComparer.Ordinal).ToList());
        }).ToList();
        return new RfmAffinityReport(from, to, map.Version, scored, segments);
    }
}
