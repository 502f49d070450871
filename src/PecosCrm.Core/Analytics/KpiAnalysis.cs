using DuckDB.NET.Data;
using PecosCrm.Core.Customers;

namespace PecosCrm.Core.Analytics;

/// <summary>
/// A metric over a period, beside the previous period of equal length and the change in percent
/// (null when the previous value is 0). Amounts (revenue, average order value, average lifetime
/// value) are in the currency's unit rounded half away from zero to the cent, with their
/// <c>Currency</c>; other metrics are counts, shares or days (four decimals) with no currency.
/// </summary>
public sealed record Kpi(string Name, decimal Value, decimal Previous, double? ChangePercent, string? Currency, string Definition);

public sealed record KpiReport(DateTimeOffset From, DateTimeOffset To, DateTimeOffset PreviousFrom, IReadOnlyList<Kpi> Metrics, CopyFreshness? Freshness = null);

/// <summary>
/// Store-wide customer metrics for a period [from, to) from the analytical copy. Only counted orders
/// (not cancelled, not refunded in full) take part. Amounts are summed in whole cents and shared
/// out with <see cref="Money.Divide"/>, so no float rounding reaches them.
/// </summary>
public sealed class KpiAnalysis(AnalyticsEngine engine)
{
    public static readonly IReadOnlyDictionary<string, string> Definitions = new Dictionary<string, string>
    {
        ["revenue"] = "Net revenue (totals less refunds) of orders placed in the period.",
        ["orders"] = "Orders placed in the period.",
        ["averageOrderValue"] = "Revenue divided by orders.",
        ["activeCustomers"] = "Customers with at least one order in the period.",
        ["newCustomers"] = "Customers whose first ever order is in the period.",
        ["returningCustomerRate"] = "Share of the period's active customers who had ordered before it.",
        ["totalCustomers"] = "Customers with at least one order before the end of the period.",
        ["averageLifetimeValue"] = "Net revenue of all orders before the end of the period divided by total customers.",
        ["repeatPurchaseRate"] = "Share of total customers with two or more orders before the end of the period.",
        ["purchaseFrequency"] = "Orders in the period per active customer.",
        ["averageDaysBetweenPurchases"] = "Mean gap in days between a customer's consecutive orders, for gaps that end in the period.",
        ["churnRate"] = "Share of the customers active in the previous period of equal length who did not order in this one.",
    };

    private const string Sql = """
        WITH o AS (SELECT customer_id, placed_at, net_cents FROM orders WHERE net_cents > 0),
        firsts AS (SELECT customer_id, min(placed_at) AS first_at FROM o GROUP BY customer_id),
        p AS (SELECT * FROM o WHERE placed_at >= $from AND placed_at < $to),
        before_end AS (SELECT customer_id, count(*) AS n, sum(net_cents) AS spend FROM o WHERE placed_at < $to GROUP BY customer_id),
        gaps AS (SELECT placed_at, datediff('second', lag(placed_at) OVER (PARTITION BY customer_id ORDER BY placed_at), placed_at) / 86400.0 AS gap FROM o),
        prev_active AS (SELECT DISTINCT customer_id FROM o WHERE placed_at >= $prev AND placed_at < $from),
        active AS (SELECT DISTINCT customer_id FROM p)
        SELECT
            coalesce(CAST((SELECT sum(net_cents) FROM p) AS BIGINT), 0),
            (SELECT count(*) FROM p),
            (SELECT count(*) FROM active),
            (SELECT count(*) FROM firsts WHERE first_at >= $from AND first_at < $to),
            (SELECT count(*) FROM before_end),
            coalesce(CAST((SELECT sum(spend) FROM before_end) AS BIGINT), 0),
            (SELECT count(*) FROM before_end WHERE n >= 2),
            (SELECT avg(gap) FROM gaps WHERE gap IS NOT NULL AND placed_at >= $from AND placed_at < $to),
            (SELECT count(*) FROM prev_active),
            (SELECT count(*) FROM prev_active WHERE customer_id NOT IN (SELECT customer_id FROM active))
        """;

    public async Task<KpiReport> GetAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        if (from >= to)
        {
            throw new ValidationFailedException("from", "must be before to.");
        }
        var length = to - from;
        using var db = await engine.OpenAsync(cancellationToken);
        var current = Measure(db, from, to, from - length);
        var previous = Measure(db, from - length, from, from - length - length);
        var metrics = current.Keys.Select(name =>
        {
            var (value, prev) = (current[name], previous[name]);
            return new Kpi(name, value, prev, prev == 0 ? null : Math.Round((double)((value - prev) / prev) * 100, 1),
                MoneyMetrics.Contains(name) ? Money.DefaultCurrency : null, Definitions[name]);
        }).ToList();
        return new KpiReport(from, to, from - length, metrics);
    }

    /// <summary>The metrics that are amounts of money.</summary>
    public static readonly IReadOnlySet<string> MoneyMetrics = new HashSet<string>(StringComparer.Ordinal) { "revenue", "averageOrderValue", "averageLifetimeValue" };

    private static Dictionary<string, decimal> Measure(DuckDBConnection db, DateTimeOffset from, DateTimeOffset to, DateTimeOffset previousFrom)
    {
        using var command = db.CreateCommand();
        command.CommandText = Sql;
        command.Parameters.Add(new DuckDBParameter("from", from.UtcDateTime));
        command.Parameters.Add(new DuckDBParameter("to", to.UtcDateTime));
        command.Parameters.Add(new DuckDBParameter("prev", previousFrom.UtcDateTime));
        using var reader = command.ExecuteReader();
        reader.Read();
        var revenueCents = reader.GetInt64(0);
        var orders = reader.GetInt64(1);
        var active = reader.GetInt64(2);
        var fresh = reader.GetInt64(3);
        var total = reader.GetInt64(4);
        var lifetimeCents = reader.GetInt64(5);
        var repeaters = reader.GetInt64(6);
        var gap = reader.IsDBNull(7) ? 0 : reader.GetDouble(7);
        var previousActive = reader.GetInt64(8);
        var lapsed = reader.GetInt64(9);
        static decimal Ratio(double a, double b) => b == 0 ? 0 : Figure(a / b);
        static decimal Figure(double value) => (decimal)Math.Round(value, 4, MidpointRounding.AwayFromZero);
        return new Dictionary<string, decimal>
        {
            ["revenue"] = Money.ToDecimal(revenueCents),
            ["orders"] = orders,
            ["averageOrderValue"] = Money.ToDecimal(Money.Divide(revenueCents, orders)),
            ["activeCustomers"] = active,
            ["newCustomers"] = fresh,
            ["returningCustomerRate"] = Ratio(active - fresh, active),
            ["totalCustomers"] = total,
            ["averageLifetimeValue"] = Money.ToDecimal(Money.Divide(lifetimeCents, total)),
            ["repeatPurchaseRate"] = Ratio(repeaters, total),
            ["purchaseFrequency"] = Ratio(orders, active),
            ["averageDaysBetweenPurchases"] = Figure(gap),
            ["churnRate"] = Ratio(lapsed, previousActive),
        };
    }
}
