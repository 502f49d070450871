using System.Collections.Frozen;
using System.Text.Json.Serialization;

namespace PecosCrm.Core.Messaging.Templates;

/// <summary>A variable templates may use, with what it holds and an example value.</summary>
/// <param name="Fields">For a list (<c>order.items</c>): the fields of each item, used inside <c>{{#each}}</c>.</param>
public sealed record TemplateVariable(string Name, string Description, string Example, IReadOnlyList<TemplateVariable>? Fields = null)
{
    [JsonIgnore]
    public bool IsList => Fields is not null;
}

/// <summary>
/// The catalogue of template variables (<c>GET /api/templates/variables</c>). A template may use
/// these and nothing else: saving one that names another variable is refused. Values the CRM does
/// not hold itself (tracking links, discount codes, ticket numbers, reset links) are given by
/// whoever sends the email; until then they render empty.
/// </summary>
public static class TemplateVariables
{
    /// <summary>The block helpers a template may use; there are no other helpers.</summary>
    public static readonly IReadOnlyList<string> BlockHelpers = ["if", "unless", "each", "with"];

    /// <summary>The data variables set inside <c>{{#each}}</c>.</summary>
    public static readonly IReadOnlyList<string> LoopVariables = ["@index", "@first", "@last"];

    public static readonly IReadOnlyList<TemplateVariable> All =
    [
        new("customer.first_name", "The customer's first name.", "Wyatt"),
        new("customer.last_name", "The customer's last name.", "Calder"),
        new("customer.full_name", "First and last name.", "Wyatt Calder"),
        new("customer.email", "The customer's email address.", "wyatt.calder@example.com"),
        new("customer.phone", "The customer's phone number, as the store has it.", "(915) 555-0136"),
        new("customer.city", "City of the customer's first shipping address.", "Fort Davis"),
        new("customer.since", "Year the customer joined the store.", "2022"),

        new("order.number", "The order number the customer sees.", "1234"),
        new("order.placed_at", "Date the order was placed, in the customer's time zone (the store's when unknown).", "November 25, 2025"),
        new("order.status", "Where the order is: Placed, Paid, Shipped, Delivered, Cancelled or Refunded.", "Shipped"),
        new("order.items", "The order lines; loop over them with {{#each order.items}}…{{/each}}.", "Square-Toe Roper Boot x1, Cattleman Felt Hat x1",
        [
            new("name", "Product name.", "Square-Toe Roper Boot – Cognac"),
            new("sku", "Stock keeping unit.", "BT-ROPER-COG-105D"),
            new("quantity", "How many were ordered.", "1"),
            new("price", "Price of one, formatted in the order's currency.", "$189.00"),
            new("total", "Price times quantity, formatted.", "$189.00"),
        ]),
        new("order.item_count", "Number of pieces in the order (quantities added up).", "4"),
        new("order.subtotal", "Order subtotal, formatted in the order's currency.", "$417.00"),
        new("order.discount", "Discount taken off, formatted.", "$20.00"),
        new("order.shipping", "Shipping charged, formatted.", "$0.00"),
        new("order.tax", "Tax charged, formatted.", "$32.75"),
        new("order.total", "Order total, formatted in the order's currency.", "$429.75"),
        new("order.coupon_code", "Coupon used on the order, if any.", "GIDDYUP10"),
        new("order.carrier", "Shipping carrier; given by the sender.", "UPS"),
        new("order.tracking_url", "Link to track the parcel; given by the sender.", "https://www.ups.com/track?tracknum=1Z999AA10123456784"),
        new("order.expected_at", "Expected delivery date; given by the sender.", "December 2, 2025"),

        new("loyalty.points", "The customer's loyalty points balance.", "1250"),
        new("loyalty.tier", "Loyalty tier: Bronze, Silver, Gold or Platinum.", "Gold"),

        new("customer.recommendations", "Up to 5 products recommended to the customer (as GET /api/customers/{id}/recommendations); loop with {{#each customer.recommendations}}…{{/each}}.",
            "Leather Spur Straps, Felt Hat Brush",
        [
            new("name", "Product name.", "Leather Spur Straps"),
            new("category", "Product category.", "Spurs"),
            new("product_id", "The store's product id.", "p-spur-straps"),
        ]),

        new("store.name", "The store's name (setting Store:Name).", "Pecos River Traders"),
        new("store.phone", "The store's phone number (Store:Phone).", "(432) 555-0147"),
        new("store.email", "The store's customer service address (Store:Email).", "howdy@pecosrivertraders.example"),
        new("store.url", "The store's website (Store:Url).", "https://pecosrivertraders.example"),
        new("store.address", "The store's postal address (Store:Address), required in marketing email footers.", "100 Trading Post Road, Pecos, TX 79772"),

        new("links.unsubscribe", "Signed one-click unsubscribe link for this recipient. Every marketing email must carry it.", "https://example.invalid/unsubscribe"),
        new("links.preferences", "Signed link to the recipient's email preferences.", "https://example.invalid/preferences"),
        new("links.password_reset", "Password reset link; given by the sender.", "https://example.invalid/reset-password"),
        new("links.account", "Link to the customer's account page; given by the sender.", "https://example.invalid/account"),
        new("links.review", "Link to review the order's products; given by the sender.", "https://example.invalid/review"),

        new("offer.code", "Discount code for this recipient; given by the sender.", "HOWDY-7KQ2M9XW4P"),
        new("offer.amount", "What the offer is worth, as it should read.", "15%"),
        new("offer.expires_at", "Last day the offer can be used.", "December 31, 2025"),

        new("ticket.number", "Support ticket number; given by the sender.", "T-20931"),
        new("ticket.subject", "Support ticket subject.", "Boot sizing question"),
        new("ticket.url", "Link to the ticket for the customer.", "https://example.invalid/tickets/T-20931"),

        new("account.change", "What changed on the account, as it should read in a sentence.", "your email address"),
        new("account.changed_at", "When it changed.", "November 25, 2025 at 3:42 PM"),

        new("staff.name", "Name of the staff member sending a personal email.", "Marla Jennings"),
        new("message.note", "A personal note written by staff for this email (plain text, escaped like every value).", "Those boots will break in just right by spring."),
    ];

    private static readonly FrozenDictionary<string, TemplateVariable> ByName = All.ToFrozenDictionary(v => v.Name, StringComparer.Ordinal);

    /// <summary>The groups (<c>customer</c>, <c>order</c>, …): the first part of each variable's name.</summary>
    public static readonly IReadOnlyList<string> Groups = All.Select(v => v.Name[..v.Name.IndexOf('.', StringComparison.Ordinal)]).Distinct().ToList();

    private static readonly FrozenSet<string> GroupSet = Groups.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>The variable with this exact name (names are lower case and case matters), or null.</summary>
    public static TemplateVariable? Find(string name) => ByName.GetValueOrDefault(name);

    public static bool IsGroup(string name) => GroupSet.Contains(name);
}
