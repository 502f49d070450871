using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Orders;

namespace PecosCrm.Core.Customers;

/// <summary>The <c>metrics</c> row: purchase metrics (from the orders) and engagement counters.</summary>
internal sealed class MetricsEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = CustomerKeys.Metrics;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public long LifetimeValueCents { get; set; }
    public long GrossCents { get; set; }
    public long RefundedCents { get; set; }
    public int OrderCount { get; set; }
    public int CancelledCount { get; set; }
    public long AverageOrderValueCents { get; set; }
    public DateTimeOffset? FirstOrderAt { get; set; }
    public DateTimeOffset? LastOrderAt { get; set; }
    public double? AverageDaysBetweenOrders { get; set; }
    public double PurchaseFrequencyPerMonth { get; set; }
    public string Categories { get; set; } = "{}";

    public int Logins { get; set; }
    public int PageViews { get; set; }
    public int ProductViews { get; set; }
    public int Reviews { get; set; }
    public int CartUpdates { get; set; }
    public int EmailOpens { get; set; }
    public int EmailClicks { get; set; }
    public DateTimeOffset? LastEngagedAt { get; set; }
    public int OpenSupportIssues { get; set; }

    /// <summary>The RFM code the last nightly recompute gave the customer (e.g. <c>545</c>); null when not scored.</summary>
    public string? RfmCode { get; set; }

    /// <summary>When the nightly recompute gave the customer <see cref="RfmCode"/> (kept while the code stays the same).</summary>
    public DateTimeOffset? RfmScoredAt { get; set; }

    /// <summary>The health score and churn risk as of the last write or nightly refresh (they move with time alone).</summary>
    public int? HealthScore { get; set; }
    public string? ChurnRisk { get; set; }

    /// <summary>
    /// The open cart: set by the newest cart update or abandonment, closed by a checkout or an order
    /// placed after it. Events may arrive out of order, so only a newer event changes it.
    /// </summary>
    public bool CartOpen { get; set; }
    public DateTimeOffset? CartUpdatedAt { get; set; }
    public long CartValueCents { get; set; }
    public int CartItems { get; set; }

    public DateTimeOffset? LastEmailOpenedAt { get; set; }
    public DateTimeOffset? LastEmailClickedAt { get; set; }

    /// <summary>The auto-tags currently on the customer, space-separated, to diff against on change.</summary>
    public string AutoTags { get; set; } = "";

    public DateTimeOffset UpdatedAt { get; set; }

    public CustomerMetrics ToMetrics() => new(
        LifetimeValueCents, GrossCents, RefundedCents, OrderCount, CancelledCount, AverageOrderValueCents,
        FirstOrderAt, LastOrderAt, AverageDaysBetweenOrders, PurchaseFrequencyPerMonth,
        JsonSerializer.Deserialize<Dictionary<string, CategorySpend>>(Categories, CrmJson.Options) ?? []);

    public Engagement ToEngagement() => new(Logins, PageViews, ProductViews, Reviews, CartUpdates, EmailOpens, EmailClicks, LastEngagedAt, OpenSupportIssues);

    public IReadOnlySet<string> AutoTagSet() => AutoTags.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);

    public void Set(CustomerMetrics m)
    {
        LifetimeValueCents = m.LifetimeValueCents;
        GrossCents = m.GrossCents;
        RefundedCents = m.RefundedCents;
        OrderCount = m.OrderCount;
        CancelledCount = m.CancelledCount;
        AverageOrderValueCents = m.AverageOrderValueCents;
        FirstOrderAt = m.FirstOrderAt;
        LastOrderAt = m.LastOrderAt;
        AverageDaysBetweenOrders = m.AverageDaysBetweenOrders;
        PurchaseFrequencyPerMonth = m.PurchaseFrequencyPerMonth;
        Categories = JsonSerializer.Serialize(m.Categories, CrmJson.Options);
    }

    public void SetHealth(CustomerHealth health)
    {
        HealthScore = health.Score;
        ChurnRisk = health.ChurnRisk.ToString();
    }

    /// <summary>Opens the cart at a cart update or abandonment, or closes it at a checkout or order, unless a newer cart event is known.</summary>
    public void SetCart(DateTimeOffset at, bool open, long valueCents = 0, int items = 0)
    {
        if (CartUpdatedAt is { } known && known > at)
        {
            return;
        }
        CartOpen = open;
        CartUpdatedAt = at;
        CartValueCents = open ? valueCents : 0;
        CartItems = open ? items : 0;
    }

    public void Set(Engagement e)
    {
        Logins = e.Logins;
        PageViews = e.PageViews;
        ProductViews = e.ProductViews;
        Reviews = e.Reviews;
        CartUpdates = e.CartUpdates;
        EmailOpens = e.EmailOpens;
        EmailClicks = e.EmailClicks;
        LastEngagedAt = e.LastEngagedAt;
        OpenSupportIssues = e.OpenSupportIssues;
    }
}

