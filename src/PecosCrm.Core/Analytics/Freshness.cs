namespace PecosCrm.Core.Analytics;

/// <summary>How far the analytical copy trails the tables.</summary>
/// <param name="LagSeconds">Age of the oldest change (an order month or a customer) not yet in the copy; 0 when the copy is current.</param>
public sealed record Freshness(
    bool Current,
    double LagSeconds,
    DateTimeOffset? OldestPendingChangeAt,
    IReadOnlyList<string> MonthsPending,
    int CustomersPending,
    DateTimeOffset? LastBuiltAt,
    int MonthsBuilt,
    long OrdersInCopy);
