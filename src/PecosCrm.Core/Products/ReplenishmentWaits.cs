using PecosCrm.Core.Orders;

namespace PecosCrm.Core.Products;

/// <summary>
/// How long the Replenishment automation waits after an order: the replenishment interval of the
/// order's products (the shortest one known, in whole days), or null when none of them has one and
/// the workflow's own duration applies. Intervals come from the analytical copy and are kept for
/// ten minutes, so enrolments do not open a DuckDB session each.
/// </summary>
public sealed class ReplenishmentWaits(ProductAnalytics analytics, OrderStore orders, TimeProvider time)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(10);

    private readonly SemaphoreSlim _refresh = new(1, 1);
    private (DateTimeOffset At, IReadOnlyDictionary<string, double> Days)? _cache;

    public async Task<TimeSpan?> ForOrderAsync(string? orderId, CancellationToken cancellationToken = default)
    {
        if (orderId is null || await orders.FindAsync(orderId, cancellationToken) is not { } order)
        {
            return null;
        }
        var intervals = await IntervalsAsync(cancellationToken);
        var known = order.Lines.Select(l => intervals.TryGetValue(l.ProductId, out var days) ? days : (double?)null).OfType<double>().ToList();
        return known.Count == 0 ? null : TimeSpan.FromDays(Math.Clamp(Math.Round(known.Min()), 1, 365));
    }

    private async Task<IReadOnlyDictionary<string, double>> IntervalsAsync(CancellationToken cancellationToken)
    {
        if (_cache is { } fresh && time.GetUtcNow() - fresh.At < CacheFor)
        {
            return fresh.Days;
        }
        await _refresh.WaitAsync(cancellationToken);
        try
        {
            if (_cache is { } other && time.GetUtcNow() - other.At < CacheFor)
            {
                return other.Days;
            }
            var all = await analytics.IntervalsAsync(null, ProductAnalytics.DefaultMinCustomers, cancellationToken);
            var days = all.ToDictionary(i => i.ProductId, i => i.MedianDays, StringComparer.Ordinal);
            _cache = (time.GetUtcNow(), days);
            return days;
        }
        finally
        {
            _refresh.Release();
        }
    }
}
