using DuckDB.NET.Data;
using PecosCrm.Core.Analytics;

namespace PecosCrm.Core.Predictive;

/// <summary>
/// A product recommended to a customer: <paramref name="Reason"/> is <c>co_purchase</c> (bought by the
/// customers who bought <paramref name="BecauseOf"/>), <c>category_affinity</c> (a best seller of a
/// category the customer buys from) or <c>bestseller</c> (for a customer without purchases).
/// </summary>
public sealed record Recommendation(string ProductId, string? Name, string? Category, double Score, string Reason, IReadOnlyList<string> BecauseOf);

/// <summary>
/// Recommendations per customer from the session's product tables, written by the last fit
/// (<see cref="PredictionFiles"/>): item-to-item first (for each product the customer bought, the
/// products most often bought by the same customers, scored by cosine similarity of their buyer sets
/// and summed over the customer's products), then the best sellers of the last 12 months in the
/// customer's categories, weighted by the share of the customer's purchases in each, then the store's
/// best sellers. Products the customer bought are never recommended. One in-memory query; no storage call.
/// </summary>
public sealed class Recommendations(AnalyticsEngine engine)
{
    public const int MaxCount = 20;

    public Task<IReadOnlyList<Recommendation>> ForCustomerAsync(string customerId, int count, CancellationToken cancellationToken = default) =>
        engine.ReadAsync<IReadOnlyList<Recommendation>>(db => Query(db, customerId, Math.Clamp(count, 1, MaxCount)), cancellationToken);

    private static List<Recommendation> Query(DuckDBConnection db, string customerId, int count)
    {
        using var command = db.CreateCommand();
        command.CommandText = """
            WITH mine AS (
                SELECT product_id, any_value(category) AS category, count(*) AS lines
                FROM order_lines WHERE customer_id = $customer AND counted AND product_id IS NOT NULL GROUP BY product_id),
            co AS (
                SELECT s.similar_id AS product_id, any_value(s.name) AS name, any_value(s.category) AS category, sum(s.score) AS score,
                    list(DISTINCT m.product_id ORDER BY m.product_id) AS because
                FROM similar_products s JOIN mine m ON m.product_id = s.product_id
                WHERE s.similar_id NOT IN (SELECT product_id FROM mine) GROUP BY s.similar_id),
            cats AS (SELECT coalesce(category, 'uncategorized') AS category, sum(lines) AS lines FROM mine GROUP BY 1),
            affinity AS (
                SELECT p.product_id, p.name, p.category, c.lines / (SELECT sum(lines) FROM cats) / p.rank AS score
                FROM popular_products p JOIN cats c ON c.category = p.category
                WHERE p.product_id NOT IN (SELECT product_id FROM mine) AND p.product_id NOT IN (SELECT product_id FROM co)),
            best AS (
                SELECT product_id, any_value(name) AS name, any_value(category) AS category, sum(buyers) AS buyers
                FROM popular_products WHERE product_id NOT IN (SELECT product_id FROM mine) GROUP BY product_id),
            picked AS (
                SELECT product_id, name, category, score, 'co_purchase' AS reason, because, 1 AS tier FROM co
                UNION ALL SELECT product_id, name, category, score, 'category_affinity', [], 2 FROM affinity
                UNION ALL SELECT product_id, name, category, buyers, 'bestseller', [], 3 FROM best
                    WHERE product_id NOT IN (SELECT product_id FROM co) AND product_id NOT IN (SELECT product_id FROM affinity))
            SELECT product_id, name, category, score, reason, because FROM picked ORDER BY tier, score DESC, product_id LIMIT $count
            """;
        command.Parameters.Add(new DuckDBParameter("customer", customerId));
        command.Parameters.Add(new DuckDBParameter("count", count));
        using var reader = command.ExecuteReader();
        var result = new List<Recommendation>();
        while (reader.Read())
        {
            var because = reader.IsDBNull(5) ? [] : reader.GetFieldValue<List<string>>(5);
            result.Add(new Recommendation(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                Math.Round(Convert.ToDouble(reader.GetValue(3), System.Globalization.CultureInfo.InvariantCulture), 4), reader.GetString(4), because));
        }
        return result;
    }
}

/// <summary>
/// The <c>customer.recommendations</c> template variable: filled only when a text names it (the query is not
/// run for other emails), unless the sender gave it already.
/// </summary>
public static class RecommendationVariables
{
    public const string Name = "customer.recommendations";
    public const int Count = 5;

    public static bool Used(params string?[] texts) => texts.Any(t => t is not null && t.Contains("recommendations", StringComparison.Ordinal));

    /// <summary><paramref name="extra"/> with the customer's recommendations added.</summary>
    public static async Task<IReadOnlyDictionary<string, object?>> AddAsync(
        Recommendations recommendations, IReadOnlyDictionary<string, object?>? extra, string customerId, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, object?>(extra ?? new Dictionary<string, object?>(), StringComparer.Ordinal);
        if (!values.ContainsKey(Name))
        {
            var items = await recommendations.ForCustomerAsync(customerId, Count, cancellationToken);
            values[Name] = items.Select(i => Messaging.Templates.TemplateModel.Recommended(i.Name, i.Category, i.ProductId)).ToList();
        }
        return values;
    }
}
