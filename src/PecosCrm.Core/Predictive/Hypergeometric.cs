namespace PecosCrm.Core.Predictive;

/// <summary>
/// The Gaussian hypergeometric function ₂F₁(a, b; c; z) for 0 ≤ z &lt; 1, summed as its power
/// series: the BG/NBD model's expected purchases need it with z = t / (α + T + t), which stays away
/// from 1 for the horizons the app asks about. The terms are summed until they no longer change the
/// sum; beyond <see cref="MaxTerms"/> the value is taken as it stands.
/// </summary>
public static class Hypergeometric
{
    public const int MaxTerms = 200_000;

    public static double F21(double a, double b, double c, double z)
    {
        if (z < 0 || z >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(z), z, "The series is summed for 0 ≤ z < 1 only.");
        }
        var term = 1.0;
        var sum = 1.0;
        for (var n = 0; n < MaxTerms; n++)
        {
            term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z;
            sum += term;
            if (Math.Abs(term) <= 1e-15 * Math.Abs(sum))
            {
                break;
            }
        }
        return sum;
    }
}
