using PecosCrm.Core.Customers;

namespace PecosCrm.UnitTests.Customers;

public sealed class MoneyTests
{
    [Theory]
    [InlineData(40_001, 2, 20_001)] // $200.005 is $200.01, not $200.00
    [InlineData(40_000, 3, 13_333)]
    [InlineData(20_000, 3, 6_667)]
    [InlineData(-40_001, 2, -20_001)]
    [InlineData(10_001, 0, 0)]
    public void Divide_RoundsHalfAwayFromZeroToTheCent(long cents, long count, long expected) =>
        Assert.Equal(expected, Money.Divide(cents, count));

    [Theory]
    [InlineData("240.9403", "240.94")]
    [InlineData("200.005", "200.01")]
    [InlineData("-0.005", "-0.01")]
    public void Round_RoundsHalfAwayFromZeroToTheCent(string amount, string expected) =>
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), Money.Round(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture)));
}

public sealed class AverageOrderValueTests
{
    [Fact]
    public void FromOrders_AverageOfHalfACent_RoundsUpNotDown()
    {
        var orders = new[]
        {
            OrderHistory.Snapshot("ord-2001", OrderHistory.At(1, 5), 200.00m, 0m, OrderHistory.Line("Boots", "Roper boots", 200.00m)),
            OrderHistory.Snapshot("ord-2002", OrderHistory.At(2, 5), 200.01m, 0m, OrderHistory.Line("Boots", "Lacer boots", 200.01m)),
        };

        var metrics = CustomerMetrics.FromOrders(orders);

        Assert.Equal(40_001, metrics.LifetimeValueCents);
        Assert.Equal(20_001, metrics.AverageOrderValueCents);
    }
}
