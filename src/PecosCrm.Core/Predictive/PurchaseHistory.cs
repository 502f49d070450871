namespace PecosCrm.Core.Predictive;

/// <summary>
/// One customer's purchases as the buy-till-you-die models read them, in days from the customer's
/// first purchase: <see cref="Repeat"/> purchases after the first (x), the day of the last one
/// (<see cref="Recency"/>, t<sub>x</sub>, 0 without repeats) and how long the customer has been
/// watched (<see cref="Age"/>, T, up to the day the model looks from); <see cref="MeanValue"/> is the
/// mean value of the repeat purchases, for the spend model (0 without repeats).
/// </summary>
public readonly record struct PurchaseHistory(int Repeat, double Recency, double Age, double MeanValue = 0)
{
    /// <summary>A history the models can read: 0 ≤ t<sub>x</sub> ≤ T, t<sub>x</sub> = 0 without repeats, a positive mean value with them.</summary>
    public bool IsValid => Repeat >= 0 && Recency >= 0 && Age >= Recency && (Repeat > 0 || Recency == 0) && double.IsFinite(Age);
}
