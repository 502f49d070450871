using PecosCrm.Core.Orders;

namespace PecosCrm.Core.Customers;

/// <summary>
/// A customer's purchase metrics. They are a function of the customer's orders alone (recomputed
/// from the order rows whenever an order event is applied), so applying the same events in any
/// order gives the same metrics. Cancelled orders and refunds are netted out.
/// </summary>
public sealed record CustomerMetrics(
    long LifetimeValueCents,
    long GrossCents,
    long RefundedCents,
    int OrderCount,
    int CancelledCount,
    long AverageOrderValueCents,
    DateTimeOffset? FirstOrderAt,
    DateTimeOffset? LastOrderAt,
    double? AverageDaysBetweenOrders,
    double PurchaseFrequencyPerMonth,
    IReadOnlyDictionary<string, CategorySpend> Categories)
{
    public static readonly CustomerMetrics Empty = new(0, 0, 0, 0, 0, 0, null, null, null, 0, new Dictionary<string, CategorySpend>());

    /// <summary>Whole days since the last counted order, at <paramref name="now"/>; null without orders.</summary>
    public int? DaysSinceLastOrder(DateTimeOffset now) => LastOrderAt is { } last ? Math.Max(0, (int)(now - last).TotalDays) : null;

    /// <summary>
    /// Computes the metrics from every order of the customer. Purchase frequency is orders per
    /// month (30.44 days) over the active span from first to last order, at least one month.
    /// </summary>
    public static CustomerMetrics FromOrders(IEnumerable<Order> orders)
    {
        var all = orders.ToList();
        var counted = all.Where(o => o.Counts).OrderBy(o => o.PlacedAt).ThenBy(o => o.Id, StringComparer.Ordinal).ToList();
        var net = counted.Sum(o => o.NetCents);
        var gross = all.Where(o => !o.IsCancelled).Sum(o => o.TotalCents);
        var refunded = all.Where(o => !o.IsCancelled).Sum(o => Math.Min(o.RefundedCents, o.TotalCents));
        DateTimeOffset? first = counted.Count > 0 ? counted[0].PlacedAt : null;
        DateTimeOffset? last = counted.Count > 0 ? counted[^1].PlacedAt : null;
        double? between = counted.Count >= 2 ? Math.Round((last!.Value - first!.Value).TotalDays / (counted.Count - 1), 1) : null;
        var spanMonths = counted.Count == 0 ? 1 : Math.Max(1, (last!.Value - first!.Value).TotalDays / 30.44);

        var categories = new Dictionary<string, CategorySpend>(StringComparer.OrdinalIgnoreCase);
        foreach (var order in counted)
        {
            // Refunds are spread over the lines in proportion, so affinity follows what was kept.
            var keptShare = order.TotalCents == 0 ? 0 : (double)order.NetCents / order.TotalCents;
            foreach (var group in order.Lines.Where(l => !string.IsNullOrWhiteSpace(l.Category)).GroupBy(l => l.Category!.Trim().ToLowerInvariant()))
            {
                var spend = (long)Math.Round(group.Sum(l => l.TotalCents) * keptShare);
                categories.TryGetValue(group.Key, out var c);
                categories[group.Key] = new CategorySpend((c?.Cents ?? 0) + spend, (c?.Orders ?? 0) + 1, (c?.Items ?? 0) + group.Sum(l => l.Quantity));
            }
        }

        return new CustomerMetrics(
            net, gross, refunded, counted.Count, all.Count(o => o.IsCancelled),
            Money.Divide(net, counted.Count),
            first, last, between,
            Math.Round(counted.Count / spanMonths, 2),
            categories);
    }
}

/// <summary>Net spend, number of orders and items in one product category.</summary>
public sealed record CategorySpend(long Cents, int Orders, int Items);
