using DuckDB.NET.Data;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Analytics;
using PecosCrm.Core.Segments;

namespace PecosCrm.Core.Predictive;

/// <summary>
/// Fits the predictive models on the analytical copy (nightly, and on demand) and publishes what they
/// say: <list type="number">
/// <item>the histories up to now and up to the holdout's start are read from the current session;</item>
/// <item>on the calibration histories, BG/NBD is fitted and its predictions for the holdout days are
/// compared with what customers did (deciles, churn AUC); the classifier is trained on the same
/// calibration features with the holdout's outcome;</item>
/// <item>BG/NBD and Gamma-Gamma are fitted again on everything, and every customer is forecast;</item>
/// <item>the predictions, the product tables for recommendations and the report are written, and the
/// engine loads the new version, so segments, the 360 view and automations read the new scores.</item>
/// </list>
/// A store too small to fit (<see cref="PredictiveOptions.MinCustomers"/>,
/// <see cref="PredictiveOptions.MinRepeatCustomers"/>) gets the fallback forecast and a report that says so.
/// </summary>
public sealed partial class PredictiveFitter(
    AnalyticsEngine engine, PredictionFiles files, DiscountCodes codes, RfmAnalysis rfm, IOptions<PredictiveOptions> options, TimeProvider time,
    ILogger<PredictiveFitter> logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<PredictiveModelReport> FitAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var report = await FitOnceAsync(cancellationToken);
            LogFitted(logger, report.Status, report.Customers, report.FitSeconds);
            return report;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<PredictiveModelReport> FitOnceAsync(CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var o = options.Value;
        var now = time.GetUtcNow();
        var cut = now.AddDays(-o.HoldoutDays);
        using var reader = await engine.AcquireAsync(cancellationToken);
        var db = reader.Connection;
        var (seasons, seasonality) = Seasons(db, now, o);
        var settings = new PredictiveSettings(o.HoldoutDays, o.HoldoutDays, o.ClvMonths, o.MonthlyDiscountRate, seasons is null ? "days" : "seasonal days");
        var all = Measured(StoreHistories.Read(db, now), seasons, now);
        var repeaters = all.Count(c => c.History.Repeat > 0);
        var storeMean = all.Where(c => c.History.Repeat > 0).Select(c => c.History.MeanValue).DefaultIfEmpty(all.Select(c => c.TotalValue).DefaultIfEmpty(0).Average()).Average();
        var gaps = all.Where(c => c.History.Repeat > 0).Select(c => c.History.Recency / c.History.Repeat).Where(g => g > 0).Order().ToList();
        var medianGap = gaps.Count > 0 ? gaps[gaps.Count / 2] : 180;

        string? fallback = all.Count < o.MinCustomers ? $"{all.Count} customers with orders; the models need at least {o.MinCustomers}."
            : repeaters < o.MinRepeatCustomers ? $"{repeaters} customers with a repeat purchase; the models need at least {o.MinRepeatCustomers}." : null;
        HoldoutReport? holdout = null;
        ClassifierReport? classifierReport = null;
        ChurnClassifier? classifier = null;
        BgNbdReport? bgReport = null;
        GammaGammaReport? ggReport = null;
        var models = new FittedModels(null, null, storeMean, medianGap, seasons);
        if (fallback is null)
        {
            (holdout, classifier, classifierReport) = CheckOnHoldout(db, cut, now, o);
            var bg = BgNbd.Fit(all.Select(c => c.History).ToList());
            bgReport = BgNbdReport.From(bg);
            GammaGammaParameters? spend = null;
            var ggFit = GammaGamma.Fit(all.Select(c => c.History));
            if (ggFit.Parameters.Q > 1)
            {
                spend = ggFit.Parameters;
                ggReport = new GammaGammaReport(spend.P, spend.Q, spend.Gamma, ggFit.LogLikelihood, ggFit.Customers, spend.PopulationMean, storeMean);
            }
            models = models with { Purchases = bg.Parameters, Spend = spend };
        }

        var discounts = DiscountSuggestions.Decide(await codes.AllAsync(cancellationToken), CouponOrders(db), RfmSegments(reader, await rfm.CurrentMapAsync(cancellationToken)), now);
        var predictions = Forecast(all, models, settings, now, classifier);
        await files.WriteCustomersAsync(predictions, cancellationToken);
        await files.WriteProductTablesAsync(db, now, o.MinCoBuyers, cancellationToken);
        var report = new PredictiveModelReport(now, reader.Session.AsOf, fallback is null ? "fitted" : "fallback", fallback, all.Count, repeaters,
            bgReport, ggReport, holdout, classifierReport, discounts, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds, settings, seasonality);
        await files.WriteReportAsync(report, cancellationToken);
        await engine.RefreshAsync(cancellationToken);
        return report;
    }

    /// <summary>The store's seasons from its repeat purchases before <paramref name="until"/>, or none (switched off, or too little history, with the reason).</summary>
    private static (SeasonalClock? Clock, SeasonalityReport Report) Seasons(DuckDBConnection db, DateTimeOffset until, PredictiveOptions o)
    {
        if (!o.Seasonality)
        {
            return (null, SeasonalityReport.Off("switched off (Predictive:Seasonality)."));
        }
        var monthly = StoreHistories.MonthlyRepeatPurchases(db, until);
        var (clock, reason) = SeasonalClock.Estimate(monthly);
        return clock is null ? (null, SeasonalityReport.Off(reason!, monthly.Count)) : (clock, new SeasonalityReport(true, null, monthly.Count, clock.MonthFactors));
    }

    /// <summary>The histories measured on the store's seasonal clock (unchanged without one).</summary>
    private static List<CustomerHistory> Measured(List<CustomerHistory> histories, SeasonalClock? seasons, DateTimeOffset until) =>
        seasons is null ? histories : histories.Select(c => c with { History = seasons.Measure(c.History, c.First, until) }).ToList();

    /// <summary>Every customer's forecast, with the classifier's churn probability when there is a classifier.</summary>
    private static List<CustomerPrediction> Forecast(List<CustomerHistory> all, FittedModels models, PredictiveSettings settings, DateTimeOffset now, ChurnClassifier? classifier)
    {
        var predictions = all.Select(c => CustomerForecast.Predict(c.CustomerId, c.History, models, settings, now)).ToList();
        if (classifier is null)
        {
            return predictions;
        }
        var features = all.Select((c, i) => ChurnClassifier.Features(c, predictions[i].ProbabilityAlive, predictions[i].ExpectedPurchases)).ToList();
        var churn = classifier.Predict(features);
        return predictions.Select((p, i) => p with { ChurnProbabilityClassifier = churn[i] }).ToList();
    }

    /// <summary>
    /// The models fitted on the calibration period and held against the holdout: purchases by decile,
    /// the BG/NBD churn ranking's AUC, and the classifier trained with the holdout's outcome. Null parts
    /// when the calibration period is too thin.
    /// </summary>
    private static (HoldoutReport?, ChurnClassifier?, ClassifierReport?) CheckOnHoldout(DuckDBConnection db, DateTimeOffset cut, DateTimeOffset now, PredictiveOptions o)
    {
        var (seasons, _) = Seasons(db, cut, o);
        var clock = seasons ?? SeasonalClock.Calendar;
        var calibration = Measured(StoreHistories.Read(db, cut), seasons, cut);
        if (calibration.Count < o.MinCustomers || calibration.Count(c => c.History.Repeat > 0) < o.MinRepeatCustomers)
        {
            return (null, null, null);
        }
        var made = StoreHistories.PurchaseDays(db, cut, now);
        var fit = BgNbd.Fit(calibration.Select(c => c.History).ToList());
        var bg = fit.Parameters;
        var days = clock.Days(cut, now);
        var predicted = calibration.Select(c => BgNbd.ExpectedPurchases(bg, c.History, days)).ToList();
        var actual = calibration.Select(c => (double)made.GetValueOrDefault(c.CustomerId)).ToList();
        var churned = actual.Select(a => a == 0).ToList();
        var alive = calibration.Select(c => BgNbd.ProbabilityAlive(bg, c.History)).ToList();
        var quiet = calibration.Select(c => BgNbd.ProbabilityNoPurchase(bg, c.History, days)).ToList();
        var holdout = new HoldoutReport(cut, o.HoldoutDays, calibration.Count, predicted.Sum(), actual.Sum(),
            predicted.Zip(actual).Average(p => Math.Abs(p.First - p.Second)), ModelQuality.Deciles(predicted, actual), BgNbdReport.From(fit),
            ModelQuality.Auc(quiet, churned), days / (now - cut).TotalDays);

        var examples = calibration.Select((c, i) => (c.CustomerId, ChurnClassifier.Features(c, alive[i], predicted[i]), churned[i])).ToList();
        var trained = ChurnClassifier.Train(examples);
        return (holdout, trained?.Classifier, trained?.Report);
    }

    private static List<CouponOrder> CouponOrders(DuckDBConnection db)
    {
        using var command = db.CreateCommand();
        command.CommandText = "SELECT coupon_code, customer_id, placed_at, net_cents FROM orders WHERE net_cents > 0 AND coalesce(coupon_code, '') <> ''";
        using var reader = command.ExecuteReader();
        var orders = new List<CouponOrder>();
        while (reader.Read())
        {
            orders.Add(new CouponOrder(reader.GetString(0), reader.GetString(1), new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(2), DateTimeKind.Utc)), reader.GetInt64(3)));
        }
        return orders;
    }

    private static Dictionary<string, string> RfmSegments(AnalyticsReader reader, RfmMapVersion map)
    {
        using var command = reader.Connection.CreateCommand();
        command.CommandText = $"SELECT customer_id, segment FROM {reader.RfmScores(map)}";
        using var rows = command.ExecuteReader();
        var segments = new Dictionary<string, string>(StringComparer.Ordinal);
        while (rows.Read())
        {
            segments[rows.GetString(0)] = rows.GetString(1);
        }
        return segments;
    }

    [LoggerMessage(1, LogLevel.Information, "Predictive models: {Status} over {Customers} customers in {Seconds:F1} s")]
    private static partial void LogFitted(ILogger logger, string status, int customers, double seconds);
}
