using PecosCrm.Core.Segments;

namespace PecosCrm.Core.Predictive;

/// <summary>How the customers of one segment answered one discount: codes given, redeemed in their validity, and the net revenue of those orders per code given.</summary>
public sealed record DiscountResponse(string Discount, int Issued, int Redeemed, double RedemptionRate, decimal NetRevenuePerCode);

/// <summary>
/// One RFM segment's answers by discount and the suggestion: the discount with the most net revenue
/// per code given among those given at least <see cref="DiscountSuggestions.MinIssued"/> times, or
/// null with the reason.
/// </summary>
public sealed record SegmentDiscount(string Segment, IReadOnlyList<DiscountResponse> Discounts, string? Suggested, string? Note);

public sealed record DiscountSuggestionReport(DateTimeOffset At, int CodesIssued, IReadOnlyList<SegmentDiscount> Segments);

/// <summary>A counted order placed with a coupon: what redeemed a code.</summary>
public sealed record CouponOrder(string Code, string CustomerId, DateTimeOffset PlacedAt, long NetCents);

/// <summary>
/// The optimal discount per segment from past response: every code issued (by segment actions and
/// automations) is matched with the counted order of its owner that used it between issue and expiry;
/// codes are grouped by the owner's RFM segment now and by discount (<c>15%</c>, <c>$10</c>). Net revenue
/// is the order's net value after the discount, so a deeper discount must bring more orders to win.
/// What it cannot know: what the same customers would have bought without a code (no control group
/// is kept), so the suggestion ranks discounts against each other, not against no discount.
/// </summary>
public static class DiscountSuggestions
{
    public const int MinIssued = 30;

    public static DiscountSuggestionReport Decide(
        IReadOnlyList<DiscountCode> codes, IReadOnlyList<CouponOrder> orders, IReadOnlyDictionary<string, string> segmentOf, DateTimeOffset at)
    {
        var redemptions = orders
            .GroupBy(o => (Code: o.Code.Trim().ToUpperInvariant(), o.CustomerId))
            .ToDictionary(g => g.Key, g => g.OrderBy(o => o.PlacedAt).ToList());
        var answered = codes.Select(c =>
        {
            var used = redemptions.GetValueOrDefault((c.Code.ToUpperInvariant(), c.CustomerId))?.FirstOrDefault(o => o.PlacedAt >= c.IssuedAt && o.PlacedAt <= c.ExpiresAt);
            return (Segment: segmentOf.GetValueOrDefault(c.CustomerId, "Unscored"), Discount: Label(c), Used: used);
        }).ToList();
        var segments = answered.GroupBy(a => a.Segment).OrderBy(g => g.Key, StringComparer.Ordinal).Select(segment =>
        {
            var discounts = segment.GroupBy(a => a.Discount).Select(d =>
            {
                var issued = d.Count();
                var redeemed = d.Count(a => a.Used is not null);
                var revenue = d.Sum(a => a.Used?.NetCents ?? 0) / 100m;
                return new DiscountResponse(d.Key, issued, redeemed, Math.Round((double)redeemed / issued, 4), Math.Round(revenue / issued, 2));
            }).OrderByDescending(d => d.NetRevenuePerCode).ThenBy(d => d.Discount, StringComparer.Ordinal).ToList();
            var best = discounts.FirstOrDefault(d => d.Issued >= MinIssued);
            var note = best is null ? $"No discount was given to at least {MinIssued} customers of this segment." : null;
            return new SegmentDiscount(segment.Key, discounts, best?.Discount, note);
        }).ToList();
        return new DiscountSuggestionReport(at, codes.Count, segments);
    }

    private static string Label(DiscountCode c) =>
        c.Kind == DiscountKind.Percent ? $"{c.Value:0.##}%" : $"${c.Value:0.00}";
}
