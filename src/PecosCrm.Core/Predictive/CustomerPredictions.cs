using DuckDB.NET.Data;
using PecosCrm.Core.Analytics;

namespace PecosCrm.Core.Predictive;

/// <summary>
/// One customer's predictions as the last fit left them, read from the session's <c>customers</c>
/// table (one in-memory lookup by its index; no storage call): what the 360 view, the customer's
/// predictions endpoint and automation conditions show. Null before the first fit and for a customer
/// without a counted order.
/// </summary>
public sealed class CustomerPredictions(AnalyticsEngine engine)
{
    public Task<CustomerPrediction?> FindAsync(string customerId, CancellationToken cancellationToken = default) =>
        engine.ReadAsync(db => Find(db, customerId), cancellationToken);

    /// <summary>As <see cref="FindAsync"/>, from the version loaded now only: no wait and no storage call (null when none is loaded yet).</summary>
    public CustomerPrediction? FindLoaded(string customerId) => engine.ReadLoaded(db => Find(db, customerId), null);

    private static CustomerPrediction? Find(DuckDBConnection db, string customerId)
    {
        using var command = db.CreateCommand();
        command.CommandText = """
            SELECT p_alive, expected_purchases, expected_purchases_year, expected_order_value_cents, predicted_clv_cents, churn_probability,
                churn_probability_model, next_purchase_days, next_purchase_earliest_days, next_purchase_latest_days, prediction_confidence, predicted_at
            FROM customers WHERE customer_id = $customer AND predicted_at IS NOT NULL
            """;
        command.Parameters.Add(new DuckDBParameter("customer", customerId));
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }
        double? Optional(int i) => reader.IsDBNull(i) ? null : Math.Round(reader.GetDouble(i), 4);
        return new CustomerPrediction(customerId, Math.Round(reader.GetDouble(0), 4), Math.Round(reader.GetDouble(1), 4), Math.Round(reader.GetDouble(2), 4),
            reader.GetInt64(3) / 100m, reader.GetInt64(4) / 100m, Math.Round(reader.GetDouble(5), 4), Optional(6), Optional(7), Optional(8), Optional(9),
            reader.GetString(10), new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(11), DateTimeKind.Utc)));
    }
}
