using PecosCrm.Core.Customers;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Orders;

/// <summary>An order as the API and the store's order events send it: amounts as decimal numbers.</summary>
public sealed record OrderInput(
    string? Id,
    string? Number,
    string? CustomerId,
    DateTimeOffset? PlacedAt,
    OrderStatus? Status,
    string? Currency,
    IReadOnlyList<OrderLineInput>? Lines,
    decimal? Subtotal,
    decimal? Discount,
    string? CouponCode,
    decimal? Shipping,
    decimal? Tax,
    decimal? Total,
    string? Channel,
    decimal? RefundedAmount = null)
{
    /// <summary>Checks every field, naming each bad one under <paramref name="prefix"/>, and converts to cents.</summary>
    public Order ToOrder(Validation check, string prefix = "")
    {
        if (!KeyRules.IsValidKey(Id) || Id!.Length > 100)
        {
            check.Add(prefix + "id", "is required: the store's order id (1-100 characters, no / \\ # ?).");
        }
        check.Required(prefix + "number", Number, 50);
        if (!KeyRules.IsValidKey(CustomerId))
        {
            check.Add(prefix + "customerId", "is required.");
        }
        if (PlacedAt is null)
        {
            check.Add(prefix + "placedAt", "is required.");
        }
        if (Currency is null || Currency.Length != 3 || !Currency.All(char.IsAsciiLetter))
        {
            check.Add(prefix + "currency", "must be a three-letter ISO 4217 code such as USD.");
        }
        if (Lines is null || Lines.Count == 0)
        {
            check.Add(prefix + "lines", "must list at least one line.");
        }
        else if (Lines.Count > 200)
        {
            check.Add(prefix + "lines", "at most 200 lines.");
        }
        var lines = new List<OrderLine>();
        for (var i = 0; Lines is not null && i < Lines.Count; i++)
        {
            var l = Lines[i];
            var at = $"{prefix}lines[{i}].";
            if (l is null)
            {
                check.Add($"{prefix}lines[{i}]", "must be a line.");
                continue;
            }
            if (string.IsNullOrWhiteSpace(l.ProductId))
            {
                check.Add(at + "productId", "is required.");
            }
            check.Required(at + "name", l.Name);
            check.MaxLength(at + "category", l.Category, 60);
            if (l.Quantity is null or < 1 or > 100_000)
            {
                check.Add(at + "quantity", "must be a whole number from 1 to 100000.");
            }
            var price = Cents(check, at + "unitPrice", l.UnitPrice, required: true);
            lines.Add(new OrderLine(l.ProductId ?? "", l.Sku, l.Name ?? "", l.Category?.Trim(), l.Quantity ?? 0, price));
        }
        var subtotal = Cents(check, prefix + "subtotal", Subtotal, required: false, fallback: lines.Sum(l => l.TotalCents));
        var discount = Cents(check, prefix + "discount", Discount, required: false);
        var shipping = Cents(check, prefix + "shipping", Shipping, required: false);
        var tax = Cents(check, prefix + "tax", Tax, required: false);
        var total = Cents(check, prefix + "total", Total, required: true);
        long? refunded = RefundedAmount is null ? null : Cents(check, prefix + "refundedAmount", RefundedAmount, required: false);
        check.MaxLength(prefix + "couponCode", CouponCode, 50).MaxLength(prefix + "channel", Channel, 50);

        var status = Status ?? OrderStatus.Placed;
        var placedAt = PlacedAt ?? default;
        return new Order(
            Id ?? "", Number ?? "", CustomerId ?? "", placedAt, status,
            new Dictionary<OrderStatus, DateTimeOffset> { [OrderStatus.Placed] = placedAt },
            (Currency ?? "USD").ToUpperInvariant(), lines, subtotal, discount, string.IsNullOrWhiteSpace(CouponCode) ? null : CouponCode.Trim().ToUpperInvariant(),
            shipping, tax, total, refunded ?? 0, Channel);
    }

    /// <summary>Money as whole cents: at most two decimals, never negative.</summary>
    private static long Cents(Validation check, string field, decimal? amount, bool required, long fallback = 0)
    {
        if (amount is null)
        {
            if (required)
            {
                check.Add(field, "is required.");
            }
            return fallback;
        }
        if (amount < 0 || amount > 10_000_000m)
        {
            check.Add(field, "must be between 0 and 10000000.");
            return 0;
        }
        if (decimal.Round(amount.Value, 2) != amount.Value)
        {
            check.Add(field, "must have at most two decimal places.");
        }
        return Money.ToCents(amount.Value);
    }
}

public sealed record OrderLineInput(string? ProductId, string? Sku, string? Name, string? Category, int? Quantity, decimal? UnitPrice);
