using PecosCrm.Core;
using PecosCrm.Core.Orders;
using PecosCrm.Core.Storage;

namespace PecosCrm.UnitTests.Orders;

public sealed class OrderInputTests
{
    private static readonly DateTimeOffset PlacedAt = new(2025, 3, 14, 16, 30, 0, TimeSpan.Zero);

    private static readonly OrderInput Valid = new(
        "ord-1001", "1001", "cus-1", PlacedAt, null, "usd",
        [new OrderLineInput("prod-roper", "RB-10", "Roper boots", " Boots ", 1, 149.99m), new OrderLineInput("prod-hat", null, "Felt hat", "Hats", 2, 24.50m)],
        null, 10.00m, " spring10 ", 7.95m, 12.34m, 209.28m, "web");

    [Fact]
    public void ToOrder_ValidOrder_AmountsInCents()
    {
        var check = new Validation();

        var order = Valid.ToOrder(check);

        Assert.True(check.IsValid);
        Assert.Equal(20_928, order.TotalCents);
        Assert.Equal(1_000, order.DiscountCents);
        Assert.Equal(795, order.ShippingCents);
        Assert.Equal(1_234, order.TaxCents);
        Assert.Equal([14_999, 2_450], order.Lines.Select(l => l.UnitPriceCents));
        Assert.Equal(0, order.RefundedCents);
    }

    [Fact]
    public void ToOrder_NoSubtotal_SumOfTheLines()
    {
        var order = Valid.ToOrder(new Validation());

        Assert.Equal(14_999 + 2 * 2_450, order.SubtotalCents);
    }

    [Fact]
    public void ToOrder_ValidOrder_NormalisesCurrencyCouponAndCategory()
    {
        var order = Valid.ToOrder(new Validation());

        Assert.Equal("USD", order.Currency);
        Assert.Equal("SPRING10", order.CouponCode);
        Assert.Equal("Boots", order.Lines[0].Category);
    }

    [Fact]
    public void ToOrder_NoStatus_PlacedAtItsPlacementTime()
    {
        var order = Valid.ToOrder(new Validation());

        Assert.Equal(OrderStatus.Placed, order.Status);
        Assert.Equal(PlacedAt, order.StatusTimes[OrderStatus.Placed]);
    }

    [Fact]
    public void ToOrder_TrailingZeros_Accepted()
    {
        var check = new Validation();

        var order = (Valid with { Total = 209.280m }).ToOrder(check);

        Assert.True(check.IsValid);
        Assert.Equal(20_928, order.TotalCents);
    }

    [Theory]
    [InlineData("19.999")]
    [InlineData("0.001")]
    public void ToOrder_MoreThanTwoDecimals_NamesTheField(string total)
    {
        var check = new Validation();

        (Valid with { Total = decimal.Parse(total, System.Globalization.CultureInfo.InvariantCulture) }).ToOrder(check);

        Assert.Equal(["must have at most two decimal places."], Errors(check)["total"]);
    }

    [Theory]
    [InlineData("-0.01")]
    [InlineData("10000000.01")]
    public void ToOrder_AmountOutOfRange_NamesTheField(string discount)
    {
        var check = new Validation();

        (Valid with { Discount = decimal.Parse(discount, System.Globalization.CultureInfo.InvariantCulture) }).ToOrder(check);

        Assert.Equal(["must be between 0 and 10000000."], Errors(check)["discount"]);
    }

    [Fact]
    public void ToOrder_EmptyOrder_NamesEveryRequiredField()
    {
        var check = new Validation();

        new OrderInput(null, null, null, null, null, null, null, null, null, null, null, null, null, null).ToOrder(check);

        Assert.Equal(
            ["currency", "customerId", "id", "lines", "number", "placedAt", "total"],
            Errors(check).Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ToOrder_BadLines_NamesEachLineAndField()
    {
        var check = new Validation();
        OrderLineInput?[] lines =
        [
            new("prod-1", null, "", "Boots", 1, 10m),
            new("prod-2", null, "Hat", "Hats", 0, 10.005m),
            null,
            new(" ", null, "Belt", new string('x', 61), 100_001, null),
        ];

        (Valid with { Lines = lines! }).ToOrder(check);

        Assert.Equal(
            ["lines[0].name", "lines[1].quantity", "lines[1].unitPrice", "lines[2]", "lines[3].category", "lines[3].productId", "lines[3].quantity", "lines[3].unitPrice"],
            Errors(check).Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ToOrder_WithPrefix_FieldsNamedUnderIt()
    {
        var check = new Validation();

        (Valid with { Total = null, Currency = "US" }).ToOrder(check, "events[3].data.");

        Assert.Equal(["events[3].data.currency", "events[3].data.total"], Errors(check).Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("US")]
    [InlineData("USDT")]
    [InlineData("U$D")]
    public void ToOrder_CurrencyNotThreeLetters_Rejected(string currency)
    {
        var check = new Validation();

        (Valid with { Currency = currency }).ToOrder(check);

        Assert.Equal(["currency"], Errors(check).Keys);
    }

    [Theory]
    [InlineData("ord/1001")]
    [InlineData("ord#1001")]
    public void ToOrder_IdWithReservedCharacter_Rejected(string id)
    {
        var check = new Validation();

        (Valid with { Id = id }).ToOrder(check);

        Assert.Equal(["id"], Errors(check).Keys);
    }

    [Fact]
    public void ToOrder_MoreThan200Lines_Rejected()
    {
        var check = new Validation();
        var lines = Enumerable.Range(0, 201).Select(i => new OrderLineInput($"prod-{i}", null, "Sticker", null, 1, 1.00m)).ToList();

        (Valid with { Lines = lines }).ToOrder(check);

        Assert.Equal(["at most 200 lines."], Errors(check)["lines"]);
    }

    [Fact]
    public void ToOrder_RefundedAmount_InCents()
    {
        var check = new Validation();

        var order = (Valid with { RefundedAmount = 35.50m }).ToOrder(check);

        Assert.True(check.IsValid);
        Assert.Equal(3_550, order.RefundedCents);
    }

    private static IReadOnlyDictionary<string, string[]> Errors(Validation check) =>
        Assert.Throws<ValidationFailedException>(check.ThrowIfInvalid).Errors;
}
