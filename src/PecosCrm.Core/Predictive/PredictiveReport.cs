namespace PecosCrm.Core.Predictive;

/// <summary>
/// What the last fit found (<c>GET /api/analytics/predictive/model</c>): the fitted parameters, how
/// well the models did on the held-out days, the classifier's evaluation, and the time it took.
/// <paramref name="Status"/> is <c>fitted</c>, or <c>fallback</c> with <paramref name="FallbackReason"/>
/// when the store's data is too thin to fit (predictions then come from a simple recency rule and say
/// <c>low</c> confidence). <paramref name="Discounts"/>: how each RFM segment answered the discount
/// codes it was given, and the suggested discount (<see cref="DiscountSuggestions"/>).
/// </summary>
public sealed record PredictiveModelReport(
    DateTimeOffset FittedAt,
    DateTimeOffset? DataAsOf,
    string Status,
    string? FallbackReason,
    int Customers,
    int RepeatCustomers,
    BgNbdReport? BgNbd,
    GammaGammaReport? GammaGamma,
    HoldoutReport? Holdout,
    ClassifierReport? Classifier,
    DiscountSuggestionReport Discounts,
    double FitSeconds,
    PredictiveSettings Settings,
    SeasonalityReport? Seasonality = null);

/// <summary>
/// The store's seasons the models ran on (<see cref="SeasonalClock"/>): whether they were applied,
/// why not, the complete months of history read and the factor of each calendar month, January first
/// (absent when not applied).
/// </summary>
public sealed record SeasonalityReport(bool Applied, string? Reason, int Months, IReadOnlyList<double>? MonthFactors)
{
    internal static SeasonalityReport Off(string reason, int months = 0) => new(false, reason, months, null);
}

/// <summary>The settings a fit ran with, so a report reads on its own.</summary>
public sealed record PredictiveSettings(int HoldoutDays, int HorizonDays, int ClvMonths, double MonthlyDiscountRate, string TimeUnit = "days");

/// <summary>BG/NBD parameters (time in days) and the fit's log-likelihood over its customers.</summary>
public sealed record BgNbdReport(double R, double Alpha, double A, double B, double LogLikelihood, int Customers, int Iterations, double Seconds)
{
    internal static BgNbdReport From(ModelFit<BgNbdParameters> fit) =>
        new(fit.Parameters.R, fit.Parameters.Alpha, fit.Parameters.A, fit.Parameters.B, fit.LogLikelihood, fit.Customers, fit.Iterations, fit.Elapsed.TotalSeconds);

    internal BgNbdParameters Parameters => new(R, Alpha, A, B);
}

/// <summary>Gamma-Gamma parameters, the population's expected order value they imply and the observed mean of repeat orders.</summary>
public sealed record GammaGammaReport(double P, double Q, double Gamma, double LogLikelihood, int Customers, double PopulationMeanValue, double ObservedMeanValue)
{
    internal GammaGammaParameters Parameters => new(P, Q, Gamma);
}

/// <summary>
/// The models fitted on the orders before <paramref name="CalibrationEnd"/> and compared with the
/// <paramref name="HoldoutDays"/> after it: purchases (distinct purchase days) predicted and made per
/// customer, by decile of the prediction (1 lowest), and the churn ranking's AUC (no purchase in the
/// holdout) for the BG/NBD model. <paramref name="SeasonalFactor"/>: how much busier than an average
/// stretch of the year the store's seasons (estimated before the holdout) made it, so how many more
/// purchases the forecast expected for it (1 without seasons).
/// </summary>
public sealed record HoldoutReport(
    DateTimeOffset CalibrationEnd,
    int HoldoutDays,
    int Customers,
    double PredictedPurchases,
    double ActualPurchases,
    double MeanAbsoluteError,
    IReadOnlyList<DecileRow> Deciles,
    BgNbdReport CalibrationFit,
    double? BgNbdChurnAuc,
    double SeasonalFactor = 1);

public sealed record DecileRow(int Decile, int Customers, double PredictedMean, double ActualMean);

/// <summary>
/// The churn classifier: trained on the calibration period's features with the holdout's outcome (no
/// purchase in it) as the label, evaluated on the customers left out of training (a fifth, chosen by a
/// hash of the id). <paramref name="Calibration"/>: predicted probability against the observed rate, by decile.
/// </summary>
public sealed record ClassifierReport(
    string Trainer,
    IReadOnlyList<string> Features,
    int TrainingCustomers,
    int TestCustomers,
    double Auc,
    double LogLoss,
    double ChurnRate,
    IReadOnlyList<CalibrationBin> Calibration);

public sealed record CalibrationBin(int Decile, int Customers, double PredictedMean, double ObservedRate);

/// <summary>
/// One customer's predictions as of the fit: the probability they are still a customer, purchases
/// expected in the horizon and in a year, the value expected of an order, the lifetime value over the
/// next <see cref="PredictiveSettings.ClvMonths"/> months (discounted), the churn probability (no
/// purchase in the horizon) from the BG/NBD model and from the classifier, when the next purchase
/// comes if they are still active (median and an 80 % interval, in days after the fit), and how much to
/// trust it (<c>high</c>: 3 or more repeat purchases; <c>medium</c>: 1–2; <c>low</c>: none, or the fallback).
/// </summary>
public sealed record CustomerPrediction(
    string CustomerId,
    double ProbabilityAlive,
    double ExpectedPurchases,
    double ExpectedPurchasesYear,
    decimal ExpectedOrderValue,
    decimal PredictedClv,
    double ChurnProbability,
    double? ChurnProbabilityClassifier,
    double? NextPurchaseDays,
    double? NextPurchaseEarliestDays,
    double? NextPurchaseLatestDays,
    string Confidence,
    DateTimeOffset FittedAt);
