namespace PecosCrm.Core.Wholesale;

/// <summary>Wholesale settings (section <c>Wholesale</c>): tier discounts, the tax certificate's limits and reminder.</summary>
public sealed class WholesaleOptions
{
    public const string SectionName = "Wholesale";

    /// <summary>
    /// Percent off list price per tier (<c>Wholesale:TierDiscounts:Gold</c> = 15). A tier the
    /// settings leave out keeps its default; a custom price for a product wins over any tier discount.
    /// </summary>
    public Dictionary<WholesaleTier, decimal> TierDiscounts { get; set; } = new()
    {
        [WholesaleTier.Bronze] = 5m,
        [WholesaleTier.Silver] = 10m,
        [WholesaleTier.Gold] = 15m,
        [WholesaleTier.Platinum] = 20m,
    };

    /// <summary>Largest tax-exemption certificate accepted, in bytes (5 MB).</summary>
    public long CertificateMaxBytes { get; set; } = 5 * 1024 * 1024;

    /// <summary>How many days before a certificate lapses its account manager is emailed (once per certificate).</summary>
    public int CertificateReminderDays { get; set; } = 30;

    /// <summary>How long a certificate download link works.</summary>
    public TimeSpan CertificateLinkLifetime { get; set; } = TimeSpan.FromMinutes(5);

    public decimal DiscountFor(WholesaleTier tier) => TierDiscounts.TryGetValue(tier, out var percent) ? percent : 0m;
}
