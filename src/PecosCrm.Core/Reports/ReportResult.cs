using PecosCrm.Core.Analytics;

namespace PecosCrm.Core.Reports;

/// <summary>One row of a report: its dimension values by name, readable labels (a product's name), and the metric's value.</summary>
public sealed record ReportRow(IReadOnlyDictionary<string, string> Dimensions, IReadOnlyDictionary<string, string> Labels, decimal Value);

/// <summary>
/// What a run answered. Money is in <see cref="Currency"/>'s unit, rounded half away from zero to
/// the cent; counts have no currency. <see cref="Total"/> is the metric over the whole range and
/// filters (a distinct count is not the sum of the rows). Rows are in time order when the first
/// dimension is time, else largest first; at most <see cref="ReportCatalog.MaxRows"/>
/// (<see cref="Truncated"/> says more were cut). <see cref="Freshness"/> is the analytical copy's.
/// </summary>
public sealed record ReportResult(
    string Metric,
    string MetricLabel,
    string? Currency,
    string Chart,
    IReadOnlyList<string> Dimensions,
    IReadOnlyList<ReportRow> Rows,
    decimal Total,
    bool Truncated,
    DateTimeOffset From,
    DateTimeOffset To,
    string FirstDay,
    string LastDay,
    string TimeZone,
    DateTimeOffset RanAt,
    CopyFreshness Freshness);
