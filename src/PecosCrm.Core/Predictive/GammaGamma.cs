using MathNet.Numerics;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace PecosCrm.Core.Predictive;

/// <summary>The Gamma-Gamma spend model's parameters: a purchase's value ~ Gamma(p, ν), ν ~ Gamma(q, γ).</summary>
public sealed record GammaGammaParameters(double P, double Q, double Gamma)
{
    /// <summary>The mean purchase value over all customers, pγ / (q − 1) (infinite when q ≤ 1).</summary>
    public double PopulationMean => Q > 1 ? P * Gamma / (Q - 1) : double.PositiveInfinity;
}

/// <summary>
/// The Gamma-Gamma model of a customer's mean purchase value (Fader, Hardie and Lee, "RFM and CLV:
/// Using Iso-value Curves for Customer Base Analysis", Journal of Marketing Research 42(4), 2005;
/// Fader and Hardie's note "The Gamma-Gamma Model of Monetary Value", 2013): read from customers with
/// at least one repeat purchase, the mean of their repeat purchases' values. Fitted by maximum
/// likelihood (Nelder–Mead on the logarithms). The conditional expected value shrinks a customer's own
/// mean towards the population's, the more so the fewer purchases they made.
/// </summary>
public static class GammaGamma
{
    /// <summary>The log-likelihood of one customer's mean value over x repeat purchases (x ≥ 1, mean &gt; 0).</summary>
    public static double LogLikelihood(GammaGammaParameters g, int repeat, double meanValue)
    {
        var (p, q, gamma) = (g.P, g.Q, g.Gamma);
        var x = (double)repeat;
        return SpecialFunctions.GammaLn(p * x + q) - SpecialFunctions.GammaLn(p * x) - SpecialFunctions.GammaLn(q)
            + q * Math.Log(gamma) + (p * x - 1) * Math.Log(meanValue) + p * x * Math.Log(x) - (p * x + q) * Math.Log(gamma + x * meanValue);
    }

    /// <summary>Fits the model to the histories with repeat purchases and a positive mean value (others are left out).</summary>
    public static ModelFit<GammaGammaParameters> Fit(IEnumerable<PurchaseHistory> histories, int maxIterations = 5000)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var usable = histories.Where(h => h.Repeat > 0 && h.MeanValue > 0).Select(h => (h.Repeat, h.MeanValue)).ToList();
        if (usable.Count == 0)
        {
            throw new ArgumentException("No customer has a repeat purchase with a value.", nameof(histories));
        }
        var mean = usable.Average(u => u.MeanValue);
        // Start at p = 1, q = 2, γ = mean: a population mean equal to the observed one.
        var start = Vector<double>.Build.DenseOfArray([0, Math.Log(2), Math.Log(mean)]);
        double Objective(Vector<double> v)
        {
            var g = FromLog(v);
            var ll = 0.0;
            foreach (var (x, m) in usable)
            {
                ll += LogLikelihood(g, x, m);
            }
            return double.IsFinite(ll) ? -ll : double.MaxValue;
        }
        var result = NelderMeadSimplex.Minimum(ObjectiveFunction.Value(Objective), start, Vector<double>.Build.Dense(3, 0.5), 1e-10, maxIterations);
        return new ModelFit<GammaGammaParameters>(FromLog(result.MinimizingPoint), -result.FunctionInfoAtMinimum.Value, usable.Count, result.Iterations,
            System.Diagnostics.Stopwatch.GetElapsedTime(started));
    }

    /// <summary>The value expected of this customer's future purchases: p(γ + x·m) / (p·x + q − 1); the population mean without repeats.</summary>
    public static double ExpectedValue(GammaGammaParameters g, int repeat, double meanValue) =>
        repeat <= 0 || meanValue <= 0 ? g.PopulationMean : g.P * (g.Gamma + repeat * meanValue) / (g.P * repeat + g.Q - 1);

    private static GammaGammaParameters FromLog(Vector<double> v) => new(Math.Exp(v[0]), Math.Exp(v[1]), Math.Exp(v[2]));
}
