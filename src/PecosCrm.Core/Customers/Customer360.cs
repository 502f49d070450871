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
    IReadOnlyList<CustomerAutomation> Automations);

/// <summary>An automation the customer is in now: the instance, its workflow, where it stands.</summary>
public sealed record CustomerAutomation(string InstanceId, string WorkflowId, string Status, string Node, DateTimeOffset EnrolledAt, DateTimeOffset? WakeAt);

/// <summary>The customer's RFM scores as of the last nightly recompute.</summary>
public sealed record CustomerRfm(int R, int F, int M, string Code, string Segment);

/// <summary>A customer's metrics with the time-dependent parts worked out now.</summary>
public sealed record CustomerInsights(CustomerMetrics Metrics, Engagement Engagement, int? DaysSinceLastOrder, CustomerHealth Health);
