using PecosCrm.Core.Predictive;
using PecosCrm.Core.Segments;

namespace PecosCrm.UnitTests.Predictive;

public sealed class DiscountSuggestionsTests
{
    private static readonly DateTimeOffset Issued = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private static DiscountCode Code(int i, DiscountKind kind, decimal value) =>
        new($"CODE{kind}{value}{i}", $"c{i}", kind, value, Issued.AddDays(14), "batch", Issued);

    [Fact]
    public void Decide_SuggestsTheDiscountWithMostNetRevenuePerCode_CountingOnlyRedemptionsInTheValidity()
    {
        var codes = new List<DiscountCode>();
        var orders = new List<CouponOrder>();
        // 40 customers got 10 % (8 redeemed, $90 net each); 40 got 25 % (12 redeemed, $70 net each, one of them late).
        for (var i = 0; i < 40; i++)
        {
            var ten = Code(i, DiscountKind.Percent, 10);
            var quarter = Code(100 + i, DiscountKind.Percent, 25);
            codes.AddRange([ten, quarter]);
            if (i < 8)
            {
                orders.Add(new CouponOrder(ten.Code.ToLowerInvariant(), ten.CustomerId, Issued.AddDays(3), 9_000));
            }
            if (i < 12)
            {
                orders.Add(new CouponOrder(quarter.Code, quarter.CustomerId, Issued.AddDays(i == 11 ? 20 : 2), 7_000));
            }
        }
        // A segment given only 5 codes: reported, not suggested.
        var few = Enumerable.Range(200, 5).Select(i => Code(i, DiscountKind.Amount, 10)).ToList();
        codes.AddRange(few);
        var segments = codes.ToDictionary(c => c.CustomerId, c => c.CustomerId.Length == 4 && c.CustomerId.StartsWith("c2", StringComparison.Ordinal) ? "New Customers" : "Loyal");

        var report = DiscountSuggestions.Decide(codes, orders, segments, Issued.AddDays(30));

        var loyal = report.Segments.Single(s => s.Segment == "Loyal");
        Assert.Equal(["25%", "10%"], loyal.Discounts.Select(d => d.Discount));
        var quarterOff = loyal.Discounts[0];
        Assert.Equal((40, 11), (quarterOff.Issued, quarterOff.Redeemed));
        Assert.Equal(19.25m, quarterOff.NetRevenuePerCode);
        Assert.Equal(18.00m, loyal.Discounts[1].NetRevenuePerCode);
        Assert.Equal("25%", loyal.Suggested);
        var newcomers = report.Segments.Single(s => s.Segment == "New Customers");
        Assert.Null(newcomers.Suggested);
        Assert.Equal("$10.00", Assert.Single(newcomers.Discounts).Discount);
        Assert.Contains("30", newcomers.Note);
        Assert.Equal(85, report.CodesIssued);
    }
}
