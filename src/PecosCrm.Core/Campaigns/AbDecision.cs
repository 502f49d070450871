namespace PecosCrm.Core.Campaigns;

/// <summary>What the A/B decision looks at of one test-share recipient.</summary>
public sealed record TestOutcome(string? Variant, RecipientState State, bool Opened, bool Clicked);

/// <summary>
/// Chooses an A/B test's winner, without I/O: each variant's rate among its sent messages (opens, a
/// click counting as an open, or clicks), the first variant with the highest rate winning a tie.
/// </summary>
public static class AbDecision
{
    public static AbWinner Choose(AbTestSummary ab, IEnumerable<TestOutcome> outcomes, DateTimeOffset now)
    {
        var stats = ab.Variants.ToDictionary(v => v.Variant, _ => (Sent: 0, Opened: 0, Clicked: 0), StringComparer.Ordinal);
        foreach (var r in outcomes)
        {
            if (r.Variant is not { } v || !stats.TryGetValue(v, out var s) || r.State != RecipientState.Sent)
            {
                continue;
            }
            stats[v] = (s.Sent + 1, s.Opened + (r.Opened || r.Clicked ? 1 : 0), s.Clicked + (r.Clicked ? 1 : 0));
        }
        var rates = ab.Variants.Select(v =>
        {
            var s = stats[v.Variant];
            var hits = ab.Metric == CampaignMetric.Click ? s.Clicked : s.Opened;
            return new VariantRate(v.Variant, v.Subject, s.Sent, s.Opened, s.Clicked, s.Sent == 0 ? 0 : Math.Round((double)hits / s.Sent, 4));
        }).ToList();
        var best = rates.Aggregate((a, b) => b.Rate > a.Rate ? b : a);
        return new AbWinner(best.Variant, best.Subject, ab.Metric, rates, now);
    }
}
