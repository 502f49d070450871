using MathNet.Numerics.Distributions;
using PecosCrm.Core.Predictive;

namespace PecosCrm.UnitTests.Predictive;

/// <summary>
/// The seasonal clock: its factors estimated from monthly purchases that grow and swing with the
/// seasons, its days and their inverse, and BG/NBD run on it forecasting a holiday-season holdout that
/// the calendar model under-forecasts.
/// </summary>
public sealed class SeasonalClockTests
{
    /// <summary>The bench store's seasons: holidays, boot season in spring, back to work in late summer.</summary>
    private static readonly double[] Weights = [0.6, 0.6, 0.9, 1.1, 0.9, 0.55, 0.55, 0.8, 0.85, 0.9, 1.6, 2.0];

    [Fact]
    public void Estimate_RecoversTheSeasons_OfAGrowingStore()
    {
        // Three years of a store that sells a third more every year, on top of its seasons.
        var monthly = Enumerable.Range(0, 36)
            .Select(i => new MonthlyPurchases(new DateOnly(2023, 12, 1).AddMonths(i), (long)(10_000 * (1 + i / 36.0) * Weights[(11 + i) % 12])))
            .ToList();

        var (clock, reason) = SeasonalClock.Estimate(monthly);

        Assert.Null(reason);
        var mean = Weights.Average();
        for (var m = 0; m < 12; m++)
        {
            Assert.InRange(clock!.MonthFactors[m], Weights[m] / mean * 0.97, Weights[m] / mean * 1.03);
        }
        Assert.Equal(1, clock!.MonthFactors.Average(), 6);
    }

    [Fact]
    public void Estimate_WithLessThanTwoYears_SaysWhy_AndGivesNoClock()
    {
        var monthly = Enumerable.Range(0, 23).Select(i => new MonthlyPurchases(new DateOnly(2025, 1, 1).AddMonths(i), 5_000)).ToList();

        var (clock, reason) = SeasonalClock.Estimate(monthly);

        Assert.Null(clock);
        Assert.Contains("24", reason);
    }

    [Fact]
    public void Days_WeighEachMonth_AndCalendarDaysUndoThem()
    {
        var clock = SeasonalClock.FromFactors(Weights);
        var november = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        var mean = Weights.Average();

        Assert.Equal(30 * 1.6 / mean, clock.Days(november, november.AddMonths(1)), 9);
        Assert.Equal(15 * 1.6 / mean + 10 * 2.0 / mean, clock.Days(november.AddDays(15), november.AddDays(40)), 9);
        var from = new DateTimeOffset(2026, 9, 6, 12, 0, 0, TimeSpan.Zero);
        foreach (var days in new[] { 0.5, 20, 90, 365, 1000 })
        {
            Assert.Equal(days, clock.CalendarDays(from, clock.Days(from, from.AddDays(days))), 6);
        }
        Assert.Equal(90, SeasonalClock.Calendar.Days(from, from.AddDays(90)), 9);
    }

    [Fact]
    public void BgNbdOnTheSeasonalClock_ForecastsAHolidayHoldout_TheCalendarModelUnderForecasts()
    {
        var truth = SeasonalClock.FromFactors(Weights);
        var parameters = new BgNbdParameters(0.6, 80, 0.8, 4);
        var cut = new DateTimeOffset(2026, 9, 5, 0, 0, 0, TimeSpan.Zero);
        var start = cut.AddYears(-3);
        var end = cut.AddDays(90);
        var random = new Random(1881);
        var customers = new List<(PurchaseHistory History, DateTimeOffset First, int Holdout)>();
        var repeatsByMonth = new Dictionary<DateOnly, long>();
        for (var i = 0; i < 20_000; i++)
        {
            // Customers join evenly; they buy at a constant rate in the store's seasonal time.
            var first = start.AddDays(random.NextDouble() * (cut - start).TotalDays);
            var rate = Gamma.Sample(random, parameters.R, parameters.Alpha);
            var dropOut = Beta.Sample(random, parameters.A, parameters.B);
            var (elapsed, repeat, last, holdout) = (0.0, 0, 0.0, 0);
            var watched = truth.Days(first, end);
            while (true)
            {
                elapsed += Exponential.Sample(random, rate);
                if (elapsed >= watched)
                {
                    break;
                }
                var at = first.AddDays(truth.CalendarDays(first, elapsed));
                if (at < cut)
                {
                    (repeat, last) = (repeat + 1, (at - first).TotalDays);
                    var month = new DateOnly(at.Year, at.Month, 1);
                    repeatsByMonth[month] = repeatsByMonth.GetValueOrDefault(month) + 1;
                }
                else
                {
                    holdout++;
                }
                if (random.NextDouble() < dropOut)
                {
                    break;
                }
            }
            customers.Add((new PurchaseHistory(repeat, last, (cut - first).TotalDays), first, holdout));
        }
        var months = new List<MonthlyPurchases>();
        for (var month = new DateOnly(start.Year, start.Month, 1).AddMonths(1); month < new DateOnly(cut.Year, cut.Month, 1); month = month.AddMonths(1))
        {
            months.Add(new MonthlyPurchases(month, repeatsByMonth.GetValueOrDefault(month)));
        }
        var actual = customers.Sum(c => c.Holdout);

        var (clock, _) = SeasonalClock.Estimate(months);
        var measured = customers.Select(c => clock!.Measure(c.History, c.First, cut)).ToList();
        var seasonalFit = BgNbd.Fit(measured).Parameters;
        var horizon = clock!.Days(cut, end);
        var seasonal = measured.Sum(h => BgNbd.ExpectedPurchases(seasonalFit, h, horizon));
        var calendarFit = BgNbd.Fit(customers.Select(c => c.History).ToList()).Parameters;
        var calendar = customers.Sum(c => BgNbd.ExpectedPurchases(calendarFit, c.History, 90));

        Assert.InRange(horizon / 90, 1.1, 1.3);
        Assert.InRange(seasonal / actual, 0.93, 1.07);
        Assert.True(calendar / actual < 0.92, $"the calendar model forecast {calendar / actual:F3} of the holdout");
    }
}
