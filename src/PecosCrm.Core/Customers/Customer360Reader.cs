using PecosCrm.Core.Analytics;
using PecosCrm.Core.Predictive;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Customers;

/// <summary>
/// Builds the 360 view from one point read of the customer's card, named with the tag catalogue and
/// the current RFM map (both cached for a few seconds). The time-dependent parts (days since the
/// last order, health score and churn risk) are worked out at the moment of reading. The last fit's
/// predictions come from the analytics engine's loaded version, in memory (no storage call).
/// </summary>
public sealed class Customer360Reader(
    CustomerCards cards, TagStore tags, RfmMapStore rfmMaps, CustomerPredictions predictions, StoreTime storeTime,
    Microsoft.Extensions.Options.IOptions<Loyalty.LoyaltyOptions> loyalty, TimeProvider time)
{
    public const int RecentOrders = CustomerCard.RecentOrders;
    public const int RecentActivity = CustomerCard.RecentActivity;

    /// <summary>The customer's stored RFM score (the one the 360 view shows), or null when the recompute has not scored them.</summary>
    public async Task<CustomerRfm?> RfmAsync(string customerId, CancellationToken cancellationToken = default)
    {
        var card = cards.GetAsync(customerId, cancellationToken);
        var map = rfmMaps.GetCurrentCachedAsync(cancellationToken);
        return CustomerRfm.From(await card, await map);
    }

    public async Task<Customer360> GetAsync(string customerId, CancellationToken cancellationToken = default)
    {
        var card = cards.GetAsync(customerId, cancellationToken);
        var catalogue = tags.CatalogueAsync(cancellationToken);
        var rfmMap = rfmMaps.GetCurrentCachedAsync(cancellationToken);
        var row = await card;
        var now = time.GetUtcNow();
        var insights = Insights(row, now);
        return new Customer360(
            row.ToCustomer(), insights.Metrics, insights.Engagement, insights.DaysSinceLastOrder, insights.Health,
            TagStore.Name(row, await catalogue), row.PinnedNoteList(), row.RecentOrderList().Select(o => o.Order).ToList(),
            row.RecentActivityList(), row.RelatedList(), CustomerRfm.From(row, await rfmMap), row.AutomationList(),
            Loyalty.PointsLedger.Status(row, loyalty.Value, storeTime, now), predictions.FindLoaded(customerId));
    }

    /// <summary>The metrics and health of a customer, worked out at this moment.</summary>
    public async Task<CustomerInsights> GetInsightsAsync(string customerId, CancellationToken cancellationToken = default) =>
        Insights(await cards.GetAsync(customerId, cancellationToken), time.GetUtcNow());

    internal static CustomerInsights Insights(CardEntity row, DateTimeOffset now)
    {
        var metrics = row.ToMetrics();
        var engagement = row.ToEngagement();
        return new CustomerInsights(metrics, engagement, metrics.DaysSinceLastOrder(now), HealthScore.Compute(metrics, engagement, now));
    }
}
