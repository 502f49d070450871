using System.Globalization;

namespace PecosCrm.Core.Shared;

/// <summary>
/// The one money representation: stored as whole cents (<c>long</c>); shown by the API as a decimal
/// in the currency's unit, rounded half away from zero to the cent, beside its currency code; and
/// for people as "$156.00" in US dollars, "156.00 EUR" otherwise.
/// </summary>
public static class Money
{
    /// <summary>The store's currency, used where an amount carries no currency of its own.</summary>
    public const string DefaultCurrency = "USD";

    public static string Format(long cents, string currency = DefaultCurrency) =>
        currency == DefaultCurrency
            ? (cents / 100m).ToString("$#,##0.00", CultureInfo.InvariantCulture)
            : (cents / 100m).ToString("#,##0.00", CultureInfo.InvariantCulture) + " " + currency;

    public static decimal ToDecimal(long cents) => cents / 100m;

    /// <summary>Whole cents of an amount (callers have checked it has at most two decimals).</summary>
    public static long ToCents(decimal amount) => (long)decimal.Round(amount * 100m, MidpointRounding.AwayFromZero);

    /// <summary>An amount rounded half away from zero to the cent (240.9403 → 240.94, 200.005 → 200.01).</summary>
    public static decimal Round(decimal amount) => decimal.Round(amount, 2, MidpointRounding.AwayFromZero);

    /// <summary>
    /// Cents shared out evenly (an average order value, a cost per customer), rounded half away from
    /// zero to the whole cent, never truncated: 40001 over 2 is 20001. Zero when there is nothing to share among.
    /// </summary>
    public static long Divide(long cents, long count) =>
        count == 0 ? 0 : (long)decimal.Round((decimal)cents / count, MidpointRounding.AwayFromZero);
}
