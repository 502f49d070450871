using MathNet.Numerics;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace PecosCrm.Core.Predictive;

/// <summary>The BG/NBD model's four parameters: purchase rates Gamma(r, α), drop-out probabilities Beta(a, b).</summary>
public sealed record BgNbdParameters(double R, double Alpha, double A, double B);

/// <summary>A fitted model: its parameters, the log-likelihood they reach, how many histories it saw and how long the fit took.</summary>
public sealed record ModelFit<TParameters>(TParameters Parameters, double LogLikelihood, int Customers, int Iterations, TimeSpan Elapsed);

/// <summary>
/// The BG/NBD ("beta-geometric / negative binomial distribution") model of Fader, Hardie and Lee,
/// "Counting Your Customers the Easy Way" (Marketing Science 24(2), 2005): while active, a customer
/// buys at a Poisson rate λ ~ Gamma(r, α); after each purchase they drop out with probability
/// p ~ Beta(a, b). Fitted by maximum likelihood (Nelder–Mead on the logarithms of the parameters, so
/// they stay positive) over histories grouped by (x, t<sub>x</sub>, T). The formulas are the paper's
/// equations (6) for the likelihood, (10) for expected purchases and the appendix's P(alive).
/// </summary>
public static class BgNbd
{
    /// <summary>The log-likelihood of one history.</summary>
    public static double LogLikelihood(BgNbdParameters p, PurchaseHistory h)
    {
        var (r, alpha, a, b) = (p.R, p.Alpha, p.A, p.B);
        var x = h.Repeat;
        var a1 = SpecialFunctions.GammaLn(r + x) - SpecialFunctions.GammaLn(r) + r * Math.Log(alpha);
        var a2 = SpecialFunctions.GammaLn(a + b) + SpecialFunctions.GammaLn(b + x) - SpecialFunctions.GammaLn(b) - SpecialFunctions.GammaLn(a + b + x);
        var a3 = -(r + x) * Math.Log(alpha + h.Age);
        if (x == 0)
        {
            return a1 + a2 + a3;
        }
        var a4 = Math.Log(a) - Math.Log(b + x - 1) - (r + x) * Math.Log(alpha + h.Recency);
        return a1 + a2 + LogSumExp(a3, a4);
    }

    /// <summary>The log-likelihood of many histories.</summary>
    public static double LogLikelihood(BgNbdParameters p, IEnumerable<PurchaseHistory> histories) =>
        Grouped(histories).Sum(g => g.Count * LogLikelihood(p, g.History));

