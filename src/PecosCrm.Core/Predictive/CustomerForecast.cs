namespace PecosCrm.Core.Predictive;

/// <summary>
/// The models a forecast reads: fitted BG/NBD and Gamma-Gamma parameters, or neither (the fallback),
/// and the store's seasons (<see cref="SeasonalClock"/>; the histories were measured on it, and the
/// store's median gap is in its days).
/// </summary>
public sealed record FittedModels(BgNbdParameters? Purchases, GammaGammaParameters? Spend, double StoreMeanValue, double StoreMedianGapDays, SeasonalClock? Seasons = null)
{
    public SeasonalClock Clock => Seasons ?? SeasonalClock.Calendar;
}

/// <summary>
/// One customer's forecast from their history and the fitted models: pure arithmetic, no I/O. With
/// fitted models: P(alive), expected purchases and the next-purchase quantiles from BG/NBD, the order
/// value from Gamma-Gamma, the lifetime value as the expected purchases of each coming month times
/// that value, discounted monthly; the churn probability is P(no purchase in the horizon) =
/// (1 − P(alive)) + P(alive)·((α + T)/(α + T + h))^(r + x). Without them (a store too small to fit),
/// the fallback: the customer's own mean gap between purchases (else the store's median) as an
/// exponential clock, P(alive) = exp(−days since the last purchase / (2·gap)), and <c>low</c> confidence.
/// The history is in the seasonal clock's days; every horizon is turned into that clock's days from
/// the fit onwards, and the next-purchase days back into calendar days.
/// </summary>
public static class CustomerForecast
{
    private const double DaysPerMonth = 365.25 / 12;

    public static CustomerPrediction Predict(string customerId, PurchaseHistory h, FittedModels models, PredictiveSettings settings, DateTimeOffset fittedAt, double? classifierChurn = null)
    {
        var clock = models.Clock;
        double Ahead(double days) => clock.Days(fittedAt, fittedAt.AddDays(days));
        var horizon = Ahead(settings.HorizonDays);
        if (models.Purchases is not { } bg)
        {
            return Fallback(customerId, h, models, settings, fittedAt, horizon, Ahead(365), classifierChurn);
        }
        var alive = BgNbd.ProbabilityAlive(bg, h);
        var expected = BgNbd.ExpectedPurchases(bg, h, horizon);
        var year = BgNbd.ExpectedPurchases(bg, h, Ahead(365));
        var value = models.Spend is { } gg ? GammaGamma.ExpectedValue(gg, h.Repeat, h.MeanValue) : h.MeanValue > 0 ? h.MeanValue : models.StoreMeanValue;
        var clv = 0.0;
        var before = 0.0;
        for (var month = 1; month <= settings.ClvMonths; month++)
        {
            var upTo = BgNbd.ExpectedPurchases(bg, h, Ahead(month * DaysPerMonth));
            clv += (upTo - before) * value / Math.Pow(1 + settings.MonthlyDiscountRate, month);
            before = upTo;
        }
        var churn = BgNbd.ProbabilityNoPurchase(bg, h, horizon);
        var confidence = h.Repeat >= 3 ? "high" : h.Repeat >= 1 ? "medium" : "low";
        return new CustomerPrediction(customerId, alive, expected, year, Money(value), Money(clv), churn, classifierChurn,
            Next(0.5), Next(0.1), Next(0.9), confidence, fittedAt);

        double Next(double quantile) => clock.CalendarDays(fittedAt, BgNbd.NextPurchaseDays(bg, h, quantile));
    }

    private static CustomerPrediction Fallback(
        string customerId, PurchaseHistory h, FittedModels models, PredictiveSettings settings, DateTimeOffset fittedAt, double horizon, double year, double? classifierChurn)
    {
        var gap = h.Repeat > 0 && h.Recency > 0 ? h.Recency / h.Repeat : models.StoreMedianGapDays;
        var alive = Math.Exp(-(h.Age - h.Recency) / (2 * gap));
        var rate = alive / gap;
        var value = h.MeanValue > 0 ? h.MeanValue : models.StoreMeanValue;
        var clv = 0.0;
        for (var month = 1; month <= settings.ClvMonths; month++)
        {
            var days = models.Clock.Days(fittedAt.AddDays((month - 1) * DaysPerMonth), fittedAt.AddDays(month * DaysPerMonth));
            clv += rate * days * value / Math.Pow(1 + settings.MonthlyDiscountRate, month);
        }
        var churn = 1 - alive * (1 - Math.Exp(-horizon / gap));
        var next = models.Clock.CalendarDays(fittedAt, Math.Max(0, h.Recency + gap - h.Age));
        return new CustomerPrediction(customerId, alive, rate * horizon, rate * year, Money(value), Money(clv), churn, classifierChurn,
            next, null, null, "low", fittedAt);
    }

    private static decimal Money(double value) => double.IsFinite(value) ? Math.Round((decimal)value, 2) : 0m;
}
