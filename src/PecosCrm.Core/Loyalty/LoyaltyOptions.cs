namespace PecosCrm.Core.Loyalty;

/// <summary>The programme's settings (<c>Loyalty__*</c>).</summary>
public sealed class LoyaltyOptions
{
    public const string SectionName = "Loyalty";

    /// <summary>Days points earned on an order stay pending (returns window) before they can be spent; 0 makes them spendable at once.</summary>
    public int PendingDays { get; set; } = 14;

    /// <summary>Points expire after this many days without a purchase.</summary>
    public int ExpiryDays { get; set; } = 365;

    /// <summary>The warning email goes this many days before the points expire.</summary>
    public int ExpiryWarningDays { get; set; } = 30;

    /// <summary>The spend a tier is earned on: <c>lifetime</c> or <c>rolling_12_months</c>.</summary>
    public string TierTerm { get; set; } = TierTerms.Lifetime;

    /// <summary>Credit given to the referrer and to the friend, in dollars (a fixed-amount discount code each).</summary>
    public decimal ReferralCredit { get; set; } = 10m;

    /// <summary>Days a referral credit code stays valid.</summary>
    public int ReferralCreditDays { get; set; } = 90;

    /// <summary>What a point is worth, in cents, for the outstanding liability (100 points = $1 by default).</summary>
    public long PointValueCents { get; set; } = 1;

    /// <summary>How many of the newest orders the account on the card keeps with what they earned; a refund of an older one reads the order's own points row.</summary>
    public int OrdersKept { get; set; } = 200;

    /// <summary>The storefront address a referral link points to; the code is appended as <c>?ref=</c>.</summary>
    public string ReferralLinkBase { get; set; } = "https://www.pecosrivertraders.example/r";
}

public static class TierTerms
{
    public const string Lifetime = "lifetime";
    public const string Rolling12Months = "rolling_12_months";

    public static readonly IReadOnlyList<string> All = [Lifetime, Rolling12Months];
}
