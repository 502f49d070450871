namespace PecosCrm.Core.Segments;

/// <summary>What kind of value a segment field holds, which decides its operators.</summary>
public enum FieldKind
{
    Text,
    Choice,
    Number,
    Money,
    Date,
    Flag,
    Tags,
    Purchase,
}

/// <summary>
/// A field segment rules can test. <paramref name="Sql"/> is its value over the features row
/// <c>f</c> (DuckDB) and, for RFM fields, the scores row <c>rfm</c>; <c>{window}</c> in it stands
/// for the filter of a condition with <c>withinDays</c> on a list of counted orders (<c>x.at</c>),
/// <c>{lwindow}</c> on the entries of a last-purchase map (<c>x.value</c>), <c>$now</c> for the
/// evaluation time. Money is compared in cents.
/// </summary>
public sealed record SegmentField(
    string Name,
    FieldKind Kind,
    string Description,
    string Sql,
    IReadOnlyList<string>? Choices = null,
    bool Windowed = false,
    string? Unit = null);

/// <summary>
/// The catalogue of segment fields (<c>GET /api/segments/fields</c>). Everything reads one row of
/// the session's <c>customers</c> table: the customer-features file with the purchase facts joined
/// on when the session was loaded (<c>counted_orders</c>, <c>category_last</c>, <c>product_last</c>),
/// so order facts within a window need no join. RFM fields read the session's scores under the
/// current RFM map, joined only when a rule names one (<see cref="IsRfm"/>).
/// </summary>
public static class SegmentFields
{
    public static readonly IReadOnlyDictionary<FieldKind, IReadOnlyList<string>> Operators = new Dictionary<FieldKind, IReadOnlyList<string>>
    {
        [FieldKind.Text] = ["eq", "neq", "contains", "not_contains", "starts_with", "in", "not_in", "is_set", "is_not_set"],
        [FieldKind.Choice] = ["eq", "neq", "in", "not_in", "is_set", "is_not_set"],
        [FieldKind.Number] = ["eq", "neq", "gt", "gte", "lt", "lte", "between", "is_set", "is_not_set"],
        [FieldKind.Money] = ["eq", "neq", "gt", "gte", "lt", "lte", "between", "is_set", "is_not_set"],
        [FieldKind.Date] = ["before", "after", "between", "within_last_days", "more_than_days_ago", "is_set", "is_not_set"],
        [FieldKind.Flag] = ["eq"],
        [FieldKind.Tags] = ["has_any", "has_all", "has_none"],
        [FieldKind.Purchase] = ["in", "not_in"],
    };

    public static readonly IReadOnlyList<string> Tiers = ["bronze", "silver", "gold", "platinum"];