    /// <summary>Fits the model to the histories (at least a few dozen, some with repeat purchases).</summary>
    public static ModelFit<BgNbdParameters> Fit(IReadOnlyCollection<PurchaseHistory> histories, int maxIterations = 5000)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var groups = Grouped(histories);
        var meanAge = histories.Average(h => h.Age);
        var meanRepeat = histories.Average(h => h.Repeat);
        // Start where a customer with the mean history would put the rate: r = 1, α = T / (x + 1).
        var start = Vector<double>.Build.DenseOfArray([0, Math.Log(Math.Max(meanAge, 1) / (meanRepeat + 1)), 0, 0]);
        double Objective(Vector<double> v)
        {
            var p = FromLog(v);
            var ll = 0.0;
            foreach (var g in groups)
            {
                ll += g.Count * LogLikelihood(p, g.History);
            }
            return double.IsFinite(ll) ? -ll : double.MaxValue;
        }
        var result = NelderMeadSimplex.Minimum(ObjectiveFunction.Value(Objective), start, Vector<double>.Build.Dense(4, 0.5), 1e-10, maxIterations);
        var fitted = FromLog(result.MinimizingPoint);
        return new ModelFit<BgNbdParameters>(fitted, -result.FunctionInfoAtMinimum.Value, histories.Count, result.Iterations,
            System.Diagnostics.Stopwatch.GetElapsedTime(started));
    }

    /// <summary>The probability that a customer with this history is still active at its end (T).</summary>
    public static double ProbabilityAlive(BgNbdParameters p, PurchaseHistory h)
    {
        if (h.Repeat == 0)
        {
            return 1.0;
        }
        var x = h.Repeat;
        var odds = p.A / (p.B + x - 1) * Math.Exp((p.R + x) * (Math.Log(p.Alpha + h.Age) - Math.Log(p.Alpha + h.Recency)));
        return 1.0 / (1.0 + odds);
    }

    /// <summary>Purchases expected in the <paramref name="days"/> after the history's end, given the history (equation 10).</summary>
    public static double ExpectedPurchases(BgNbdParameters p, PurchaseHistory h, double days)
    {
        if (days <= 0)
        {
            return 0;
        }
        var (r, alpha, a, b) = (p.R, p.Alpha, p.A, p.B);
        var x = h.Repeat;
        var z = days / (alpha + h.Age + days);
        var power = Math.Exp((r + x) * (Math.Log(alpha + h.Age) - Math.Log(alpha + h.Age + days)));
        var numerator = (a + b + x - 1) / (a - 1) * (1 - power * Hypergeometric.F21(r + x, b + x, a + b + x - 1, z));
        var denominator = x == 0 ? 1.0 : 1.0 + a / (b + x - 1) * Math.Exp((r + x) * (Math.Log(alpha + h.Age) - Math.Log(alpha + h.Recency)));
        return numerator / denominator;
    }

    /// <summary>
    /// The probability of no purchase in the <paramref name="days"/> after the history's end: dropped out,
    /// or still active and quiet, (1 − P(alive)) + P(alive)·((α + T)/(α + T + t))^(r + x).
    /// </summary>
    public static double ProbabilityNoPurchase(BgNbdParameters p, PurchaseHistory h, double days)
    {
        var alive = ProbabilityAlive(p, h);
        var quiet = Math.Exp((p.R + h.Repeat) * (Math.Log(p.Alpha + h.Age) - Math.Log(p.Alpha + h.Age + days)));
        return 1 - alive + alive * quiet;
    }

    /// <summary>Purchases a new customer is expected to make in their first <paramref name="days"/> after the first (equation 9).</summary>
    public static double ExpectedPurchasesOfNewCustomer(BgNbdParameters p, double days)
    {
        var (r, alpha, a, b) = (p.R, p.Alpha, p.A, p.B);
        var z = days / (alpha + days);
        return (a + b - 1) / (a - 1) * (1 - Math.Pow(alpha / (alpha + days), r) * Hypergeometric.F21(r, b, a + b - 1, z));
    }

    /// <summary>
    /// When the next purchase comes, in days after the history's end, if the customer is still active:
    /// the rate's posterior is Gamma(r + x, α + T), so the wait is Lomax-distributed and its
    /// <paramref name="quantile"/> is (α + T)((1 − q)^(−1/(r + x)) − 1).
    /// </summary>
    public static double NextPurchaseDays(BgNbdParameters p, PurchaseHistory h, double quantile)
    {
        if (quantile is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(quantile), quantile, "A quantile lies strictly between 0 and 1.");
        }
        var shape = p.R + h.Repeat;
        return (p.Alpha + h.Age) * (Math.Pow(1 - quantile, -1 / shape) - 1);
    }

    private static BgNbdParameters FromLog(Vector<double> v) => new(Math.Exp(v[0]), Math.Exp(v[1]), Math.Exp(v[2]), Math.Exp(v[3]));

    private static double LogSumExp(double u, double v)
    {
        var max = Math.Max(u, v);
        return max + Math.Log(Math.Exp(u - max) + Math.Exp(v - max));
    }

    internal static List<(PurchaseHistory History, int Count)> Grouped(IEnumerable<PurchaseHistory> histories) =>
        histories.GroupBy(h => (h.Repeat, h.Recency, h.Age)).Select(g => (new PurchaseHistory(g.Key.Repeat, g.Key.Recency, g.Key.Age), g.Count())).ToList();
}
