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

/// <summary>
/// The freshness an analytics answer carries: <paramref name="AsOf"/> is when the newest file of
/// the version it read was written (null for an empty copy), <paramref name="LagSeconds"/> the age
/// of the oldest change of the tables not yet in the copy (0 when <paramref name="Current"/>).
/// Requests never rebuild the copy; the background refresh does.
/// </summary>
public sealed record CopyFreshness(DateTimeOffset? AsOf, double LagSeconds, bool Current)
{
    public static CopyFreshness Of(Freshness state, DateTimeOffset? asOf) => new(asOf, state.LagSeconds, state.Current);
}
