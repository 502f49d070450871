using PecosCrm.Core.Orders;

namespace PecosCrm.Core.Customers;

/// <summary>
/// A customer's purchase metrics. They are a function of the customer's orders alone, so applying
/// the same events in any order gives the same metrics. They are kept as running totals
/// (<see cref="Replace"/> swaps one order's contribution for its new state) and equal
/// <see cref="FromOrders"/> over every order. Cancelled orders and refunds are netted out.
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
    /// The metrics after one order changed from <paramref name="before"/> (null: a new order) to
    /// <paramref name="after"/>, from the running totals alone; null when they cannot tell (a counted
    /// order that was the first or last one stops counting), and the caller must re-read every order.
    /// </summary>
    public CustomerMetrics? Replace(Order? before, Order after)
    {
        var wasCounted = before?.Counts == true;
        if (wasCounted && !after.Counts && (before!.PlacedAt == FirstOrderAt || before.PlacedAt == LastOrderAt))
        {
            return null;
        }
        var count = OrderCount - (wasCounted ? 1 : 0) + (after.Counts ? 1 : 0);
        var net = LifetimeValueCents - (wasCounted ? before!.NetCents : 0) + (after.Counts ? after.NetCents : 0);
        var gross = GrossCents - Gross(before) + Gross(after);
        var refunded = RefundedCents - Refunded(before) + Refunded(after);
        var cancelled = CancelledCount - (before?.IsCancelled == true ? 1 : 0) + (after.IsCancelled ? 1 : 0);
        var first = FirstOrderAt;
        var last = LastOrderAt;
        if (count == 0)
        {
            first = last = null;
        }
        else if (after.Counts)
        {
            first = first is { } f && f <= after.PlacedAt ? f : after.PlacedAt;
            last = last is { } l && l >= after.PlacedAt ? l : after.PlacedAt;
        }
        var categories = new Dictionary<string, CategorySpend>(Categories, StringComparer.OrdinalIgnoreCase);
        if (wasCounted)
        {
            foreach (var (category, spend) in CategoryShares(before!))
            {
                var c = categories[category];
                var left = new CategorySpend(c.Cents - spend.Cents, c.Orders - 1, c.Items - spend.Items);
                if (left.Orders == 0)
                {
                    categories.Remove(category);
                }
                else
                {
                    categories[category] = left;
                }
            }
        }
        if (after.Counts)
        {
            foreach (var (category, spend) in CategoryShares(after))
            {
                categories.TryGetValue(category, out var c);
                categories[category] = new CategorySpend((c?.Cents ?? 0) + spend.Cents, (c?.Orders ?? 0) + 1, (c?.Items ?? 0) + spend.Items);
            }
        }
        return Build(net, gross, refunded, count, cancelled, first, last, categories);
    }

    private static long Gross(Order? o) => o is null || o.IsCancelled ? 0 : o.TotalCents;

    private static long Refunded(Order? o) => o is null || o.IsCancelled ? 0 : Math.Min(o.RefundedCents, o.TotalCents);

    /// <summary>One counted order's spend per category: refunds are spread over the lines in proportion, so affinity follows what was kept.</summary>
    private static IEnumerable<(string Category, CategorySpend Spend)> CategoryShares(Order order)
    {
        var keptShare = order.TotalCents == 0 ? 0 : (double)order.NetCents / order.TotalCents;
        foreach (var group in order.Lines.Where(l => !string.IsNullOrWhiteSpace(l.Category)).GroupBy(l => l.Category!.Trim().ToLowerInvariant()))
        {
            yield return (group.Key, new CategorySpend((long)Math.Round(group.Sum(l => l.TotalCents) * keptShare), 1, group.Sum(l => l.Quantity)));
        }
    }

    private static CustomerMetrics Build(
        long net, long gross, long refunded, int count, int cancelled, DateTimeOffset? first, DateTimeOffset? last, Dictionary<string, CategorySpend> categories)
    {
        double? between = count >= 2 ? Math.Round((last!.Value - first!.Value).TotalDays / (count - 1), 1) : null;
        var spanMonths = count == 0 ? 1 : Math.Max(1, (last!.Value - first!.Value).TotalDays / 30.44);
        return new CustomerMetrics(net, gross, refunded, count, cancelled, Money.Divide(net, count), first, last, between, Math.Round(count / spanMonths, 2), categories);
    }

    /// <summary>
    /// Computes the metrics from every order of the customer. Purchase frequency is orders per
    /// month (30.44 days) over the active span from first to last order, at least one month.
    /// </summary>
    public static CustomerMetrics FromOrders(IEnumerable<Order> orders)
    {
        var all = orders.ToList();
        var counted = all.Where(o => o.Counts).OrderBy(o => o.PlacedAt).ThenBy(o => o.Id, StringComparer.Ordinal).ToList();
        var categories = new Dictionary<string, CategorySpend>(StringComparer.OrdinalIgnoreCase);
        foreach (var (category, spend) in counted.SelectMany(CategoryShares))
        {
            categories.TryGetValue(category, out var c);
            categories[category] = new CategorySpend((c?.Cents ?? 0) + spend.Cents, (c?.Orders ?? 0) + 1, (c?.Items ?? 0) + spend.Items);
        }
        return Build(
            counted.Sum(o => o.NetCents), all.Sum(Gross), all.Sum(Refunded), counted.Count, all.Count(o => o.IsCancelled),
            counted.Count > 0 ? counted[0].PlacedAt : null, counted.Count > 0 ? counted[^1].PlacedAt : null, categories);
    }
}

/// <summary>Net spend, number of orders and items in one product category.</summary>
public sealed record CategorySpend(long Cents, int Orders, int Items);
