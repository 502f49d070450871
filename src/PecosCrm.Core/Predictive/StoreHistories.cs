using DuckDB.NET.Data;

namespace PecosCrm.Core.Predictive;

/// <summary>One customer's history with the order facts the classifier reads beside it, and the day of the first purchase (UTC).</summary>
public sealed record CustomerHistory(string CustomerId, PurchaseHistory History, double TotalValue, double CouponShare, DateTimeOffset First);

/// <summary>
/// Reads purchase histories from the analytical copy's <c>orders</c> (counted orders: net value above
/// zero). A purchase is a day with at least one counted order, as the models count time in days:
/// several orders on one day are one purchase of their summed value. Times are UTC days.
/// </summary>
public static class StoreHistories
{
    /// <summary>Every customer with a purchase before <paramref name="until"/>, their history up to it.</summary>
    public static List<CustomerHistory> Read(DuckDBConnection db, DateTimeOffset until)
    {
        using var command = db.CreateCommand();
        command.CommandText = """
            WITH d AS (
                SELECT customer_id, CAST(placed_at AS DATE) AS day, sum(net_cents) AS cents, bool_or(coalesce(coupon_code, '') <> '') AS coupon
                FROM orders WHERE net_cents > 0 AND placed_at < $until GROUP BY customer_id, CAST(placed_at AS DATE)),
            c AS (
                SELECT customer_id, min(day) AS first_day, max(day) AS last_day, count(*) AS days, sum(cents) AS cents,
                    arg_min(cents, day) AS first_cents, avg(CASE WHEN coupon THEN 1.0 ELSE 0.0 END) AS coupon_share
                FROM d GROUP BY customer_id)
            SELECT customer_id, CAST(days - 1 AS INTEGER), CAST(date_diff('day', first_day, last_day) AS DOUBLE),
                CAST(date_diff('day', first_day, CAST($until AS DATE)) AS DOUBLE),
                CASE WHEN days > 1 THEN (cents - first_cents) / (days - 1) / 100.0 ELSE 0.0 END, cents / 100.0, coupon_share, CAST(first_day AS TIMESTAMP)
            FROM c ORDER BY customer_id
            """;
        command.Parameters.Add(new DuckDBParameter("until", until.UtcDateTime));
        using var reader = command.ExecuteReader();
        var histories = new List<CustomerHistory>();
        while (reader.Read())
        {
            var history = new PurchaseHistory(reader.GetInt32(1), reader.GetDouble(2), reader.GetDouble(3), reader.GetDouble(4));
            var first = new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(7), DateTimeKind.Utc));
            histories.Add(new CustomerHistory(reader.GetString(0), history, reader.GetDouble(5), reader.GetDouble(6), first));
        }
        return histories;
    }

    /// <summary>Purchases (distinct days with a counted order) per customer in [<paramref name="from"/>, <paramref name="until"/>).</summary>
    public static Dictionary<string, int> PurchaseDays(DuckDBConnection db, DateTimeOffset from, DateTimeOffset until)
    {
        using var command = db.CreateCommand();
        command.CommandText = """
            SELECT customer_id, CAST(count(DISTINCT CAST(placed_at AS DATE)) AS INTEGER)
            FROM orders WHERE net_cents > 0 AND placed_at >= $from AND placed_at < $until GROUP BY customer_id
            """;
        command.Parameters.Add(new DuckDBParameter("from", from.UtcDateTime));
        command.Parameters.Add(new DuckDBParameter("until", until.UtcDateTime));
        using var reader = command.ExecuteReader();
        var days = new Dictionary<string, int>(StringComparer.Ordinal);
        while (reader.Read())
        {
            days[reader.GetString(0)] = reader.GetInt32(1);
        }
        return days;
    }

    /// <summary>
    /// Repeat purchases (distinct purchase days after each customer's first) per complete calendar
    /// month before the month of <paramref name="until"/>, oldest first, a month without any as 0: what
    /// <see cref="SeasonalClock.Estimate"/> reads.
    /// </summary>
    public static List<MonthlyPurchases> MonthlyRepeatPurchases(DuckDBConnection db, DateTimeOffset until)
    {
        var end = new DateTimeOffset(until.UtcDateTime.Year, until.UtcDateTime.Month, 1, 0, 0, 0, TimeSpan.Zero);
        using var command = db.CreateCommand();
        command.CommandText = """
            WITH d AS (
                SELECT customer_id, CAST(placed_at AS DATE) AS day FROM orders
                WHERE net_cents > 0 AND placed_at < $end GROUP BY customer_id, CAST(placed_at AS DATE)),
            r AS (SELECT day, row_number() OVER (PARTITION BY customer_id ORDER BY day) AS n FROM d)
            SELECT CAST(date_trunc('month', day) AS TIMESTAMP), count(*) FROM r WHERE n > 1 GROUP BY 1 ORDER BY 1
            """;
        command.Parameters.Add(new DuckDBParameter("end", end.UtcDateTime));
        using var reader = command.ExecuteReader();
        var counts = new Dictionary<DateOnly, long>();
        while (reader.Read())
        {
            counts[DateOnly.FromDateTime(reader.GetDateTime(0))] = reader.GetInt64(1);
        }
        var months = new List<MonthlyPurchases>();
        if (counts.Count == 0)
        {
            return months;
        }
        var last = DateOnly.FromDateTime(end.UtcDateTime).AddMonths(-1);
        for (var month = counts.Keys.Min(); month <= last; month = month.AddMonths(1))
        {
            months.Add(new MonthlyPurchases(month, counts.GetValueOrDefault(month)));
        }
        return months;
    }
}
