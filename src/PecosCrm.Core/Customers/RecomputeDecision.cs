namespace PecosCrm.Core.Customers;

/// <summary>
/// Decides, from one customer's row of the customer-features file alone, whether the nightly
/// refresh (<see cref="CustomerActivity.RefreshAsync"/>) would change the customer's card: the
/// health score or churn risk worked out at <c>now</c>, the auto-tags that follow from them and from
/// the metrics, or the RFM code. No storage is read; only the customers it picks are read and written.
/// </summary>
public static class RecomputeDecision
{
    /// <summary>
    /// The columns of a features row the decision needs. <paramref name="HealthScore"/>,
    /// <paramref name="ChurnRisk"/>, <paramref name="Tags"/> and <paramref name="StoredRfmCode"/> are
    /// what the card stored as of the build (<paramref name="BuiltAt"/>): the file's
    /// <c>stored_health_score</c> and <c>stored_churn_risk</c>, not its <c>health_score</c>, which is
    /// worked out at the build for segments.
    /// </summary>
    public sealed record Facts(
        string CustomerId,
        DateTimeOffset CustomerSince,
        long LifetimeValueCents,
        int OrderCount,
        DateTimeOffset? FirstOrderAt,
        DateTimeOffset? LastOrderAt,
        double? AverageDaysBetweenOrders,
        DateTimeOffset? LastEngagedAt,
        int OpenSupportIssues,
        int? HealthScore,
        string? ChurnRisk,
        string? StoredRfmCode,
        string Tags,
        DateTimeOffset BuiltAt);

    /// <summary>
    /// True when refreshing the customer at <paramref name="now"/> with <paramref name="rfmCode"/>
    /// would change the card. A row without the card's stored health (a file built before the
    /// column existed) is always refreshed.
    /// </summary>
    public static bool NeedsRefresh(Facts row, string? rfmCode, DateTimeOffset now)
    {
        if (row.HealthScore is null)
        {
            return true;
        }
        if (!string.Equals(row.StoredRfmCode, rfmCode, StringComparison.Ordinal))
        {
            return true;
        }
        var metrics = CustomerMetrics.Empty with
        {
            LifetimeValueCents = row.LifetimeValueCents,
            OrderCount = row.OrderCount,
            FirstOrderAt = row.FirstOrderAt,
            LastOrderAt = row.LastOrderAt,
            AverageDaysBetweenOrders = row.AverageDaysBetweenOrders,
        };
        var health = Customers.HealthScore.Compute(metrics, Engagement.None with { LastEngagedAt = row.LastEngagedAt, OpenSupportIssues = row.OpenSupportIssues }, now);
        if (row.HealthScore != health.Score || !string.Equals(row.ChurnRisk, health.ChurnRisk.ToString(), StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        // The file has no category spend, so affinity tags are left out of the comparison: they
        // change only with orders, which rewrite the card (and its tags) when they are applied.
        var wanted = AutoTags.For(row.CustomerSince, metrics, health, now);
        var stored = row.Tags.Split('|', StringSplitOptions.RemoveEmptyEntries).Where(IsComparable).ToHashSet(StringComparer.Ordinal);
        return !stored.SetEquals(wanted.Where(IsComparable));
    }

    private static bool IsComparable(string tagId) => AutoTags.IsAuto(tagId) && !AutoTags.Affinity.Values.Any(a => a.Id == tagId);
}