/// <summary>An <c>order|...</c> row: the whole order, as merged from its events.</summary>
internal sealed class OrderEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string OrderId { get; set; } = "";
    public string Number { get; set; } = "";
    public DateTimeOffset PlacedAt { get; set; }
    public string Status { get; set; } = "";
    public string StatusTimes { get; set; } = "{}";
    public string Currency { get; set; } = "USD";
    public string Lines { get; set; } = "[]";
    public long SubtotalCents { get; set; }
    public long DiscountCents { get; set; }
    public string? CouponCode { get; set; }
    public long ShippingCents { get; set; }
    public long TaxCents { get; set; }
    public long TotalCents { get; set; }
    public long RefundedCents { get; set; }
    public string? Channel { get; set; }
    public DateTimeOffset DataAt { get; set; }
    public string DataEventId { get; set; } = "";

    public Order ToOrder() => new(
        OrderId, Number, PartitionKey, PlacedAt, Enum.Parse<OrderStatus>(Status),
        JsonSerializer.Deserialize<Dictionary<OrderStatus, DateTimeOffset>>(StatusTimes, CrmJson.Options) ?? [],
        Currency, JsonSerializer.Deserialize<List<OrderLine>>(Lines, CrmJson.Options) ?? [],
        SubtotalCents, DiscountCents, CouponCode, ShippingCents, TaxCents, TotalCents, RefundedCents, Channel);

    public static OrderEntity From(Order o, (DateTimeOffset At, string EventId) version) => new()
    {
        PartitionKey = o.CustomerId,
        RowKey = CustomerKeys.Order(o.PlacedAt, o.Id),
        OrderId = o.Id,
        Number = o.Number,
        PlacedAt = o.PlacedAt,
        Status = o.Status.ToString(),
        StatusTimes = JsonSerializer.Serialize(o.StatusTimes, CrmJson.Options),
        Currency = o.Currency,
        Lines = JsonSerializer.Serialize(o.Lines, CrmJson.Options),
        SubtotalCents = o.SubtotalCents,
        DiscountCents = o.DiscountCents,
        CouponCode = o.CouponCode,
        ShippingCents = o.ShippingCents,
        TaxCents = o.TaxCents,
        TotalCents = o.TotalCents,
        RefundedCents = o.RefundedCents,
        Channel = o.Channel,
        DataAt = version.At,
        DataEventId = version.EventId,
    };
}

/// <summary>A <c>tl|...</c> or <c>tt|...</c> timeline row.</summary>
internal sealed class TimelineEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string EntryId { get; set; } = "";
    public string Type { get; set; } = "";
    public string Title { get; set; } = "";
    public DateTimeOffset At { get; set; }
    public string Actor { get; set; } = "";
    public string? Link { get; set; }
    public string? Detail { get; set; }

    public TimelineEntry ToRecord() => new(EntryId, PartitionKey, Enum.Parse<TimelineType>(Type), Title, At, Actor, Link, Detail);

    /// <summary>The two rows of one entry: in time order, and in time order within its type.</summary>
    public static IEnumerable<TimelineEntity> RowsFor(TimelineEntry e)
    {
        var type = e.Type.ToString();
        foreach (var rowKey in new[] { CustomerKeys.Timeline(e.At, e.Id), CustomerKeys.TimelineByType(type, e.At, e.Id) })
        {
            yield return new TimelineEntity
            {
                PartitionKey = e.CustomerId,
                RowKey = rowKey,
                EntryId = e.Id,
                Type = type,
                Title = e.Title.Length > 500 ? e.Title[..500] : e.Title,
                At = e.At,
                Actor = e.Actor,
                Link = e.Link,
                Detail = e.Detail is { Length: > 4000 } d ? d[..4000] : e.Detail,
            };
        }
    }
}

/// <summary>An <c>evt|{eventId}</c> row: this event has been applied to the customer.</summary>
internal sealed class EventMarkerEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Type { get; set; } = "";
    public DateTimeOffset OccurredAt { get; set; }
}
