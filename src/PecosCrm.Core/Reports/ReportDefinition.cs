namespace PecosCrm.Core.Reports;

/// <summary>
/// What a report shows: one metric of <see cref="ReportCatalog"/>, grouped by up to three
/// dimensions, narrowed by filters, over a date range on the store's clock, drawn as a chart; and,
/// optionally, a schedule that emails it. Names are the catalogue's strings, checked by
/// <see cref="ReportRules.Check"/>.
/// </summary>
public sealed record ReportDefinition(
    string Name,
    string? Description,
    string Metric,
    IReadOnlyList<string> Dimensions,
    IReadOnlyList<ReportFilter> Filters,
    ReportDateRange DateRange,
    string Chart,
    ReportSchedule? Schedule);

/// <summary>
/// Keeps the rows whose <paramref name="Field"/> is (<c>in</c>) or is not (<c>not_in</c>) one of the
/// values, compared ignoring case. The field <c>segment</c> takes segment ids: the customers who
/// are members of any of them now.
/// </summary>
public sealed record ReportFilter(string Field, string? Op, IReadOnlyList<string> Values);

/// <summary>
/// Either <paramref name="Relative"/> (<c>last_7_days</c>, <c>last_30_days</c>, <c>last_90_days</c>,
/// <c>month_to_date</c>, <c>previous_month</c>, <c>year_to_date</c>) or the local dates
/// <paramref name="From"/> and <paramref name="To"/> (<c>yyyy-MM-dd</c>, both included).
/// </summary>
public sealed record ReportDateRange(string? Relative, string? From, string? To);

/// <summary>
/// When a report is emailed: <c>daily</c>, <c>weekly</c> on <paramref name="DayOfWeek"/>, or
/// <c>monthly</c> on <paramref name="DayOfMonth"/> (1–31; the last day of shorter months), at
/// <paramref name="Hour"/> (0–23) on the store's clock, to <paramref name="Recipients"/>, as a
/// <c>csv</c> or <c>xlsx</c> attachment.
/// </summary>
public sealed record ReportSchedule(
    string Frequency, string? DayOfWeek, int? DayOfMonth, int? Hour, IReadOnlyList<string> Recipients, string Format, bool Active = true);
