using Azure.Data.Tables;
using PecosCrm.Core.Analytics;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Customers;

/// <summary>
/// Builds the 360 view from the customer's own partition in a fixed number of storage calls, run
/// in parallel: the profile, the metrics row, and one bounded query each for tags, pinned notes,
/// the newest orders, the newest timeline entries and related contacts, plus the tag catalogue and
/// the current RFM map (cached; it names the stored RFM code). None of them grows with the
/// customer's history.
/// </summary>
public sealed class Customer360Reader(
    StorageAccount storage, TagStore tags, NoteStore notes, RelatedContactStore related, TimelineStore timeline, RfmMapStore rfmMaps, TimeProvider time)
{
    public const int RecentOrders = 5;
    public const int RecentActivity = 10;

    private TableClient Customers => storage.Table(StorageNames.Tables.Customers);

    public async Task<Customer360> GetAsync(string customerId, CancellationToken cancellationToken = default)
    {
        if (!KeyRules.IsValidKey(customerId))
        {
            throw new NotFoundException("Customer", customerId);
        }
        var profile = Customers.FindAsync<CustomerEntity>(customerId, CustomerKeys.Profile, cancellationToken);
        var metrics = Customers.FindAsync<MetricsEntity>(customerId, CustomerKeys.Metrics, cancellationToken);
        var customerTags = tags.ForCustomerAsync(customerId, cancellationToken);
        var pinned = notes.ReadAsync(customerId, pinnedOnly: true, cancellationToken);
        var orders = Customers.QueryPageAsync<OrderEntity>(CustomerKeys.PrefixFilter(customerId, CustomerKeys.OrderPrefix), RecentOrders, null, cancellationToken);
        var activity = timeline.ReadAsync(customerId, null, RecentActivity, null, cancellationToken);
        var contacts = related.ReadAsync(customerId, cancellationToken);
        var rfmMap = rfmMaps.GetCurrentCachedAsync(cancellationToken);
        await Task.WhenAll(profile, metrics, customerTags, pinned, orders, activity, contacts, rfmMap);

        var customer = (await profile)?.ToRecord() ?? throw new NotFoundException("Customer", customerId);
        var metricsRow = await metrics;
        var insights = Insights(metricsRow, time.GetUtcNow());
        var rfm = metricsRow?.RfmCode is { Length: 3 } code
            ? new CustomerRfm(code[0] - '0', code[1] - '0', code[2] - '0', code, (await rfmMap).Names.GetValueOrDefault(code, "Unscored"))
            : null;
        return new Customer360(
            customer, insights.Metrics, insights.Engagement, insights.DaysSinceLastOrder, insights.Health,
            await customerTags, await pinned, (await orders).Items.Select(o => o.ToOrder()).ToList(), (await activity).Items, await contacts, rfm);
    }

    /// <summary>The metrics and health of a customer, worked out at this moment.</summary>
    public async Task<CustomerInsights> GetInsightsAsync(string customerId, CancellationToken cancellationToken = default)
    {
        if (!KeyRules.IsValidKey(customerId) || await Customers.FindAsync<CustomerEntity>(customerId, CustomerKeys.Profile, cancellationToken) is null)
        {
            throw new NotFoundException("Customer", customerId);
        }
        return Insights(await Customers.FindAsync<MetricsEntity>(customerId, CustomerKeys.Metrics, cancellationToken), time.GetUtcNow());
    }

    private static CustomerInsights Insights(MetricsEntity? row, DateTimeOffset now)
    {
        var metrics = row?.ToMetrics() ?? CustomerMetrics.Empty;
        var engagement = row?.ToEngagement() ?? Engagement.None;
        return new CustomerInsights(metrics, engagement, metrics.DaysSinceLastOrder(now), HealthScore.Compute(metrics, engagement, now));
    }
}
