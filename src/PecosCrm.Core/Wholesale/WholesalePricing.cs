namespace PecosCrm.Core.Wholesale;

/// <summary>
/// The wholesale decisions, without I/O: what an account pays for a product, an order's totals and
/// due date, whether it meets the minimum, and its payment status.
/// </summary>
public static class WholesalePricing
{
    public const string CustomSource = "custom";
    public const string TierSource = "tier";
    public const int MaxLines = 100;
    public const int MaxQuantity = 100_000;

    /// <summary>The custom price when there is one, else list price less the tier's discount (rounded half away from zero to the cent).</summary>
    public static (long PriceCents, string Source, decimal? DiscountPercent) Resolve(long listPriceCents, long? customPriceCents, decimal tierDiscountPercent) =>
        customPriceCents is { } custom
            ? (custom, CustomSource, null)
            : ((long)decimal.Round(listPriceCents * (100m - tierDiscountPercent) / 100m, MidpointRounding.AwayFromZero), TierSource, tierDiscountPercent);

    /// <summary>The due date: the order date plus the terms' days (due on receipt: the order date).</summary>
    public static DateTimeOffset DueAt(DateTimeOffset orderedAt, PaymentTerms terms) => terms switch
    {
        PaymentTerms.Net30 => orderedAt.AddDays(30),
        PaymentTerms.Net60 => orderedAt.AddDays(60),
        PaymentTerms.DueOnReceipt => orderedAt,
        _ => throw new ArgumentOutOfRangeException(nameof(terms), terms, "Unknown payment terms."),
    };

    public static PaymentStatus StatusOf(long totalCents, long paidCents) =>
        paidCents <= 0 ? PaymentStatus.Unpaid : paidCents >= totalCents ? PaymentStatus.Paid : PaymentStatus.PartiallyPaid;

    /// <summary>Checks the lines as sent (named <c>lines[i].field</c>); merges repeated products into one line each.</summary>
    public static IReadOnlyList<(string ProductId, int Quantity)> CheckLines(IReadOnlyList<OrderLineInput?>? lines)
    {
        var check = new Validation();
        if (lines is null || lines.Count == 0)
        {
            check.Add("lines", "is required: at least one line with a productId and a quantity.");
        }
        else if (lines.Count > MaxLines)
        {
            check.Add("lines", $"at most {MaxLines} lines an order.");
        }
        else
        {
            for (var i = 0; i < lines.Count; i++)
            {
                if (!Storage.KeyRules.IsValidKey(lines[i]?.ProductId))
                {
                    check.Add($"lines[{i}].productId", "is required: a product id (its UPC).");
                }
                if (lines[i]?.Quantity is not (>= 1 and <= MaxQuantity))
                {
                    check.Add($"lines[{i}].quantity", $"must be a whole number from 1 to {MaxQuantity:N0}.");
                }
            }
        }
        check.ThrowIfInvalid();
        return lines!.GroupBy(l => l!.ProductId!, StringComparer.Ordinal).Select(g => (g.Key, g.Sum(l => l!.Quantity!.Value))).ToList();
    }

    /// <summary>Refuses an order whose total (at the account's prices) is below the account's minimum, naming <c>lines</c>.</summary>
    public static void CheckMinimum(long totalCents, long minimumCents)
    {
        if (totalCents < minimumCents)
        {
            throw new ValidationFailedException("lines",
                $"the order comes to {Money.Format(totalCents)}, below this account's minimum order value of {Money.Format(minimumCents)}.");
        }
    }

    /// <summary>Refuses a payment that is not positive or would pay more than the order's balance.</summary>
    public static void CheckPayment(long amountCents, long balanceCents)
    {
        if (amountCents <= 0)
        {
            throw new ValidationFailedException("amount", "must be more than zero.");
        }
        if (amountCents > balanceCents)
        {
            throw new ValidationFailedException("amount", $"is more than the order's balance of {Money.Format(balanceCents)}.");
        }
    }

    /// <summary>Checks a money amount as sent: not negative, at most two decimals.</summary>
    public static long Cents(Validation check, string field, decimal amount)
    {
        if (amount < 0 || decimal.Round(amount, 2) != amount || amount > 100_000_000m)
        {
            check.Add(field, "must be an amount of at least 0 with at most two decimals.");
            return 0;
        }
        return Money.ToCents(amount);
    }
}
