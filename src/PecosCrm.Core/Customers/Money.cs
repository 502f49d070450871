using System.Globalization;

namespace PecosCrm.Core.Customers;

/// <summary>Amounts for people: "$156.00" in US dollars, "156.00 EUR" otherwise.</summary>
public static class Money
{
    public static string Format(long cents, string currency = "USD") =>
        currency == "USD"
            ? (cents / 100m).ToString("$#,##0.00", CultureInfo.InvariantCulture)
            : (cents / 100m).ToString("#,##0.00", CultureInfo.InvariantCulture) + " " + currency;

    public static decimal ToDecimal(long cents) => cents / 100m;

    /// <summary>Whole cents of an amount (callers have checked it has at most two decimals).</summary>
    public static long ToCents(decimal amount) => (long)decimal.Round(amount * 100m, MidpointRounding.AwayFromZero);
}
