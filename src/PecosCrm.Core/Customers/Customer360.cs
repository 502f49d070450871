using PecosCrm.Core.Analytics;
using PecosCrm.Core.Orders;

namespace PecosCrm.Core.Customers;

/// <summary>Everything staff see first about a customer, in one answer.</summary>
public sealed record Customer360(
    Customer Profile,
    CustomerMetrics Metrics,
    Engagement Engagement,
    int? DaysSinceLastOrder,
    CustomerHealth Health,
    IReadOnlyList<CustomerTag> Tags,
    IReadOnlyList<Note> PinnedNotes,
    IReadOnlyList<Order> RecentOrders,
    IReadOnlyList<TimelineEntry> RecentActivity,
    IReadOnlyList<RelatedContact> RelatedContacts,
    CustomerRfm? Rfm,
    IReadOnlyList<CustomerAutomation> Automations,
    Loyalty.LoyaltyStatus Loyalty,
    Predictive.CustomerPrediction? Predictions = null);

/// <summary>An automation the customer is in now: the instance, its workflow, where it stands.</summary>
public sealed record CustomerAutomation(string InstanceId, string WorkflowId, string Status, string Node, DateTimeOffset EnrolledAt, DateTimeOffset? WakeAt);

/// <summary>
/// The customer's RFM score as the nightly recompute stored it, named under the current map:
/// the one score the API shows (360 view and <c>/api/customers/{id}/rfm</c>), with when it was given.
/// </summary>
public sealed record CustomerRfm(int R, int F, int M, string Code, string Segment, DateTimeOffset? ScoredAt)
{
    internal static CustomerRfm? From(CardEntity? metrics, RfmMapVersion map) =>
        metrics?.RfmCode is { Length: 3 } code
            ? new CustomerRfm(code[0] - '0', code[1] - '0', code[2] - '0', code, map.Names.GetValueOrDefault(code, "Unscored"), metrics.RfmScoredAt)
            : null;
}

/// <summary>A customer's metrics with the time-dependent parts worked out now.</summary>
public sealed record CustomerInsights(CustomerMetrics Metrics, Engagement Engagement, int? DaysSinceLastOrder, CustomerHealth Health);
