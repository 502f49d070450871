using DuckDB.NET.Data;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Analytics;
using PecosCrm.Core.Messaging;

namespace PecosCrm.Core.Campaigns;

/// <summary>The attribution window (<c>Attribution:WindowDays</c>, default 5): campaigns and automations without their own take it.</summary>
public sealed class AttributionOptions
{
    public const string SectionName = "Attribution";

    public int WindowDays { get; set; } = 5;
}

/// <summary>What one customer's orders brought a source.</summary>
public sealed record AttributedRevenue(string CustomerId, int Orders, long NetCents);

/// <summary>
/// Revenue attribution, last touch: an order (net of refunds, cancelled orders excluded) belongs to
/// the campaign or automation whose email or SMS was the last to reach the customer (a
/// <see cref="Touch"/>: sent, and not bounced or dropped) before the order, and only when the order
/// came within the window after that touch. An order placed before any message of a source went
/// out is never that source's. Orders come from the analytical copy, which trails the tables by a
/// few minutes; touches from the <see cref="Touches"/> table.
/// </summary>
public sealed class Attribution(Touches touches, AnalyticsEngine engine, IOptions<AttributionOptions> options, TimeProvider time)
{
    public int DefaultWindowDays => options.Value.WindowDays is > 0 and <= 365 ? options.Value.WindowDays : 5;

    /// <summary>
    /// Per customer, the orders attributed to <paramref name="source"/> (a campaign id, or
    /// <c>wf:{workflowId}</c>), whose touches were sent from <paramref name="since"/> on.
    /// </summary>
    public async Task<IReadOnlyList<AttributedRevenue>> RevenueAsync(string source, DateTimeOffset since, int? windowDays, CancellationToken cancellationToken = default)
    {
        var days = windowDays ?? DefaultWindowDays;
        var now = time.GetUtcNow();
        // A competing touch up to a window before this source's first one can still be the last touch of its orders.
        var all = await touches.ListAsync(since.AddDays(-days), now, cancellationToken);
        if (!all.Any(t => t.Source == source))
        {
            return [];
        }
        using var db = await engine.OpenAsync(cancellationToken);
        using (var create = db.CreateCommand())
        {
            create.CommandText = "CREATE TEMP TABLE touches (customer_id VARCHAR, source VARCHAR, touched_at TIMESTAMP)";
            create.ExecuteNonQuery();
        }
        using (var appender = db.CreateAppender("touches"))
        {
            foreach (var t in all)
            {
                appender.CreateRow().AppendValue(t.CustomerId).AppendValue(t.Source).AppendValue(t.At.UtcDateTime).EndRow();
            }
        }
        using var command = db.CreateCommand();
        // For each order of a customer this source touched: the last touch before it, within the window.
        command.CommandText = """
            WITH mine AS (SELECT DISTINCT customer_id FROM touches WHERE source = $source),
            last_touch AS (
                SELECT o.order_id, o.customer_id, o.net_cents, arg_max(t.source, t.touched_at) AS source
                FROM orders o
                JOIN mine m ON m.customer_id = o.customer_id
                JOIN touches t ON t.customer_id = o.customer_id AND t.touched_at < o.placed_at AND o.placed_at < t.touched_at + to_days(CAST($days AS INTEGER))
                WHERE o.net_cents > 0
                GROUP BY o.order_id, o.customer_id, o.net_cents)
            SELECT customer_id, count(*), CAST(sum(net_cents) AS BIGINT) FROM last_touch WHERE source = $source GROUP BY customer_id ORDER BY customer_id
            """;
        command.Parameters.Add(new DuckDBParameter("source", source));
        command.Parameters.Add(new DuckDBParameter("days", days));
        using var reader = command.ExecuteReader();
        var result = new List<AttributedRevenue>();
        while (reader.Read())
        {
            result.Add(new AttributedRevenue(reader.GetString(0), (int)reader.GetInt64(1), reader.GetInt64(2)));
        }
        return result;
    }
}
