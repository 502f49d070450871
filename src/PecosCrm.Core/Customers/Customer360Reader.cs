using Azure.Data.Tables;
using PecosCrm.Core.Analytics;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Customers;

/// <summary>
/// Builds the 360 view from the customer's own partition in a fixed number of storage calls, run
/// in parallel: the profile, the metrics row, and one bounded query each for tags, pinned notes,
/// the newest orders, the newest timeline entries and related contacts, plus the tag catalogue and
/// the current RFM map (cached; it names the stored RFM code) and the automations the customer is in
/// now. None of them grows with the customer's history.
/// </summary>
public sealed class Customer360Reader(
    StorageAccount storage, TagStore tags, NoteStore notes, RelatedContactStore related, TimelineStore timeline, RfmMapStore rfmMaps, TimeProvider time)
{
    public const int RecentOrders = 5;
    public const int RecentActivity = 10;

    private TableClient Customers => storage.Table(StorageNames.Tables.Customers);

    /// <summary>The customer's stored RFM score (the one the 360 view shows), or null when the recompute has not scored them.</summary>
    public async Task<CustomerRfm?> RfmAsync(string customerId, CancellationToken cancellationToken = default)
    {
        if (!KeyRules.IsValidKey(customerId))
        {
            throw new NotFoundException("Customer", customerId);
        }
        var metrics = Customers.FindAsync<MetricsEntity>(customerId, CustomerKeys.Metrics, cancellationToken);
        var map = rfmMaps.GetCurrentCachedAsync(cancellationToken);
        return CustomerRfm.From(await metrics, await map);
    }

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
        var automations = AutomationsAsync(customerId, cancellationToken);
        await Task.WhenAll(profile, metrics, customerTags, pinned, orders, activity, contacts, rfmMap, automations);

        var customer = (await profile)?.ToRecord() ?? throw new NotFoundException("Customer", customerId);
        var metricsRow = await metrics;
        var insights = Insights(metricsRow, time.GetUtcNow());
        var rfm = CustomerRfm.From(metricsRow, await rfmMap);
        return new Customer360(
            customer, insights.Metrics, insights.Engagement, insights.DaysSinceLastOrder, insights.Health,
            await customerTags, await pinned, (await orders).Items.Select(o => o.ToOrder()).ToList(), (await activity).Items, await contacts, rfm, await automations);
    }

    /// <summary>The unfinished automation instances of the customer, from the automation index's customer partition.</summary>
    private async Task<IReadOnlyList<CustomerAutomation>> AutomationsAsync(string customerId, CancellationToken cancellationToken)
    {
        var running = new List<CustomerAutomation>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {"c|" + customerId} and Finished eq {false}");
        await foreach (var row in storage.Table(StorageNames.Tables.AutomationIndex).QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            running.Add(new CustomerAutomation(row.RowKey, row.GetString("WorkflowId"), row.GetString("Status").ToLowerInvariant(), row.GetString("Node"),
                row.GetDateTimeOffset("EnrolledAt") ?? default, row.GetDateTimeOffset("WakeAt")));
        }
        return running;
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
