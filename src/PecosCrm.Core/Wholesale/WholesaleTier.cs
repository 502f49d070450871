namespace PecosCrm.Core.Wholesale;

/// <summary>A wholesale account's volume tier; each has a discount off list price (<see cref="WholesaleOptions.TierDiscounts"/>).</summary>
public enum WholesaleTier
{
    Bronze,
    Silver,
    Gold,
    Platinum,
}
