using System.Text.Json;
using PecosCrm.Core.Events;

namespace PecosCrm.Bench.Scenarios;

/// <summary>The counters of <c>GET /api/customers/{id}/metrics</c> that the bench's events move, one each.</summary>
public sealed record MetricsSnapshot(int OrderCount, int Logins, int PageViews, int ProductViews, int CartUpdates)
{
    public static readonly MetricsSnapshot Zero = new(0, 0, 0, 0, 0);

    public static MetricsSnapshot Parse(JsonElement metrics)
    {
        var engagement = metrics.GetProperty("engagement");
        return new MetricsSnapshot(
            metrics.GetProperty("orderCount").GetInt32(),
            engagement.GetProperty("logins").GetInt32(),
            engagement.GetProperty("pageViews").GetInt32(),
            engagement.GetProperty("productViews").GetInt32(),
            engagement.GetProperty("cartUpdates").GetInt32());
    }

    /// <summary>True when some counter is above <paramref name="expected"/>: an event was applied twice.</summary>
    public bool Exceeds(MetricsSnapshot expected) =>
        OrderCount > expected.OrderCount || Logins > expected.Logins || PageViews > expected.PageViews
        || ProductViews > expected.ProductViews || CartUpdates > expected.CartUpdates;

    public MetricsSnapshot Count(string eventType) => eventType switch
    {
        EventTypes.OrderPlaced => this with { OrderCount = OrderCount + 1 },
        EventTypes.AccountLogin => this with { Logins = Logins + 1 },
        EventTypes.PageViewed => this with { PageViews = PageViews + 1 },
        EventTypes.ProductViewed => this with { ProductViews = ProductViews + 1 },
        EventTypes.CartUpdated => this with { CartUpdates = CartUpdates + 1 },
        _ => this,
    };
}
