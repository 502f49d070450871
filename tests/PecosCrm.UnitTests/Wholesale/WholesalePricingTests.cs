using PecosCrm.Core.Shared;
using PecosCrm.Core.Wholesale;

namespace PecosCrm.UnitTests.Wholesale;

public sealed class WholesalePricingTests
{
    [Theory]
    [InlineData(10_000, null, 15, 8_500, "tier")]
    [InlineData(1_999, null, 12.5, 1_749, "tier")]     // 17.49125 rounds to 17.49
    [InlineData(1_998, null, 12.5, 1_748, "tier")]     // 17.4825 rounds to 17.48
    [InlineData(10_000, 7_999L, 15, 7_999, "custom")]
    public void Resolve_CustomPriceElseTierDiscount_RoundedToTheCent(long list, long? custom, double discount, long expected, string source)
    {
        var (price, from, _) = WholesalePricing.Resolve(list, custom, (decimal)discount);

        Assert.Equal((expected, source), (price, from));
    }

    [Theory]
    [InlineData(PaymentTerms.Net30, 30)]
    [InlineData(PaymentTerms.Net60, 60)]
    [InlineData(PaymentTerms.DueOnReceipt, 0)]
    public void DueAt_IsTheOrderDatePlusTheTerms(PaymentTerms terms, int days)
    {
        var ordered = new DateTimeOffset(2026, 1, 15, 18, 0, 0, TimeSpan.Zero);

        Assert.Equal(ordered.AddDays(days), WholesalePricing.DueAt(ordered, terms));
    }

    [Fact]
    public void StatusOf_FollowsWhatWasPaid()
    {
        Assert.Equal(PaymentStatus.Unpaid, WholesalePricing.StatusOf(10_000, 0));
        Assert.Equal(PaymentStatus.PartiallyPaid, WholesalePricing.StatusOf(10_000, 1));
        Assert.Equal(PaymentStatus.Paid, WholesalePricing.StatusOf(10_000, 10_000));
    }

    [Fact]
    public void CheckLines_NamesEachBadLine_AndMergesRepeatedProducts()
    {
        var bad = Assert.Throws<ValidationFailedException>(() => WholesalePricing.CheckLines([new OrderLineInput("a", 0), new OrderLineInput(null, 2)]));
        var merged = WholesalePricing.CheckLines([new OrderLineInput("a", 2), new OrderLineInput("b", 1), new OrderLineInput("a", 3)]);

        Assert.Equal(["lines[0].quantity", "lines[1].productId"], bad.Errors.Keys.Order());
        Assert.Equal([("a", 5), ("b", 1)], merged);
    }

    [Fact]
    public void CheckMinimum_RefusesBelowIt_NamingLines()
    {
        var below = Assert.Throws<ValidationFailedException>(() => WholesalePricing.CheckMinimum(24_999, 25_000));

        Assert.Contains("minimum order value of $250.00", below.Errors["lines"][0]);
        WholesalePricing.CheckMinimum(25_000, 25_000);
    }

    [Fact]
    public void CertificateFile_JudgedByContent()
    {
        var pdf = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"u8.ToArray();
        byte[] jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 0xFF, 0xD9];
        var truncatedPdf = "%PDF-1.4\n1 0 obj<<>>"u8.ToArray();

        Assert.Equal("application/pdf", CertificateFile.Inspect(pdf, 1_000).ContentType);
        Assert.Equal("image/jpeg", CertificateFile.Inspect(jpeg, 1_000).ContentType);
        Assert.Throws<ValidationFailedException>(() => CertificateFile.Inspect(truncatedPdf, 1_000));
        Assert.Throws<ValidationFailedException>(() => CertificateFile.Inspect(pdf, 10));
    }
}
