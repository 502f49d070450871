namespace PecosCrm.Core.Reports;

/// <summary>How a metric's value reads: an amount of money or a count.</summary>
public enum ReportValueKind
{
    Money,
    Count,
}

/// <summary>
/// A metric of the catalogue. <paramref name="Lines"/>: counted over order lines (units), so
/// line dimensions keep their meaning; <paramref name="OrdersOnly"/>: only at order level (refunds
/// are not kept per line, so a category or product cannot split them).
/// </summary>
public sealed record ReportMetric(string Name, string Label, ReportValueKind Kind, string Definition, bool Lines = false, bool OrdersOnly = false);

/// <summary>
/// A dimension (and, unless <paramref name="Time"/>, a filter field). <paramref name="Source"/>
/// says what the value is read from: the order, its lines, or the customer.
/// </summary>
public sealed record ReportDimension(string Name, string Label, ReportSource Source, bool Time, string Definition);

public enum ReportSource
{
    Order,
    Line,
    Customer,
    Rfm,
}

/// <summary>
/// The one list of what a report may show: its metrics, dimensions, filter fields, relative date
/// ranges, charts, schedule frequencies and file formats. Validation, the SQL builder, the files and
/// <c>GET /api/reports/catalog</c> all read it.
/// </summary>
public static class ReportCatalog
{
    public const string SegmentFilter = "segment";
    public const int MaxDimensions = 3;
    public const int MaxFilters = 10;
    public const int MaxFilterValues = 100;
    public const int MaxRows = 1000;

    public static readonly IReadOnlyList<ReportMetric> Metrics =
    [
        new("revenue", "Revenue", ReportValueKind.Money,
            "Net revenue (totals less refunds) of counted orders placed in the range; split or filtered by category or product, the lines' quantity × unit price."),
        new("orders", "Orders", ReportValueKind.Count, "Counted orders placed in the range (not cancelled, not refunded in full)."),
        new("average_order_value", "Average order value", ReportValueKind.Money, "Revenue divided by orders, rounded half away from zero to the cent."),
        new("new_customers", "New customers", ReportValueKind.Count, "Customers whose first counted order was placed in the range, split by that order."),
        new("active_customers", "Active customers", ReportValueKind.Count, "Customers with at least one counted order in the range."),
        new("units", "Units", ReportValueKind.Count, "Quantity on the lines of counted orders placed in the range.", Lines: true),
        new("refunds", "Refunds", ReportValueKind.Money, "Amounts refunded on orders placed in the range (cancelled orders excluded).", OrdersOnly: true),
    ];

    public static readonly IReadOnlyList<ReportDimension> Dimensions =
    [
        new("day", "Day", ReportSource.Order, true, "The order's date on the store's clock, yyyy-MM-dd."),
        new("week", "Week", ReportSource.Order, true, "The Monday of the order's week on the store's clock, yyyy-MM-dd."),
        new("month", "Month", ReportSource.Order, true, "The order's month on the store's clock, yyyy-MM."),
        new("channel", "Channel", ReportSource.Order, false, "The order's sales channel (web, pos, ...), lower case; unknown when missing."),
        new("coupon", "Coupon", ReportSource.Order, false, "The coupon code used on the order; none when no coupon."),
        new("category", "Category", ReportSource.Line, false, "The line's product category, lower case; uncategorized when missing."),
        new("product", "Product", ReportSource.Line, false, "The line's product id, with the product's name in the row's labels."),
        new("rfm_segment", "RFM segment", ReportSource.Rfm, false, "The customer's segment under the current RFM map, scored on the analytical copy; unscored when none."),
        new("tier", "Tier", ReportSource.Customer, false, "The customer's loyalty tier now, lower case; none when missing."),
        new("country", "Country", ReportSource.Customer, false, "The country of the customer's shipping address now; unknown when missing."),
        new("region", "Region", ReportSource.Customer, false, "The region (state) of the customer's shipping address now; unknown when missing."),
    ];

    public static readonly IReadOnlyList<string> Charts = ["bar", "line", "pie", "table"];

    public static readonly IReadOnlyList<string> FilterOperators = ["in", "not_in"];

    public static readonly IReadOnlyList<string> RelativeRanges = ReportPeriod.RelativeRanges;

    public static readonly IReadOnlyList<string> Frequencies = ["daily", "weekly", "monthly"];

    public static readonly IReadOnlyList<string> Formats = ["csv", "xlsx"];

    public static IReadOnlyList<string> FilterFields { get; } = [.. Dimensions.Where(d => !d.Time).Select(d => d.Name), SegmentFilter];

    public static ReportMetric? FindMetric(string? name) => Metrics.FirstOrDefault(m => m.Name == name);

    public static ReportDimension? FindDimension(string? name) => Dimensions.FirstOrDefault(d => d.Name == name);
}
