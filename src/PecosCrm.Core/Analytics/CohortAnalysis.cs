using System.Globalization;

namespace PecosCrm.Core.Analytics;

/// <summary>One cohort: the customers whose first counted order fell in <see cref="Month"/>.</summary>
/// <param name="Retention">Per month since the first purchase (0, 1, 2, ...): the share of the cohort that ordered in that month; null for months not reached yet.</param>
/// <param name="RevenuePerCustomer">Per month since the first purchase: net revenue of that month divided by the cohort's size, in cents; null for months not reached yet.</param>
public sealed record Cohort(string Month, int Customers, IReadOnlyList<double?> Retention, IReadOnlyList<long?> RevenuePerCustomer);

/// <summary>Monthly cohorts by first-purchase month, from the analytical copy.</summary>
public sealed class CohortAnalysis(AnalyticsEngine engine, TimeProvider time)
{
    public async Task<IReadOnlyList<Cohort>> GetAsync(DateOnly? fromMonth, DateOnly? toMonth, CancellationToken cancellationToken = default)
    {
        var current = MonthStart(DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime));
        var last = toMonth is { } t ? MonthStart(t) : current;
        var first = fromMonth is { } f ? MonthStart(f) : last.AddMonths(-11);
        if (first > last)
        {
            throw new ValidationFailedException("from", "must not be after to.");
        }

        var rows = new List<(DateOnly Cohort, long Size, int? K, long Active, long Revenue)>();
        using (var db = await engine.OpenAsync(cancellationToken))
        using (var command = db.CreateCommand())
        {
            command.CommandText = """
                WITH o AS (SELECT customer_id, placed_at, net_cents FROM orders WHERE net_cents > 0),
                f AS (SELECT customer_id, CAST(date_trunc('month', min(placed_at)) AS DATE) AS cohort FROM o GROUP BY customer_id),
                s AS (SELECT cohort, count(*) AS size FROM f WHERE cohort BETWEEN $first AND $last GROUP BY cohort),
                a AS (
                    SELECT f.cohort, CAST(datediff('month', f.cohort, CAST(date_trunc('month', o.placed_at) AS DATE)) AS INTEGER) AS k,
                        count(DISTINCT o.customer_id) AS active, CAST(sum(o.net_cents) AS BIGINT) AS revenue
                    FROM o JOIN f USING (customer_id) GROUP BY 1, 2)
                SELECT s.cohort, s.size, a.k, coalesce(a.active, 0), coalesce(a.revenue, 0)
                FROM s LEFT JOIN a USING (cohort) ORDER BY 1, 3
                """;
            command.Parameters.Add(new DuckDB.NET.Data.DuckDBParameter("first", first.ToDateTime(TimeOnly.MinValue)));
            command.Parameters.Add(new DuckDB.NET.Data.DuckDBParameter("last", last.ToDateTime(TimeOnly.MinValue)));
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                rows.Add((DateOnly.FromDateTime(reader.GetDateTime(0)), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetInt32(2), reader.GetInt64(3), reader.GetInt64(4)));
            }
        }

        return rows.GroupBy(r => r.Cohort).Select(g =>
        {
            var size = g.First().Size;
            // Months from the cohort's own month up to the current month have happened; later ones are null.
            var reached = (current.Year - g.Key.Year) * 12 + current.Month - g.Key.Month;
            var columns = (current.Year - first.Year) * 12 + current.Month - first.Month + 1;
            var retention = new double?[columns];
            var revenue = new long?[retention.Length];
            for (var k = 0; k < retention.Length; k++)
            {
                var row = g.FirstOrDefault(r => r.K == k);
                retention[k] = k > reached ? null : Math.Round((double)(row.K == k ? row.Active : 0) / size, 4);
                revenue[k] = k > reached ? null : (row.K == k ? row.Revenue : 0) / size;
            }
            return new Cohort(g.Key.ToString("yyyy-MM", CultureInfo.InvariantCulture), (int)size, retention, revenue);
        }).ToList();
    }

    private static DateOnly MonthStart(DateOnly d) => new(d.Year, d.Month, 1);
}
