namespace PecosCrm.Core.Reports;

/// <summary>
/// The checks of a report definition, without I/O: every problem is named by its path
/// (<c>metric</c>, <c>dimensions[1]</c>, <c>filters[0].field</c>, <c>schedule.hour</c>) and thrown
/// together, so nothing is saved or run from a definition with any of them. Whether a segment of a
/// <c>segment</c> filter exists is the service's check (it needs the store).
/// </summary>
public static class ReportRules
{
    public const int MaxNameLength = 200;
    public const int MaxDescriptionLength = 1000;
    public const int MaxRecipients = 20;
    public const int MaxValueLength = 200;

    private static readonly string[] Weekdays = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

    /// <summary>The definition, trimmed, with the default filter operator (<c>in</c>) filled in.</summary>
    public static ReportDefinition Check(ReportDefinition? definition)
    {
        var check = new Validation();
        if (definition is null)
        {
            check.Add("body", "is required.");
            check.ThrowIfInvalid();
        }
        var d = definition!;
        check.Required("name", d.Name, MaxNameLength);
        check.MaxLength("description", d.Description, MaxDescriptionLength);

        var metric = ReportCatalog.FindMetric(d.Metric);
        if (metric is null)
        {
            check.Add("metric", string.IsNullOrEmpty(d.Metric) ? "is required." : $"'{d.Metric}' is not a metric; see GET /api/reports/catalog.");
        }

        var dimensions = d.Dimensions ?? [];
        CheckDimensions(check, dimensions, metric);
        var filters = CheckFilters(check, d.Filters ?? [], metric);
        CheckChart(check, d.Chart, dimensions);
        CheckRange(check, d.DateRange);
        if (d.Schedule is { } schedule)
        {
            CheckSchedule(check, schedule);
        }
        check.ThrowIfInvalid();
        return d with
        {
            Name = d.Name.Trim(),
            Description = string.IsNullOrWhiteSpace(d.Description) ? null : d.Description.Trim(),
            Dimensions = dimensions,
            Filters = filters,
            Schedule = d.Schedule is { } s ? s with { Recipients = s.Recipients.Select(r => r.Trim()).ToList() } : null,
        };
    }

    /// <summary>Whether the report reads order lines: a line metric, or a line dimension or filter.</summary>
    public static bool ReadsLines(ReportDefinition d) =>
        ReportCatalog.FindMetric(d.Metric)?.Lines == true
        || d.Dimensions.Any(n => ReportCatalog.FindDimension(n)?.Source == ReportSource.Line)
        || d.Filters.Any(f => ReportCatalog.FindDimension(f.Field)?.Source == ReportSource.Line);

