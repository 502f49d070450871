using MathNet.Numerics.Distributions;
using PecosCrm.Core.Predictive;

namespace PecosCrm.UnitTests.Predictive;

/// <summary>A customer simulated by the BG/NBD and Gamma-Gamma stories: what was seen up to T, and the purchases of the holdout after it.</summary>
internal sealed record SimulatedCustomer(PurchaseHistory Calibration, int HoldoutPurchases, bool AliveAtEnd);

/// <summary>
/// Generates customers from known parameters, as the models tell it: a rate λ ~ Gamma(r, α) and a
/// drop-out probability p ~ Beta(a, b); purchases after the first at exponential gaps; after each
/// repeat purchase the customer leaves with probability p. Repeat purchases are worth
/// Gamma(p, ν) with ν ~ Gamma(q, γ) per customer. A fixed seed makes every run the same.
/// </summary>
internal static class BuyTillYouDie
{
    public static List<SimulatedCustomer> Simulate(
        BgNbdParameters p, int customers, double minAge, double maxAge, double holdout, int seed, GammaGammaParameters? spend = null)
    {
        var random = new Random(seed);
        var result = new List<SimulatedCustomer>(customers);
        for (var i = 0; i < customers; i++)
        {
            var rate = Gamma.Sample(random, p.R, p.Alpha);
            var dropOut = Beta.Sample(random, p.A, p.B);
            var nu = spend is null ? 0 : Gamma.Sample(random, spend.Q, spend.Gamma);
            var age = minAge + random.NextDouble() * (maxAge - minAge);
            var (t, repeat, last, holdoutPurchases, total, alive, aliveAtEnd) = (0.0, 0, 0.0, 0, 0.0, true, true);
            while (alive)
            {
                t += Exponential.Sample(random, rate);
                if (t > age + holdout)
                {
                    break;
                }
                if (t <= age)
                {
                    (repeat, last) = (repeat + 1, t);
                    total += spend is null ? 0 : Gamma.Sample(random, spend.P, nu);
                }
                else
                {
                    holdoutPurchases++;
                }
                alive = random.NextDouble() >= dropOut;
                aliveAtEnd = alive || t > age;
            }
            result.Add(new SimulatedCustomer(new PurchaseHistory(repeat, last, age, repeat > 0 ? total / repeat : 0), holdoutPurchases, aliveAtEnd));
        }
        return result;
    }
}
