using PecosCrm.Core.Predictive;

namespace PecosCrm.UnitTests.Predictive;

/// <summary>
/// The BG/NBD model against data generated from known parameters: the values Fader, Hardie and Lee
/// (2005) report for the CDNOW sample (r = 0.243, α = 4.414, a = 0.793, b = 2.426, in weeks), with
/// customers watched 27 to 39 weeks as in CDNOW's calibration period, but 30,000 of them instead of
/// 2,357 so that the sampling error is small: the paper's standard errors scaled to this size are
/// about 1.5 % for r, 2.5 % for α and 7–8 % for a and b, and the tolerances are 2.5 to 4 of them.
/// </summary>
public sealed class BgNbdTests
{
    private static readonly BgNbdParameters Cdnow = new(0.243, 4.414, 0.793, 2.426);

    private static readonly Lazy<List<SimulatedCustomer>> Store = new(() => BuyTillYouDie.Simulate(Cdnow, 30_000, 27, 39, holdout: 39, seed: 2005));

    private static readonly Lazy<ModelFit<BgNbdParameters>> Fitted = new(() => BgNbd.Fit(Store.Value.Select(c => c.Calibration).ToList()));

    [Fact]
    public void Fit_RecoversTheParametersTheDataWasMadeFrom()
    {
        var fitted = Fitted.Value.Parameters;

        Assert.InRange(fitted.R, Cdnow.R * 0.94, Cdnow.R * 1.06);
        Assert.InRange(fitted.Alpha, Cdnow.Alpha * 0.92, Cdnow.Alpha * 1.08);
        Assert.InRange(fitted.A, Cdnow.A * 0.8, Cdnow.A * 1.2);
        Assert.InRange(fitted.B, Cdnow.B * 0.8, Cdnow.B * 1.2);
        Assert.Equal(30_000, Fitted.Value.Customers);
    }

    [Fact]
    public void Fit_ReachesAtLeastTheLikelihoodOfTheTrueParameters()
    {
        var histories = Store.Value.Select(c => c.Calibration).ToList();

        Assert.True(Fitted.Value.LogLikelihood >= BgNbd.LogLikelihood(Cdnow, histories) - 1e-6);
        Assert.Equal(BgNbd.LogLikelihood(Fitted.Value.Parameters, histories), Fitted.Value.LogLikelihood, 6);
    }

    [Fact]
    public void ExpectedPurchases_InTheHoldout_MatchWhatTheCustomersDid_InEveryDecile()
    {
        var fitted = Fitted.Value.Parameters;
        var predicted = Store.Value.Select(c => (c, Expected: BgNbd.ExpectedPurchases(fitted, c.Calibration, 39))).ToList();

        var total = predicted.Sum(p => p.Expected);
        var actual = Store.Value.Sum(c => c.HoldoutPurchases);
        Assert.InRange(total / actual, 0.95, 1.05);
        // The top decile by prediction buys far more than the bottom, as predicted (within 15 %).
        var deciles = predicted.OrderBy(p => p.Expected).Chunk(3_000).ToList();
        foreach (var decile in new[] { deciles[^1], deciles[^2] })
        {
            Assert.InRange(decile.Sum(p => p.Expected) / decile.Sum(p => p.c.HoldoutPurchases), 0.85, 1.15);
        }
        Assert.True(deciles[^1].Average(p => p.c.HoldoutPurchases) > 10 * deciles[0].Average(p => p.c.HoldoutPurchases) + 0.1);
    }

    [Fact]
    public void ProbabilityAlive_SeparatesActiveFromLapsedCustomers()
    {
        var fitted = Fitted.Value.Parameters;
        var repeaters = Store.Value.Where(c => c.Calibration.Repeat > 0).ToList();

        var predicted = repeaters.Average(c => BgNbd.ProbabilityAlive(fitted, c.Calibration));
        var actual = repeaters.Average(c => c.AliveAtEnd ? 1.0 : 0.0);
        Assert.InRange(predicted - actual, -0.03, 0.03);
        Assert.Equal(1.0, BgNbd.ProbabilityAlive(fitted, new PurchaseHistory(0, 0, 30)));
        // Four purchases, the last a week ago, against the same four with the last 30 weeks ago.
        Assert.True(BgNbd.ProbabilityAlive(fitted, new PurchaseHistory(4, 29, 30)) > 0.8);
        Assert.True(BgNbd.ProbabilityAlive(fitted, new PurchaseHistory(4, 1, 30)) < 0.05);
    }

    [Fact]
    public void ExpectedPurchasesOfNewCustomer_MatchesASimulation()
    {
        var newcomers = BuyTillYouDie.Simulate(Cdnow, 100_000, 52, 52, holdout: 0, seed: 7);

        var simulated = newcomers.Average(c => c.Calibration.Repeat);
        Assert.InRange(BgNbd.ExpectedPurchasesOfNewCustomer(Cdnow, 52) / simulated, 0.97, 1.03);
        // A customer at the very start of their life is a new customer.
        Assert.Equal(BgNbd.ExpectedPurchasesOfNewCustomer(Cdnow, 52), BgNbd.ExpectedPurchases(Cdnow, new PurchaseHistory(0, 0, 0), 52), 9);
    }

    [Fact]
    public void NextPurchaseDays_QuantilesMatchTheirProbability()
    {
        var history = new PurchaseHistory(3, 20, 30);
        var posterior = (Shape: Cdnow.R + history.Repeat, Rate: Cdnow.Alpha + history.Age);
        var random = new Random(11);
        var waits = Enumerable.Range(0, 200_000)
            .Select(_ => MathNet.Numerics.Distributions.Exponential.Sample(random, MathNet.Numerics.Distributions.Gamma.Sample(random, posterior.Shape, posterior.Rate)))
            .ToList();

        foreach (var q in new[] { 0.1, 0.5, 0.9 })
        {
            var days = BgNbd.NextPurchaseDays(Cdnow, history, q);
            Assert.InRange(waits.Count(w => w <= days) / (double)waits.Count, q - 0.005, q + 0.005);
        }
    }

    [Fact]
    public void Hypergeometric_MatchesClosedForms()
    {
        foreach (var z in new[] { 0.0, 0.1, 0.5, 0.9, 0.99 })
        {
            Assert.Equal(z == 0 ? 1 : -Math.Log(1 - z) / z, Hypergeometric.F21(1, 1, 2, z), 9);
            Assert.Equal(Math.Pow(1 - z, -2.5), Hypergeometric.F21(2.5, 3, 3, z), 6);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => Hypergeometric.F21(1, 1, 2, 1));
    }
}
