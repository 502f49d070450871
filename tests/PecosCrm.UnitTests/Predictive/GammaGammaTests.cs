using PecosCrm.Core.Predictive;

namespace PecosCrm.UnitTests.Predictive;

/// <summary>
/// The Gamma-Gamma spend model against data generated from the values Fader, Hardie and Lee report
/// for CDNOW (p = 6.25, q = 3.74, γ = 15.44), over the repeat buyers of 40,000 simulated customers.
/// </summary>
public sealed class GammaGammaTests
{
    private static readonly GammaGammaParameters Cdnow = new(6.25, 3.74, 15.44);

    private static readonly Lazy<List<SimulatedCustomer>> Store = new(() =>
        BuyTillYouDie.Simulate(new BgNbdParameters(0.243, 4.414, 0.793, 2.426), 40_000, 27, 39, holdout: 0, seed: 42, spend: Cdnow));

    [Fact]
    public void Fit_RecoversTheParametersTheDataWasMadeFrom()
    {
        var fit = GammaGamma.Fit(Store.Value.Select(c => c.Calibration));

        Assert.InRange(fit.Parameters.P, Cdnow.P * 0.85, Cdnow.P * 1.15);
        Assert.InRange(fit.Parameters.Q, Cdnow.Q * 0.8, Cdnow.Q * 1.2);
        Assert.InRange(fit.Parameters.Gamma, Cdnow.Gamma * 0.75, Cdnow.Gamma * 1.25);
        Assert.InRange(fit.Parameters.PopulationMean / Cdnow.PopulationMean, 0.95, 1.05);
        Assert.Equal(Store.Value.Count(c => c.Calibration.Repeat > 0), fit.Customers);
    }

    [Fact]
    public void ExpectedValue_ShrinksOwnMeanTowardsThePopulation_LessWithMorePurchases()
    {
        var population = Cdnow.PopulationMean;
        var once = GammaGamma.ExpectedValue(Cdnow, 1, 100);
        var often = GammaGamma.ExpectedValue(Cdnow, 20, 100);

        Assert.InRange(once, population, 100);
        Assert.InRange(often, once, 100);
        Assert.Equal(population, GammaGamma.ExpectedValue(Cdnow, 0, 0));
        Assert.Throws<ArgumentException>(() => GammaGamma.Fit([new PurchaseHistory(0, 0, 10)]));
    }
}
