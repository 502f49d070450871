using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Orders;

namespace PecosCrm.Core.Integrations.Connectors;

/// <summary>Mailchimp Marketing API 3.0 request bodies and keys, without I/O.</summary>
public static class MailchimpFormat
{
    /// <summary>A member's id in a list: the MD5 of the lower-cased email, as lower-case hex.</summary>
    // MD5 is what Mailchimp names members by (an id, not a protection), hence CA5351 is moot here.
#pragma warning disable CA5351
    public static string SubscriberHash(string email) =>
        Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(email.Trim().ToLowerInvariant())));
#pragma warning restore CA5351

    /// <summary>The data centre of an API key: what follows its last dash (<c>...-us21</c>); null when the key has none.</summary>
    public static string? DataCentre(string apiKey) =>
        apiKey.LastIndexOf('-') is var dash and > 0 && dash < apiKey.Length - 1 ? apiKey[(dash + 1)..] : null;

    /// <summary>
    /// The body of <c>PUT /lists/{list_id}/members/{hash}</c>: a new member is subscribed only with
    /// marketing consent; a customer who withdrew consent is unsubscribed; otherwise the status in
    /// Mailchimp (which may have been changed there) is left alone.
    /// </summary>
    public static JsonObject Member(Customer customer)
    {
        var body = new JsonObject
        {
            ["email_address"] = customer.Email,
            ["status_if_new"] = customer.Consent.Email ? "subscribed" : "unsubscribed",
            ["merge_fields"] = new JsonObject
            {
                ["FNAME"] = customer.FirstName,
                ["LNAME"] = customer.LastName,
                ["PHONE"] = customer.Phone ?? "",
            },
        };
        if (!customer.Consent.Email)
        {
            body["status"] = "unsubscribed";
        }
        return body;
    }

    /// <summary>The body of <c>POST /lists/{list_id}/members/{hash}/tags</c>.</summary>
    public static JsonObject Tags(string tag, bool active) =>
        new() { ["tags"] = new JsonArray(new JsonObject { ["name"] = tag, ["status"] = active ? "active" : "inactive" }) };

    /// <summary>The body of <c>PUT /ecommerce/stores/{store_id}/customers/{customer_id}</c>.</summary>
    public static JsonObject EcommerceCustomer(Customer customer) => new()
    {
        ["id"] = customer.Id,
        ["email_address"] = customer.Email,
        ["opt_in_status"] = customer.Consent.Email,
        ["first_name"] = customer.FirstName,
        ["last_name"] = customer.LastName,
    };

    /// <summary>The body of <c>POST /ecommerce/stores/{store_id}/orders</c> (and of its <c>PATCH</c>): amounts in the currency's unit.</summary>
    public static JsonObject Order(Order order, Customer customer) => new()
    {
        ["id"] = order.Id,
        ["customer"] = new JsonObject { ["id"] = customer.Id, ["email_address"] = customer.Email, ["opt_in_status"] = customer.Consent.Email },
        ["currency_code"] = order.Currency,
        ["order_total"] = Amount(order.TotalCents),
        ["discount_total"] = Amount(order.DiscountCents),
        ["tax_total"] = Amount(order.TaxCents),
        ["shipping_total"] = Amount(order.ShippingCents),
        ["processed_at_foreign"] = order.PlacedAt.ToString("O", CultureInfo.InvariantCulture),
        ["financial_status"] = order.Status switch
        {
            OrderStatus.Refunded => "refunded",
            OrderStatus.Cancelled => "cancelled",
            OrderStatus.Placed => "pending",
            _ => "paid",
        },
        ["fulfillment_status"] = order.Status is OrderStatus.Shipped or OrderStatus.Delivered ? "shipped" : null,
        ["lines"] = new JsonArray([.. order.Lines.Select((line, i) => (JsonNode)new JsonObject
        {
            ["id"] = $"{order.Id}-{i + 1}",
            ["product_id"] = line.ProductId,
            ["product_variant_id"] = line.Sku ?? line.ProductId,
            ["product_title"] = line.Name,
            ["quantity"] = line.Quantity,
            ["price"] = Amount(line.UnitPriceCents),
        })]),
    };

    private static decimal Amount(long cents) => cents / 100m;
}