    public static readonly IReadOnlyList<SegmentField> All =
    [
        Text("first_name", "First name."),
        Text("last_name", "Last name."),
        Text("email", "Email address."),
        Text("phone", "Phone number as given."),
        Text("source", "Where the customer came from."),
        Text("city", "City of the shipping address (else the first address)."),
        Text("region", "State or region of that address."),
        Text("postal_code", "Postal code of that address."),
        Text("country", "Country of that address."),
        Text("time_zone", "IANA time zone."),
        new("tier", FieldKind.Choice, "Loyalty tier.", "f.tier", Tiers),
        new("customer_since", FieldKind.Date, "When the customer joined.", "f.customer_since"),
        new("birthday_month", FieldKind.Number, "Month of the birthday, 1-12.", "f.birthday_month"),
        new("consent_email", FieldKind.Flag, "Consented to marketing email.", "coalesce(f.consent_email, false)"),
        new("consent_sms", FieldKind.Flag, "Consented to marketing SMS.", "coalesce(f.consent_sms, false)"),
        new("tags", FieldKind.Tags, "Tags on the customer, custom or automatic (values: tag ids or names).", "f.tags"),

        new("lifetime_value", FieldKind.Money, "Net spend over all orders (total less refunds, cancelled orders excluded).", "f.lifetime_value_cents", Unit: "USD"),
        new("order_count", FieldKind.Number, "Counted orders (not cancelled, not refunded in full).", "f.order_count"),
        new("average_order_value", FieldKind.Money, "Lifetime value / order count.", "f.average_order_value_cents", Unit: "USD"),
        new("first_order_at", FieldKind.Date, "Time of the first counted order.", "f.first_order_at"),
        new("last_order_at", FieldKind.Date, "Time of the last counted order.", "f.last_order_at"),
        new("days_since_last_order", FieldKind.Number, "Whole days since the last counted order; not set without orders.",
            "CAST(floor((epoch($now) - epoch(f.last_order_at)) / 86400) AS INTEGER)", Unit: "days"),
        new("average_days_between_orders", FieldKind.Number, "(last - first order) / (orders - 1); not set below two orders.", "f.average_days_between_orders", Unit: "days"),
        new("purchase_frequency", FieldKind.Number, "Orders per month over the span from first to last order.", "f.purchase_frequency"),
        new("health_score", FieldKind.Number, "Health score 1-100 (see the Customer 360 view).", "f.health_score"),
        new("churn_risk", FieldKind.Choice, "Churn risk.", "f.churn_risk", ["low", "medium", "high"]),

        new("orders_in_window", FieldKind.Number, "Counted orders placed in the window (all time without withinDays).",
            "coalesce(len([x for x in f.counted_orders{window}]), 0)", Windowed: true),
        new("spend_in_window", FieldKind.Money, "Net spend on orders placed in the window.",
            "coalesce(list_sum([x.cents for x in f.counted_orders{window}]), 0)", Windowed: true, Unit: "USD"),
        new("coupon_order_share", FieldKind.Number, "Percent (0-100) of counted orders in the window that used a coupon; not set without orders.",
            "100.0 * list_avg([CASE WHEN x.coupon THEN 1 ELSE 0 END for x in f.counted_orders{window}])", Windowed: true, Unit: "percent"),
        new("purchased_category", FieldKind.Purchase, "Bought from any of these categories (in) or none of them (not_in) within the window.",
            "nullif(array_to_string(list_sort([x.key for x in map_entries(f.category_last){lwindow}]), ', '), '')", Windowed: true),
        new("purchased_product", FieldKind.Purchase, "Bought any of these product ids (in) or none of them (not_in) within the window.",
            "nullif(array_to_string(list_sort([x.key for x in map_entries(f.product_last){lwindow}]), ', '), '')", Windowed: true),

        new("rfm_segment", FieldKind.Choice, "Named RFM segment under the current RFM map; not set without orders.", "rfm.segment"),
        new("rfm_code", FieldKind.Text, "RFM code such as 545.", "rfm.code"),
        new("rfm_r", FieldKind.Number, "Recency score 1-5.", "rfm.r"),
        new("rfm_f", FieldKind.Number, "Frequency score 1-5.", "rfm.f"),
        new("rfm_m", FieldKind.Number, "Monetary score 1-5.", "rfm.m"),

        new("p_alive", FieldKind.Number, "Probability 0-1 that the customer is still active (BG/NBD, as of the last nightly fit); not set before a fit or without orders.", "f.p_alive"),
        new("churn_probability", FieldKind.Number, "Probability 0-1 of no purchase in the next 90 days (BG/NBD).", "f.churn_probability"),
        new("churn_probability_model", FieldKind.Number, "Probability 0-1 of no purchase in the next 90 days (the trained classifier).", "f.churn_probability_model"),
        new("expected_purchases", FieldKind.Number, "Purchases expected in the next 90 days (BG/NBD).", "f.expected_purchases"),
        new("predicted_clv", FieldKind.Money, "Predicted net revenue of the next 12 months, discounted (BG/NBD with Gamma-Gamma).", "f.predicted_clv_cents", Unit: "USD"),
        new("expected_order_value", FieldKind.Money, "Expected value of the customer's next order (Gamma-Gamma).", "f.expected_order_value_cents", Unit: "USD"),
        new("next_purchase_in_days", FieldKind.Number, "Median days from the last fit to the next purchase, if still active (BG/NBD).", "f.next_purchase_days", Unit: "days"),
        new("prediction_confidence", FieldKind.Choice, "How far to trust the predictions: high (3+ repeat purchases), medium (1-2), low (none, or too little data to fit).",
            "f.prediction_confidence", ["high", "medium", "low"]),

        new("email_opens", FieldKind.Number, "Emails opened, all time.", "f.email_opens"),
        new("email_clicks", FieldKind.Number, "Email links clicked, all time.", "f.email_clicks"),
        new("last_email_opened_at", FieldKind.Date, "When the customer last opened an email (a click counts as an open).", "f.last_email_opened_at"),
        new("last_email_clicked_at", FieldKind.Date, "When the customer last clicked a link in an email.", "f.last_email_clicked_at"),
        new("last_engaged_at", FieldKind.Date, "Last activity of any kind (login, view, review, cart, email).", "f.last_engaged_at"),
        new("logins", FieldKind.Number, "Sign-ins, all time.", "f.logins"),
        new("product_views", FieldKind.Number, "Product views, all time.", "f.product_views"),
        new("reviews", FieldKind.Number, "Reviews written.", "f.reviews"),
        new("abandoned_cart_hours", FieldKind.Number, "Hours since the open cart was last touched; not set without an open cart.",
            "CASE WHEN f.cart_open THEN CAST(floor((epoch($now) - epoch(f.cart_updated_at)) / 3600) AS INTEGER) END", Unit: "hours"),
        new("cart_value", FieldKind.Money, "Value of the open cart; not set without one.", "CASE WHEN f.cart_open THEN f.cart_value_cents END", Unit: "USD"),
        new("open_support_issues", FieldKind.Number, "Open support issues.", "f.open_support_issues"),
    ];

    private static readonly Dictionary<string, SegmentField> ByName = All.ToDictionary(f => f.Name, StringComparer.Ordinal);

    /// <summary>Whether the field reads the RFM scores, which a query then joins.</summary>
    public static bool IsRfm(string? name) => name is not null && name.StartsWith("rfm_", StringComparison.Ordinal);

    public static SegmentField? Find(string? name) => name is not null && ByName.TryGetValue(name, out var field) ? field : null;

    private static SegmentField Text(string name, string description) => new(name, FieldKind.Text, description, "f." + name);
}
