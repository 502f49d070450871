namespace PecosCrm.Core.Predictive;

/// <summary>Settings of the predictive models (section <c>Predictive</c>).</summary>
public sealed class PredictiveOptions
{
    public const string SectionName = "Predictive";

    /// <summary>
    /// The last days of orders held out to check the models against what customers then did; also the
    /// horizon of the churn probability and of the expected purchases shown first (the classifier
    /// learns churn over the holdout, so both horizons must be one).
    /// </summary>
    public int HoldoutDays { get; set; } = 90;

    /// <summary>The months of the predicted customer lifetime value.</summary>
    public int ClvMonths { get; set; } = 12;

    /// <summary>The monthly rate future revenue is discounted at in the lifetime value.</summary>
    public double MonthlyDiscountRate { get; set; } = 0.01;

    /// <summary>Below this many customers with orders the models are not fitted and the fallback answers.</summary>
    public int MinCustomers { get; set; } = 200;

    /// <summary>Below this many customers with a repeat purchase the models are not fitted and the fallback answers.</summary>
    public int MinRepeatCustomers { get; set; } = 50;

    /// <summary>
    /// Whether the models run on the store's seasons (<see cref="SeasonalClock"/>), estimated from two
    /// years of repeat purchases or more; off, or with less history, they assume purchases spread evenly over the year.
    /// </summary>
    public bool Seasonality { get; set; } = true;

    /// <summary>Customers who must have bought two products together before one is recommended beside the other.</summary>
    public int MinCoBuyers { get; set; } = 2;
}
