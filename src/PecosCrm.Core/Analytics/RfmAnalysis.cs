using DuckDB.NET.Data;

namespace PecosCrm.Core.Analytics;

public sealed record RfmCell(int R, int F, int Customers, long RevenueCents, double AverageM);

public sealed record RfmSegmentSummary(string Name, int Customers, long RevenueCents, double AverageR, double AverageF, double AverageM);

public sealed record RfmGrid(int Customers, IReadOnlyList<RfmCell> Cells, IReadOnlyList<RfmSegmentSummary> Segments);

public sealed record RfmScore(string CustomerId, int R, int F, int M, string Code, string Segment, DateTime LastOrderAt, long Orders, long SpendCents);

/// <summary>
/// RFM scores from the analytical copy, among customers with at least one counted order.
/// Each score is a quintile of the customer's rank: score = 1 + floor(5 × (rank − 1) / customers),
/// ranking by last order date (recency: the most recent scores highest), by number of orders
/// (frequency) and by net spend (monetary), each ascending. Customers with equal values share a
/// rank (SQL <c>rank()</c>: the lowest position of the tie), so ties always get the same score and
/// the same data always gives the same scores.
/// </summary>
public sealed class RfmAnalysis(AnalyticsEngine engine)
{
    private const string Scores = """
        WITH c AS (
            SELECT customer_id, max(placed_at) AS last_order, count(*) AS orders, CAST(sum(net_cents) AS BIGINT) AS spend
            FROM orders WHERE net_cents > 0 GROUP BY customer_id),
        n AS (SELECT count(*) AS total FROM c)
        SELECT customer_id, last_order, orders, spend,
            CAST(1 + floor(5.0 * (rank() OVER (ORDER BY last_order) - 1) / n.total) AS INTEGER) AS r,
            CAST(1 + floor(5.0 * (rank() OVER (ORDER BY orders) - 1) / n.total) AS INTEGER) AS f,
            CAST(1 + floor(5.0 * (rank() OVER (ORDER BY spend) - 1) / n.total) AS INTEGER) AS m
        FROM c, n
        """;

    public async Task<RfmGrid> GetGridAsync(CancellationToken cancellationToken = default)
    {
        using var db = await engine.OpenAsync(cancellationToken);
        LoadMap(db);
        var cells = new List<RfmCell>();
        using (var command = db.CreateCommand())
        {
            command.CommandText = $"WITH s AS ({Scores}) SELECT r, f, count(*), CAST(sum(spend) AS BIGINT), avg(m) FROM s GROUP BY r, f ORDER BY r DESC, f DESC";
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
                WITH s AS ({Scores})
                SELECT map.name, count(*), CAST(sum(spend) AS BIGINT), avg(r), avg(f), avg(m)
                FROM s JOIN rfm_map map ON map.code = CAST(r AS VARCHAR) || CAST(f AS VARCHAR) || CAST(m AS VARCHAR)
                GROUP BY map.name ORDER BY 3 DESC, 1
                """;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                segments.Add(new RfmSegmentSummary(reader.GetString(0), (int)reader.GetInt64(1), reader.GetInt64(2),
                    Math.Round(reader.GetDouble(3), 2), Math.Round(reader.GetDouble(4), 2), Math.Round(reader.GetDouble(5), 2)));
            }
        }
        return new RfmGrid(cells.Sum(c => c.Customers), cells, segments);
    }

    /// <summary>Every scored customer's RFM code (e.g. <c>545</c>), for the nightly recompute to store on each customer.</summary>
    public async Task<IReadOnlyDictionary<string, string>> GetAllCodesAsync(CancellationToken cancellationToken = default)
    {
        using var db = await engine.OpenAsync(cancellationToken);
        using var command = db.CreateCommand();
        command.CommandText = $"WITH s AS ({Scores}) SELECT customer_id, r, f, m FROM s";
        using var reader = command.ExecuteReader();
        var codes = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            codes[reader.GetString(0)] = RfmMap.Code(reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3));
        }
        return codes;
    }

    /// <summary>One customer's scores, or null when they have no counted order in the copy.</summary>
    public async Task<RfmScore?> GetScoreAsync(string customerId, CancellationToken cancellationToken = default)
    {
        using var db = await engine.OpenAsync(cancellationToken);
        using var command = db.CreateCommand();
        command.CommandText = $"WITH s AS ({Scores}) SELECT r, f, m, last_order, orders, spend FROM s WHERE customer_id = $id";
        command.Parameters.Add(new DuckDBParameter("id", customerId));
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }
        var (r, f, m) = (reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2));
        var code = RfmMap.Code(r, f, m);
        return new RfmScore(customerId, r, f, m, code, RfmMap.Default[code], reader.GetDateTime(3), reader.GetInt64(4), reader.GetInt64(5));
    }

    /// <summary>Creates <c>rfm_map(code, name)</c> and the view <c>rfm_scores(customer_id, last_order, orders, spend, r, f, m, code, segment)</c> in a session.</summary>
    public Task RegisterAsync(DuckDBConnection db, CancellationToken cancellationToken = default)
    {
        LoadMap(db);
        using var command = db.CreateCommand();
        command.CommandText = $"""
            CREATE VIEW rfm_scores AS
            WITH s AS ({Scores})
            SELECT s.*, CAST(r AS VARCHAR) || CAST(f AS VARCHAR) || CAST(m AS VARCHAR) AS code, map.name AS segment
            FROM s LEFT JOIN rfm_map map ON map.code = CAST(r AS VARCHAR) || CAST(f AS VARCHAR) || CAST(m AS VARCHAR)
            """;
        command.ExecuteNonQuery();
        return Task.CompletedTask;
    }

    /// <summary>The names of the current map's segments.</summary>
    public Task<IReadOnlyList<string>> SegmentNamesAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<string>>(RfmMap.Default.Values.Distinct().ToList());

    private static void LoadMap(DuckDBConnection db)
    {
        using (var command = db.CreateCommand())
        {
            command.CommandText = "CREATE TABLE rfm_map (code VARCHAR, name VARCHAR)";
            command.ExecuteNonQuery();
        }
        using var appender = db.CreateAppender("rfm_map");
        foreach (var (code, name) in RfmMap.Default)
        {
            appender.CreateRow().AppendValue(code).AppendValue(name).EndRow();
        }
    }
}
