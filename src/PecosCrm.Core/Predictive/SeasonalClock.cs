namespace PecosCrm.Core.Predictive;

/// <summary>
/// The store's seasons as a clock that runs fast when customers buy more and slow when they buy less:
/// one factor per calendar month (mean 1), and a day of month <c>m</c> counts as <c>factor[m]</c>
/// "operational" days. The buy-till-you-die models assume a customer's purchase rate is constant in
/// time; with the clock they assume it is constant in operational time, so a customer's rate is
/// higher in November than in June by the ratio of the two months' factors. Histories are measured on
/// this clock before the fit (<see cref="Measure"/>), and a forecast's horizon is the operational
/// length of its calendar days (<see cref="Days"/>), so a 90-day forecast made in September expects
/// the holiday peak. Pure arithmetic; <see cref="Calendar"/> is the clock without seasons.
/// </summary>
public sealed class SeasonalClock
{
    /// <summary>Complete months of history needed before seasons are estimated: two years, so every calendar month has a centred year around it.</summary>
    public const int MinMonths = 24;

    /// <summary>Repeat purchases those months must hold, so a month's factor is not noise.</summary>
    public const int MinPurchases = 1_000;

    /// <summary>The bounds a month's factor is held to, whatever a thin or odd history says.</summary>
    private const double MinFactor = 0.25;

    private const double MaxFactor = 4;

    private readonly double[] _factors;

    private SeasonalClock(double[] factors)
    {
        _factors = factors;
        IsCalendar = factors.All(f => f == 1);
    }

    /// <summary>Calendar time: every day counts as one day.</summary>
    public static SeasonalClock Calendar { get; } = new([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);

    /// <summary>A clock of twelve given factors, January first, normalised to a mean of 1.</summary>
    public static SeasonalClock FromFactors(IReadOnlyList<double> monthFactors)
    {
        if (monthFactors.Count != 12 || monthFactors.Any(f => !double.IsFinite(f) || f <= 0))
        {
            throw new ArgumentException("A seasonal clock takes twelve positive factors, January first.", nameof(monthFactors));
        }
        var mean = monthFactors.Average();
        return new SeasonalClock(monthFactors.Select(f => f / mean).ToArray());
    }

    /// <summary>January to December; all 1 on the <see cref="Calendar"/> clock.</summary>
    public IReadOnlyList<double> MonthFactors => _factors;

    public bool IsCalendar { get; }

    /// <summary>
    /// The monthly factors by the ratio to a centred 12-month moving average (classical multiplicative
    /// decomposition, which takes the store's growth out): each month's repeat purchases over the
    /// 2×12 moving average centred on it, averaged per calendar month over the years, normalised to a
    /// mean of 1 and held within [0.25, 4]. <paramref name="monthly"/> holds complete months, oldest
    /// first, without gaps (a month without purchases is a 0). Null, with the reason, when the history
    /// is shorter than <see cref="MinMonths"/> or thinner than <see cref="MinPurchases"/>.
    /// </summary>
    public static (SeasonalClock? Clock, string? Reason) Estimate(IReadOnlyList<MonthlyPurchases> monthly)
    {
        if (monthly.Count < MinMonths)
        {
            return (null, $"{monthly.Count} complete months of orders; seasons need at least {MinMonths}.");
        }
        var total = monthly.Sum(m => m.Purchases);
        if (total < MinPurchases)
        {
            return (null, $"{total} repeat purchases in {monthly.Count} months; seasons need at least {MinPurchases}.");
        }
        var sums = new double[12];
        var counts = new int[12];
        for (var i = 6; i < monthly.Count - 6; i++)
        {
            var average = (0.5 * monthly[i - 6].Purchases + 0.5 * monthly[i + 6].Purchases + Enumerable.Range(i - 5, 11).Sum(j => (double)monthly[j].Purchases)) / 12;
            if (average > 0)
            {
                var month = monthly[i].Month.Month - 1;
                sums[month] += monthly[i].Purchases / average;
                counts[month]++;
            }
        }
        if (counts.Any(c => c == 0))
        {
            return (null, "a calendar month has no centred year of purchases around it.");
        }
        var raw = sums.Select((s, m) => s / counts[m]).ToArray();
        var mean = raw.Average();
        return (new SeasonalClock(raw.Select(f => Math.Clamp(f / mean, MinFactor, MaxFactor)).ToArray()), null);
    }

    /// <summary>The operational days in [<paramref name="from"/>, <paramref name="to"/>): each calendar day weighted by its month's factor.</summary>
    public double Days(DateTimeOffset from, DateTimeOffset to)
    {
        if (to <= from)
        {
            return 0;
        }
        var days = 0.0;
        var at = from.ToUniversalTime();
        var end = to.ToUniversalTime();
        while (at < end)
        {
            var monthEnd = new DateTimeOffset(at.Year, at.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1);
            var until = monthEnd < end ? monthEnd : end;
            days += (until - at).TotalDays * _factors[at.Month - 1];
            at = until;
        }
        return days;
    }

    /// <summary>The calendar days after <paramref name="from"/> in which <paramref name="operationalDays"/> pass: the inverse of <see cref="Days"/>.</summary>
    public double CalendarDays(DateTimeOffset from, double operationalDays)
    {
        var left = operationalDays;
        var at = from.ToUniversalTime();
        var calendar = 0.0;
        // Whole years first (a far quantile can be centuries away); the rest month by month.
        var year = Days(at, at.AddYears(1));
        var years = Math.Floor(left / year) - 1;
        if (years > 100)
        {
            return left / year * 365.2425;
        }
        if (years >= 1)
        {
            var later = at.AddYears((int)years);
            left -= Days(at, later);
            calendar = (later - at).TotalDays;
            at = later;
        }
        while (left > 0)
        {
            var monthEnd = new DateTimeOffset(at.Year, at.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1);
            var factor = _factors[at.Month - 1];
            var span = (monthEnd - at).TotalDays;
            if (span * factor >= left)
            {
                return calendar + left / factor;
            }
            left -= span * factor;
            calendar += span;
            at = monthEnd;
        }
        return calendar;
    }

    /// <summary>
    /// A history measured on this clock: the repeat purchases stay, the day of the last one and the
    /// time watched become the operational days from the first purchase (<paramref name="first"/>) to
    /// the last one and to <paramref name="until"/>.
    /// </summary>
    public PurchaseHistory Measure(PurchaseHistory history, DateTimeOffset first, DateTimeOffset until)
    {
        if (IsCalendar)
        {
            return history;
        }
        var age = Days(first, until);
        var recency = Math.Min(Days(first, first.AddDays(history.Recency)), age);
        return history with { Recency = history.Repeat > 0 ? recency : 0, Age = age };
    }
}

/// <summary>Repeat purchases (distinct purchase days after a customer's first) in one calendar month.</summary>
public readonly record struct MonthlyPurchases(DateOnly Month, long Purchases);
