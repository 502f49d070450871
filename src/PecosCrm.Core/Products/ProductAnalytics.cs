using DuckDB.NET.Data;
using PecosCrm.Core.Analytics;

namespace PecosCrm.Core.Products;

/// <summary>Another product bought in the same orders: how often, the share of this product's orders it is in, and the lift.</summary>
public sealed record CoPurchase(string ProductId, string? Name, long Orders, double Confidence, double Lift);

/// <summary>
/// How long customers take to buy a product again: the median of the days between one customer's
/// consecutive purchases of it (purchases on one day count once), over every customer who bought it twice or more.
/// </summary>
public sealed record ReplenishmentInterval(string ProductId, string? Name, string? Category, double MedianDays, long Intervals, long Customers);

/// <summary>A product's numbers over a period: views, orders and units, conversion (orders per view), what sells with it, and its replenishment interval.</summary>
public sealed record ProductNumbers(
    string ProductId, DateTimeOffset From, DateTimeOffset To, long Views, long Orders, long Units, long Customers, long RevenueCents, double? Conversion,
    IReadOnlyList<CoPurchase> CoPurchases, ReplenishmentInterval? Replenishment);

/// <summary>
/// Product analytics for the CRM, from the analytical copy (DuckDB over the order lines, counted
/// orders only) and the view counters. Replenishment intervals cover the whole copy, not the period:
/// a customer's repeat purchase may lie far back.
/// </summary>
public sealed class ProductAnalytics(AnalyticsEngine engine, ProductViews views)
{
    /// <summary>Customers with a repeat purchase a product needs before its interval is trusted.</summary>
    public const int DefaultMinCustomers = 3;

    public async Task<ProductNumbers> GetAsync(string productId, DateTimeOffset from, DateTimeOffset to, int coPurchaseLimit, CancellationToken cancellationToken = default)
    {
        if (from >= to)
        {
            throw new ValidationFailedException("from", "must be before to.");
        }
        var viewCount = await views.TotalAsync(productId, from, to, cancellationToken);
        using var db = await engine.OpenAsync(cancellationToken);
        var (orders, units, customers, revenue) = Purchases(db, productId, from, to);
        var together = CoPurchases(db, productId, from, to, orders, coPurchaseLimit);
        var interval = Intervals(db, productId, null, 1).FirstOrDefault();
        return new ProductNumbers(productId, from, to, viewCount, orders, units, customers, revenue,
            viewCount == 0 ? null : Math.Round((double)orders / viewCount, 4), together, interval);
    }

    /// <summary>The replenishment interval of every product bought again by at least <paramref name="minCustomers"/> customers, optionally of one category.</summary>
    public async Task<IReadOnlyList<ReplenishmentInterval>> IntervalsAsync(string? category, int minCustomers, CancellationToken cancellationToken = default)
    {
        using var db = await engine.OpenAsync(cancellationToken);
        return Intervals(db, null, category, minCustomers);
    }

    private static (long Orders, long Units, long Customers, long RevenueCents) Purchases(DuckDBConnection db, string productId, DateTimeOffset from, DateTimeOffset to)
    {
        using var command = db.CreateCommand();
        command.CommandText = """
            SELECT count(DISTINCT order_id), CAST(coalesce(sum(quantity), 0) AS BIGINT), count(DISTINCT customer_id),
                   CAST(coalesce(sum(quantity * unit_price_cents), 0) AS BIGINT)
            FROM order_lines WHERE counted AND product_id = $product AND placed_at >= $from AND placed_at < $to
            """;
        Parameters(command, productId, from, to);
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
    }

    private static List<CoPurchase> CoPurchases(DuckDBConnection db, string productId, DateTimeOffset from, DateTimeOffset to, long orders, int limit)
    {
        if (orders == 0)
        {
            return [];
        }
        using var command = db.CreateCommand();
        command.CommandText = """
            WITH l AS (SELECT DISTINCT order_id, product_id, name FROM order_lines
                       WHERE counted AND product_id IS NOT NULL AND placed_at >= $from AND placed_at < $to),
            n AS (SELECT count(DISTINCT order_id) AS orders FROM l),
            mine AS (SELECT DISTINCT order_id FROM l WHERE product_id = $product),
            single AS (SELECT product_id, count(*) AS c FROM l GROUP BY product_id),
            together AS (SELECT l.product_id, any_value(l.name) AS name, count(*) AS c FROM l JOIN mine USING (order_id)
                         WHERE l.product_id <> $product GROUP BY l.product_id)
            SELECT t.product_id, t.name, t.c, t.c / (SELECT count(*) FROM mine), t.c * n.orders / ((SELECT count(*) FROM mine) * s.c)
            FROM together t, n, single s WHERE s.product_id = t.product_id
            ORDER BY t.c DESC, 5 DESC, t.product_id
            LIMIT $limit
            """;
        Parameters(command, productId, from, to);
        command.Parameters.Add(new DuckDBParameter("limit", limit));
        using var reader = command.ExecuteReader();
        var list = new List<CoPurchase>();
        while (reader.Read())
        {
            list.Add(new CoPurchase(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt64(2),
                Math.Round(reader.GetDouble(3), 4), Math.Round(reader.GetDouble(4), 4)));
        }
        return list;
    }

    private static List<ReplenishmentInterval> Intervals(DuckDBConnection db, string? productId, string? category, int minCustomers)
    {
        using var command = db.CreateCommand();
        command.CommandText = """
            WITH buys AS (SELECT DISTINCT product_id, customer_id, CAST(placed_at AS DATE) AS d FROM order_lines
                          WHERE counted AND product_id IS NOT NULL
                            AND ($product IS NULL OR product_id = $product)
                            AND ($category IS NULL OR lower(category) = lower($category))),
            gaps AS (SELECT product_id, customer_id, date_diff('day', lag(d) OVER (PARTITION BY product_id, customer_id ORDER BY d), d) AS days FROM buys),
            names AS (SELECT product_id, any_value(name) AS name, any_value(category) AS category FROM order_lines
                      WHERE ($product IS NULL OR product_id = $product) GROUP BY product_id)
            SELECT g.product_id, n.name, n.category, CAST(median(g.days) AS DOUBLE), count(*), count(DISTINCT g.customer_id)
            FROM gaps g JOIN names n USING (product_id)
            WHERE g.days IS NOT NULL
            GROUP BY g.product_id, n.name, n.category
            HAVING count(DISTINCT g.customer_id) >= $min
            ORDER BY g.product_id
            """;
        command.Parameters.Add(new DuckDBParameter("product", productId));
        command.Parameters.Add(new DuckDBParameter("category", category));
        command.Parameters.Add(new DuckDBParameter("min", minCustomers));
        using var reader = command.ExecuteReader();
        var list = new List<ReplenishmentInterval>();
        while (reader.Read())
        {
            list.Add(new ReplenishmentInterval(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                Math.Round(reader.GetDouble(3), 1), reader.GetInt64(4), reader.GetInt64(5)));
        }
        return list;
    }

    private static void Parameters(DuckDBCommand command, string productId, DateTimeOffset from, DateTimeOffset to)
    {
        command.Parameters.Add(new DuckDBParameter("product", productId));
        command.Parameters.Add(new DuckDBParameter("from", from.UtcDateTime));
        command.Parameters.Add(new DuckDBParameter("to", to.UtcDateTime));
    }
}
