using PecosCrm.Core.Events;
using PecosCrm.Core.Orders;

namespace PecosCrm.Core.Customers;

/// <summary>What a store event does to a customer's card, decided without I/O: its timeline entry, the counter it advances, the cart and email facts it carries.</summary>
internal static class EventEffects
{
    /// <summary>The cart and email facts an engagement event carries besides its counter.</summary>
    public static void Track(CardEntity m, StoreEvent e)
    {
        switch (e.Type)
        {
            case EventTypes.CartUpdated or EventTypes.CartAbandoned:
                var cart = EventValidator.Data<CartData>(e);
                var items = cart.Items?.Sum(i => i.Quantity ?? 1) ?? 0;
                // An update that empties the cart closes it.
                m.SetCart(e.OccurredAt, open: items > 0 || cart.Value > 0, Money.ToCents(cart.Value ?? 0), items);
                break;
            case EventTypes.CartCheckedOut:
                m.SetCart(e.OccurredAt, open: false);
                break;
            case EventTypes.EmailOpened:
                m.LastEmailOpenedAt = Latest(m.LastEmailOpenedAt, e.OccurredAt);
                break;
            case EventTypes.EmailClicked:
                m.LastEmailClickedAt = Latest(m.LastEmailClickedAt, e.OccurredAt);
                // A click implies the email was opened, even when the open pixel was blocked.
                m.LastEmailOpenedAt = Latest(m.LastEmailOpenedAt, e.OccurredAt);
                break;
        }
    }

    private static DateTimeOffset Latest(DateTimeOffset? known, DateTimeOffset at) => known is { } k && k > at ? k : at;

    public static string OrderTitle(string type, Order order, long? refundCents)
    {
        var number = $"Order #{order.Number}";
        return type switch
        {
            EventTypes.OrderPlaced => $"{number} placed ({Money.Format(order.TotalCents, order.Currency)})",
            EventTypes.OrderPaid => $"{number} paid",
            EventTypes.OrderShipped => $"{number} shipped",
            EventTypes.OrderDelivered => $"{number} delivered",
            EventTypes.OrderCancelled => $"{number} cancelled",
            EventTypes.OrderRefunded => $"{number} refunded ({Money.Format(refundCents ?? order.TotalCents, order.Currency)})",
            _ => number,
        };
    }

    /// <summary>The timeline entry of an engagement event, and the counter it advances.</summary>
    public static (TimelineEntry Entry, Func<Engagement, Engagement> Count) Describe(StoreEvent e)
    {
        TimelineEntry Entry(TimelineType type, string title, string? link = null, string? detail = null) =>
            new(e.Id, e.CustomerId, type, title, e.OccurredAt, "customer", link, detail);

        switch (e.Type)
        {
            case EventTypes.CartUpdated or EventTypes.CartAbandoned or EventTypes.CartCheckedOut:
                var cart = EventValidator.Data<CartData>(e);
                var value = cart.Value is { } v ? $" ({Money.Format((long)(v * 100))}" + (cart.Items is { Count: > 0 } items ? $", {items.Sum(i => i.Quantity ?? 1)} items)" : ")") : "";
                var title = e.Type switch
                {
                    EventTypes.CartUpdated => "Cart updated" + value,
                    EventTypes.CartAbandoned => "Cart abandoned" + value,
                    _ => "Checked out cart" + value,
                };
                var link = cart.OrderId is null ? null : $"/api/orders/{cart.OrderId}";
                return (Entry(TimelineType.Cart, title, link), g => g with { CartUpdates = g.CartUpdates + 1 });
            case EventTypes.ProductViewed:
                var product = EventValidator.Data<ProductViewData>(e);
                return (Entry(TimelineType.PageView, $"Viewed {product.Name ?? product.ProductId}", $"/api/products/{product.ProductId}"),
                    g => g with { ProductViews = g.ProductViews + 1 });
            case EventTypes.ReviewSubmitted:
                var review = EventValidator.Data<ReviewData>(e);
                return (Entry(TimelineType.Review, $"Left a {review.Rating}-star review on {(string.IsNullOrWhiteSpace(review.Name) ? review.ProductId : $"{review.Name} ({review.ProductId})")}", $"/api/products/{review.ProductId}",
                    review.Title is null ? review.Body : review.Title + (review.Body is null ? "" : ": " + review.Body)),
                    g => g with { Reviews = g.Reviews + 1 });
            case EventTypes.AccountLogin:
                var channel = e.Data.ValueKind == System.Text.Json.JsonValueKind.Object && e.Data.TryGetProperty("channel", out var c) ? c.GetString() : null;
                return (Entry(TimelineType.Login, channel is null ? "Signed in" : $"Signed in ({channel})"), g => g with { Logins = g.Logins + 1 });
            case EventTypes.NpsResponse:
                var nps = EventValidator.Data<NpsData>(e);
                return (Entry(TimelineType.Survey, $"Answered the NPS survey: {nps.Score}/10", null, nps.Comment), g => g);
            case EventTypes.EmailOpened:
                var opened = EventValidator.Data<EmailEventData>(e);
                return (Entry(TimelineType.Email, opened.Subject is null ? "Opened an email" : $"Opened email \"{opened.Subject}\""),
                    g => g with { EmailOpens = g.EmailOpens + 1 });
            case EventTypes.EmailClicked:
                var clicked = EventValidator.Data<EmailEventData>(e);
                return (Entry(TimelineType.Email, clicked.Subject is null ? "Clicked a link in an email" : $"Clicked a link in \"{clicked.Subject}\"", clicked.Url),
                    g => g with { EmailClicks = g.EmailClicks + 1 });
            case EventTypes.PageViewed:
                var page = EventValidator.Data<PageViewData>(e);
                return (Entry(TimelineType.PageView, $"Viewed page {page.Title ?? page.Url}", page.Url), g => g with { PageViews = g.PageViews + 1 });
            default:
                throw new ArgumentOutOfRangeException(nameof(e), e.Type, "Not an engagement event.");
        }
    }
}
