using System.Text.RegularExpressions;
using PecosCrm.Core.Analytics;
using PecosCrm.Core.Customers;

namespace PecosCrm.Core.Campaigns;

/// <summary>
/// A campaign's results, counted from its recipient rows (one pass over the campaign's partition)
/// when asked. Revenue is attributed by <see cref="Attribution"/>, last touch: the orders a
/// recipient placed within the attribution window after the campaign's email reached them, when no
/// other campaign or automation reached them later, net of refunds, cancelled orders excluded. The
/// copy of the orders trails the tables by a few minutes; <c>revenueAsOf</c> says when it was last built.
/// </summary>
public sealed partial class CampaignReports(CampaignStore store, Attribution attribution, AnalyticsCopy copy)
{
    public const string Currency = "USD";

    public async Task<CampaignResults> GetResultsAsync(string id, CancellationToken cancellationToken = default)
    {
        var campaign = await store.GetEntityAsync(id, cancellationToken);
        var ab = campaign.AbTestValue();
        var totals = new Tally();
        var variants = (ab?.Variants ?? []).ToDictionary(v => v.Variant, _ => new Tally(), StringComparer.Ordinal);
        var skipped = new Dictionary<string, int>(StringComparer.Ordinal);
        var failed = new Dictionary<string, int>(StringComparer.Ordinal);
        var variantOf = new Dictionary<string, string>(StringComparer.Ordinal);
        if (campaign.Frozen)
        {
            await foreach (var r in store.AllRecipientsAsync(id, null, cancellationToken))
            {
                totals.Add(r);
                if (r.Variant is { } v && variants.TryGetValue(v, out var tally))
                {
                    tally.Add(r);
                }
                if (r.StateValue == RecipientState.Skipped)
                {
                    var reason = Dated().Replace(r.SkipReason ?? "not sent", ")");
                    skipped[reason] = skipped.GetValueOrDefault(reason) + 1;
                }
                if (r.StateValue == RecipientState.Failed || r.Status == nameof(Messaging.MessageStatus.Failed))
                {
                    var reason = r.Error ?? "failed";
                    failed[reason] = failed.GetValueOrDefault(reason) + 1;
                }
                if (r.SentAt is not null)
                {
                    variantOf[r.CustomerId] = r.Variant ?? "";
                }
            }
        }
        var revenue = variantOf.Count == 0 ? [] : await RevenueAsync(campaign, variantOf, cancellationToken);
        var asOf = await copy.OrdersBuiltAtAsync(cancellationToken);
        var all = revenue.Values.Aggregate((Orders: 0, Cents: 0L), (a, b) => (a.Orders + b.Orders, a.Cents + b.Cents));
        return new CampaignResults(
            id, campaign.StateValue, totals.Figures(all),
            Counts(skipped), Counts(failed),
            (ab?.Variants ?? []).Select(v => new VariantResults(v.Variant, v.Subject, variants[v.Variant].Figures(revenue.GetValueOrDefault(v.Variant)))).ToList(),
            campaign.WinnerValue(), campaign.AttributionDays, Currency, asOf);
    }

    private static List<ReasonCount> Counts(Dictionary<string, int> reasons) =>
        reasons.OrderByDescending(r => r.Value).ThenBy(r => r.Key, StringComparer.Ordinal).Select(r => new ReasonCount(r.Key, r.Value)).ToList();

    /// <summary>Orders and net cents per variant ("" without an A/B test) attributed to the campaign.</summary>
    private async Task<Dictionary<string, (int Orders, long Cents)>> RevenueAsync(
        CampaignEntity campaign, Dictionary<string, string> variantOf, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, (int Orders, long Cents)>(StringComparer.Ordinal);
        var attributed = await attribution.RevenueAsync(campaign.RowKey, campaign.StartedAt ?? campaign.CreatedAt, campaign.AttributionDays, cancellationToken);
        foreach (var a in attributed)
        {
            var variant = variantOf.GetValueOrDefault(a.CustomerId, "");
            var (orders, cents) = result.GetValueOrDefault(variant);
            result[variant] = (orders + a.Orders, cents + a.NetCents);
        }
        return result;
    }

    /// <summary>The date in a suppression reason ("the address is suppressed (bounced, 2026-03-02)"), left out so reasons group.</summary>
    [GeneratedRegex(@", \d{4}-\d{2}-\d{2}\)")]
    private static partial Regex Dated();

    private sealed class Tally
    {
        private int _recipients, _pending, _sent, _retrying, _delivered, _opened, _clicked, _bounced, _unsubscribed, _skipped, _failed, _cancelled;

        public void Add(CampaignRecipientEntity r)
        {
            _recipients++;
            switch (r.StateValue)
            {
                case RecipientState.Pending or RecipientState.Sending:
                    _pending++;
                    break;
                case RecipientState.Sent:
                    _sent++;
                    break;
                case RecipientState.Retrying:
                    _retrying++;
                    break;
                case RecipientState.Skipped:
                    _skipped++;
                    break;
                case RecipientState.Failed:
                    _failed++;
                    break;
                default:
                    _cancelled++;
                    break;
            }
            if (r.StateValue == RecipientState.Sent && r.Status == nameof(Messaging.MessageStatus.Failed))
            {
                // Handed over, then dropped by the provider.
                _failed++;
            }
            _delivered += r.DeliveredAt is not null || r.OpenedAt is not null || r.ClickedAt is not null ? 1 : 0;
            _opened += r.OpenedAt is not null || r.ClickedAt is not null ? 1 : 0;
            _clicked += r.ClickedAt is not null ? 1 : 0;
            _bounced += r.BouncedAt is not null ? 1 : 0;
            _unsubscribed += r.UnsubscribedAt is not null ? 1 : 0;
        }

        public CampaignFigures Figures((int Orders, long Cents) revenue) => new(
            _recipients, _pending, _sent, _retrying, _delivered, _opened, _clicked, _bounced, _unsubscribed, _skipped, _failed, _cancelled,
            Rate(_opened), Rate(_clicked), revenue.Orders, revenue.Cents, Money.ToDecimal(revenue.Cents));

        private double Rate(int count) => _sent == 0 ? 0 : Math.Round((double)count / _sent, 4);
    }
}
