namespace PecosCrm.Core.Events;

/// <summary>One kind of store event and the fields its <c>data</c> carries.</summary>
public sealed record EventType(string Name, string Description, IReadOnlyList<EventField> Fields);

public sealed record EventField(string Name, string Type, bool Required, string Description);

/// <summary>The catalogue of store events PecosCrm understands (<c>GET /api/events/types</c>).</summary>
public static class EventTypes
{
    public const string CustomerCreated = "customer.created";
    public const string CustomerUpdated = "customer.updated";
    public const string OrderPlaced = "order.placed";
    public const string OrderPaid = "order.paid";
    public const string OrderShipped = "order.shipped";
    public const string OrderDelivered = "order.delivered";
    public const string OrderCancelled = "order.cancelled";
    public const string OrderRefunded = "order.refunded";
    public const string CartUpdated = "cart.updated";
    public const string CartCheckedOut = "cart.checked_out";
    public const string CartAbandoned = "cart.abandoned";
    public const string ProductViewed = "product.viewed";
    public const string ReviewSubmitted = "review.submitted";
    public const string AccountLogin = "account.login";
    public const string PageViewed = "page.viewed";
    public const string NpsResponse = "nps.response";
    public const string EmailOpened = "email.opened";
    public const string EmailClicked = "email.clicked";
    public const string ProductCreated = "product.created";
    public const string ProductUpdated = "product.updated";

    private static readonly EventField[] CustomerFields =
    [
        new("id", "string", true, "the store's customer id; must equal the event's customerId"),
        new("firstName", "string", true, "required on customer.created"),
        new("lastName", "string", false, ""),
        new("email", "string", false, "unique across customers"),
        new("phone", "string", false, "any formatting"),
        new("addresses", "array of { kind: shipping|billing, line1, line2, city, region, postalCode, country }", false, ""),
        new("birthday", "date (yyyy-MM-dd)", false, ""),
        new("timeZone", "string", false, "IANA time zone, e.g. America/Denver"),
        new("consent", "{ email: bool, sms: bool, at: date-time }", false, "marketing consent per channel"),
        new("tier", "bronze|silver|gold|platinum", false, "loyalty tier"),
        new("customerSince", "date-time", false, "defaults to the event time"),
        new("source", "string", false, "where the customer came from"),
    ];

    private static readonly EventField[] OrderFields =
    [
        new("id", "string", true, "the store's order id"),
        new("number", "string", true, "the order number customers see"),
        new("customerId", "string", true, "must equal the event's customerId"),
        new("placedAt", "date-time", true, ""),
        new("status", "placed|paid|shipped|delivered|cancelled|refunded", false, "the event type decides the status"),
        new("currency", "string", true, "ISO 4217, e.g. USD"),
        new("lines", "array of { productId, sku, name, category, quantity, unitPrice }", true, "at least one"),
        new("subtotal", "decimal", false, "defaults to the sum of the lines"),
        new("discount", "decimal", false, ""),
        new("couponCode", "string", false, ""),
        new("shipping", "decimal", false, ""),
        new("tax", "decimal", false, ""),
        new("total", "decimal", true, ""),
        new("channel", "string", false, "web, mobile, phone, store, ..."),
        new("refundedAmount", "decimal", false, "order.refunded only: the amount refunded by this event; the whole total when absent"),
    ];

    private static readonly EventField[] CartFields =
    [
        new("cartId", "string", true, ""),
        new("value", "decimal", false, "cart value"),
        new("items", "array of { productId, name, quantity, unitPrice }", false, ""),
        new("orderId", "string", false, "cart.checked_out: the order the cart became"),
    ];

    private static readonly EventField[] ProductFields =
    [
        new("id", "string", true, "the store's product id or UPC"),
        new("sku", "string", true, "required on product.created"),
        new("name", "string", true, "required on product.created"),
        new("category", "string", true, "required on product.created"),
        new("price", "decimal", true, "required on product.created; at most two decimals"),
        new("currency", "string", false, "ISO 4217, USD when absent"),
        new("active", "bool", false, "true when absent on product.created"),
    ];

    public static readonly IReadOnlyList<EventType> All =
    [
        new(CustomerCreated, "A customer account was created.", CustomerFields),
        new(CustomerUpdated, "A customer changed their profile; only fields present are changed.", CustomerFields),
        new(OrderPlaced, "An order was placed.", OrderFields),
        new(OrderPaid, "Payment for an order was captured.", OrderFields),
        new(OrderShipped, "An order was shipped.", OrderFields),
        new(OrderDelivered, "An order was delivered.", OrderFields),
        new(OrderCancelled, "An order was cancelled; it no longer counts towards the metrics.", OrderFields),
        new(OrderRefunded, "An order was refunded in part or in full; refunds are netted out of the metrics.", OrderFields),
        new(CartUpdated, "The customer's cart changed.", CartFields),
        new(CartCheckedOut, "The customer checked out a cart.", CartFields),
        new(CartAbandoned, "The storefront gave up on a cart left without checkout.", CartFields),
        new(ProductViewed, "The customer viewed a product.",
        [
            new("productId", "string", true, ""),
            new("name", "string", false, ""),
            new("category", "string", false, ""),
        ]),
        new(ReviewSubmitted, "The customer reviewed a product.",
        [
            new("productId", "string", true, ""),
            new("name", "string", false, "the product's name, shown beside its id"),
            new("rating", "integer 1-5", true, ""),
            new("title", "string", false, ""),
            new("body", "string", false, ""),
        ]),
        new(AccountLogin, "The customer signed in.", [new("channel", "string", false, "web, mobile, ...")]),
        new(PageViewed, "The customer viewed a page.", [new("url", "string", true, ""), new("title", "string", false, "")]),
        new(EmailOpened, "The customer opened a marketing or service email (from an email platform other than PecosCrm's own sender).",
        [
            new("messageId", "string", false, "the sending platform's message id"),
            new("subject", "string", false, ""),
        ]),
        new(EmailClicked, "The customer clicked a link in an email; counts as an open too.",
        [
            new("messageId", "string", false, "the sending platform's message id"),
            new("subject", "string", false, ""),
            new("url", "string", false, "the link clicked"),
        ]),
        new(ProductCreated, "A product was added to the catalogue. customerId may be left out: the event is about the catalogue, not a customer.", ProductFields),
        new(ProductUpdated, "A product changed; only fields present are changed. customerId may be left out.", ProductFields),
        new(NpsResponse, "The customer answered the net promoter survey.",
        [
            new("score", "integer 0-10", true, "how likely they are to recommend the store"),
            new("comment", "string", false, ""),
        ]),
    ];

    public static bool IsKnown(string type) => All.Any(t => t.Name == type);

    public static bool IsOrderEvent(string type) => type.StartsWith("order.", StringComparison.Ordinal);

    public static bool IsCustomerEvent(string type) => type is CustomerCreated or CustomerUpdated;

    /// <summary>Events about the catalogue rather than a customer: applied to the product store, not to a customer's card.</summary>
    public static bool IsCatalogueEvent(string type) => type is ProductCreated or ProductUpdated;
}