    private static void CheckDimensions(Validation check, IReadOnlyList<string> dimensions, ReportMetric? metric)
    {
        if (dimensions.Count > ReportCatalog.MaxDimensions)
        {
            check.Add("dimensions", $"at most {ReportCatalog.MaxDimensions}.");
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var times = 0;
        for (var i = 0; i < dimensions.Count; i++)
        {
            var path = $"dimensions[{i}]";
            var dimension = ReportCatalog.FindDimension(dimensions[i]);
            if (dimension is null)
            {
                check.Add(path, $"'{dimensions[i]}' is not a dimension; see GET /api/reports/catalog.");
                continue;
            }
            if (!seen.Add(dimension.Name))
            {
                check.Add(path, $"'{dimension.Name}' is given twice.");
            }
            if (dimension.Time && ++times == 2)
            {
                check.Add(path, "only one of day, week and month may be used.");
            }
            if (metric?.OrdersOnly == true && dimension.Source == ReportSource.Line)
            {
                check.Add(path, $"'{metric.Name}' is not kept per order line, so it cannot be split by '{dimension.Name}'.");
            }
        }
    }

    private static List<ReportFilter> CheckFilters(Validation check, IReadOnlyList<ReportFilter> filters, ReportMetric? metric)
    {
        if (filters.Count > ReportCatalog.MaxFilters)
        {
            check.Add("filters", $"at most {ReportCatalog.MaxFilters}.");
        }
        var result = new List<ReportFilter>();
        for (var i = 0; i < filters.Count; i++)
        {
            var path = $"filters[{i}]";
            var filter = filters[i];
            if (filter is null)
            {
                check.Add(path, "is required.");
                continue;
            }
            var dimension = ReportCatalog.FindDimension(filter.Field);
            if (filter.Field != ReportCatalog.SegmentFilter && dimension is null)
            {
                check.Add(path + ".field", string.IsNullOrEmpty(filter.Field) ? "is required." : $"'{filter.Field}' is not a filter field; see GET /api/reports/catalog.");
            }
            else if (dimension is { Time: true })
            {
                check.Add(path + ".field", $"'{dimension.Name}' is a time dimension; narrow the time with dateRange.");
            }
            else if (metric?.OrdersOnly == true && dimension?.Source == ReportSource.Line)
            {
                check.Add(path + ".field", $"'{metric.Name}' is not kept per order line, so it cannot be filtered by '{dimension.Name}'.");
            }
            var op = filter.Op ?? "in";
            if (!ReportCatalog.FilterOperators.Contains(op))
            {
                check.Add(path + ".op", $"'{op}' is not an operator: in or not_in.");
            }
            var values = filter.Values ?? [];
            if (values.Count is 0 or > ReportCatalog.MaxFilterValues)
            {
                check.Add(path + ".values", $"give 1 to {ReportCatalog.MaxFilterValues} values.");
            }
            else if (values.Any(v => string.IsNullOrWhiteSpace(v) || v.Length > MaxValueLength))
            {
                check.Add(path + ".values", $"every value must be given, at most {MaxValueLength} characters.");
            }
            result.Add(filter with { Op = op, Values = values.Select(v => v?.Trim() ?? "").ToList() });
        }
        return result;
    }

    private static void CheckChart(Validation check, string? chart, IReadOnlyList<string> dimensions)
    {
        if (string.IsNullOrEmpty(chart) || !ReportCatalog.Charts.Contains(chart))
        {
            check.Add("chart", string.IsNullOrEmpty(chart) ? "is required: bar, line, pie or table." : $"'{chart}' is not a chart: bar, line, pie or table.");
            return;
        }
        switch (chart)
        {
            case "pie" when dimensions.Count != 1:
                check.Add("chart", "a pie takes exactly one dimension.");
                break;
            case "line" when dimensions.Count == 0 || ReportCatalog.FindDimension(dimensions[0]) is not { Time: true }:
                check.Add("chart", "a line takes a time dimension (day, week or month) first.");
                break;
            case "line" or "bar" when dimensions.Count > 2:
                check.Add("chart", $"a {chart} chart takes at most two dimensions.");
                break;
            case "bar" when dimensions.Count == 0:
                check.Add("chart", "a bar chart takes at least one dimension.");
                break;
        }
    }

    private static void CheckRange(Validation check, ReportDateRange? range)
    {
        if (range is null)
        {
            check.Add("dateRange", "is required: { relative } or { from, to }.");
            return;
        }
        if (range.Relative is not null)
        {
            if (range.From is not null || range.To is not null)
            {
                check.Add("dateRange", "give either relative or from and to, not both.");
            }
            else if (!ReportPeriod.RelativeRanges.Contains(range.Relative))
            {
                check.Add("dateRange.relative", $"'{range.Relative}' is not a range: {string.Join(", ", ReportPeriod.RelativeRanges)}.");
            }
            return;
        }
        var fromOk = ReportPeriod.TryParseDate(range.From, out var from);
        var toOk = ReportPeriod.TryParseDate(range.To, out var to);
        if (!fromOk)
        {
            check.Add("dateRange.from", "must be a date as yyyy-MM-dd (or give relative).");
        }
        if (!toOk)
        {
            check.Add("dateRange.to", "must be a date as yyyy-MM-dd (or give relative).");
        }
        if (fromOk && toOk && to < from)
        {
            check.Add("dateRange.to", "must not be before from.");
        }
        else if (fromOk && toOk && to.DayNumber - from.DayNumber + 1 > ReportPeriod.MaxDays)
        {
            check.Add("dateRange", $"covers at most {ReportPeriod.MaxDays} days.");
        }
    }

    private static void CheckSchedule(Validation check, ReportSchedule s)
    {
        if (string.IsNullOrEmpty(s.Frequency) || !ReportCatalog.Frequencies.Contains(s.Frequency))
        {
            check.Add("schedule.frequency", $"'{s.Frequency}' is not a frequency: daily, weekly or monthly.");
        }
        if (s.Frequency == "weekly" && (s.DayOfWeek is null || !Weekdays.Contains(s.DayOfWeek)))
        {
            check.Add("schedule.dayOfWeek", "is required for a weekly schedule: monday to sunday.");
        }
        else if (s.Frequency != "weekly" && s.DayOfWeek is not null)
        {
            check.Add("schedule.dayOfWeek", "is only for a weekly schedule.");
        }
        if (s.Frequency == "monthly" && s.DayOfMonth is not (>= 1 and <= 31))
        {
            check.Add("schedule.dayOfMonth", "is required for a monthly schedule: 1 to 31 (the last day in shorter months).");
        }
        else if (s.Frequency != "monthly" && s.DayOfMonth is not null)
        {
            check.Add("schedule.dayOfMonth", "is only for a monthly schedule.");
        }
        if (s.Hour is not (>= 0 and <= 23))
        {
            check.Add("schedule.hour", "is required: 0 to 23, on the store's clock.");
        }
        var recipients = s.Recipients ?? [];
        if (recipients.Count is 0 or > MaxRecipients)
        {
            check.Add("schedule.recipients", $"give 1 to {MaxRecipients} email addresses.");
        }
        for (var i = 0; i < recipients.Count; i++)
        {
            check.Email($"schedule.recipients[{i}]", recipients[i]?.Trim());
        }
        if (string.IsNullOrEmpty(s.Format) || !ReportCatalog.Formats.Contains(s.Format))
        {
            check.Add("schedule.format", $"'{s.Format}' is not a format: csv or xlsx.");
        }
    }

    /// <summary>The weekday of a checked schedule's <c>dayOfWeek</c>.</summary>
    public static DayOfWeek Weekday(string name) => (DayOfWeek)Array.IndexOf(Weekdays, name);
}
