using System.Globalization;
using System.Text.Json.Nodes;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Orders;

namespace PecosCrm.Core.Integrations.Connectors;

/// <summary>Klaviyo API request bodies (JSON:API documents), without I/O.</summary>
public static class KlaviyoFormat
{
    /// <summary>The metric of order events.</summary>
    public const string PlacedOrder = "Placed Order";

    /// <summary>A profile resource: email, phone (E.164), names, the customer id as <c>external_id</c>, the location of the billing address.</summary>
    public static JsonObject Profile(Customer customer)
    {
        var attributes = new JsonObject
        {
            ["email"] = customer.Email,
            ["external_id"] = customer.Id,
            ["first_name"] = customer.FirstName,
            ["last_name"] = customer.LastName,
        };
        if (customer.Phone is { Length: > 0 } phone)
        {
            attributes["phone_number"] = phone;
        }
        var address = customer.Addresses.FirstOrDefault(a => a.Kind == AddressKind.Billing) ?? customer.Addresses.FirstOrDefault();
        if (address is not null)
        {
            attributes["location"] = new JsonObject { ["city"] = address.City, ["region"] = address.Region, ["zip"] = address.PostalCode, ["country"] = address.Country };
        }
        return new JsonObject { ["type"] = "profile", ["attributes"] = attributes };
    }

    /// <summary>The body of <c>POST /api/profile-bulk-import-jobs</c>, adding the profiles to <paramref name="listId"/> when given.</summary>
    public static JsonObject BulkImport(IEnumerable<Customer> customers, string? listId)
    {
        var data = new JsonObject
        {
            ["type"] = "profile-bulk-import-job",
            ["attributes"] = new JsonObject { ["profiles"] = new JsonObject { ["data"] = new JsonArray([.. customers.Select(c => (JsonNode)Profile(c))]) } },
        };
        if (listId is not null)
        {
            data["relationships"] = new JsonObject
            {
                ["lists"] = new JsonObject { ["data"] = new JsonArray(new JsonObject { ["type"] = "list", ["id"] = listId }) },
            };
        }
        return new JsonObject { ["data"] = data };
    }

    /// <summary>Profiles a removal may find in one lookup: Klaviyo's largest page, and at most this many emails in one <c>any</c> filter.</summary>
    public const int ProfilesPerLookup = 100;

    /// <summary>
    /// The path of <c>GET /api/profiles</c> finding the profiles of <paramref name="emails"/> (at most
    /// <see cref="ProfilesPerLookup"/>) by the filter <c>any(email,[...])</c>, ids only.
    /// </summary>
    public static string ProfilesByEmail(IEnumerable<string> emails)
    {
        var filter = "any(email,[" + string.Join(",", emails.Select(e => System.Text.Json.JsonSerializer.Serialize(e))) + "])";
        return "profiles?filter=" + Uri.EscapeDataString(filter) + "&" + Uri.EscapeDataString("fields[profile]") + "=email&" + Uri.EscapeDataString("page[size]") + "=" +
            ProfilesPerLookup.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The profile ids of a <c>GET /api/profiles</c> answer.</summary>
    public static IReadOnlyList<string> ProfileIds(JsonNode? found) =>
        found?["data"] is JsonArray data ? [.. data.Select(d => d?["id"]?.GetValue<string>()).OfType<string>()] : [];

    /// <summary>The body of <c>DELETE /api/lists/{id}/relationships/profiles</c> (at most 1,000 profiles).</summary>
    public static JsonObject ListProfiles(IEnumerable<string> profileIds) =>
        new() { ["data"] = new JsonArray([.. profileIds.Select(id => (JsonNode)new JsonObject { ["type"] = "profile", ["id"] = id })]) };

    /// <summary>
    /// The body of <c>POST /api/events</c>: a "Placed Order" event of the buyer's profile, its value in
    /// the currency's unit, the order id as <c>unique_id</c> (Klaviyo keeps one event per id, so a
    /// re-sent order is not counted twice), the time it was placed.
    /// </summary>
    public static JsonObject OrderEvent(Order order, Customer buyer) => new()
    {
        ["data"] = new JsonObject
        {
            ["type"] = "event",
            ["attributes"] = new JsonObject
            {
                ["properties"] = new JsonObject
                {
                    ["OrderId"] = order.Id,
                    ["OrderNumber"] = order.Number,
                    ["ItemNames"] = new JsonArray([.. order.Lines.Select(l => (JsonNode)l.Name)]),
                    ["Categories"] = new JsonArray([.. order.Lines.Select(l => l.Category).OfType<string>().Distinct().Select(c => (JsonNode)c)]),
                    ["Items"] = new JsonArray([.. order.Lines.Select(l => (JsonNode)new JsonObject
                    {
                        ["ProductID"] = l.ProductId, ["SKU"] = l.Sku, ["ProductName"] = l.Name, ["Quantity"] = l.Quantity, ["ItemPrice"] = l.UnitPriceCents / 100m,
                    })]),
                    ["DiscountCode"] = order.CouponCode,
                },
                ["time"] = order.PlacedAt.ToString("O", CultureInfo.InvariantCulture),
                ["value"] = order.TotalCents / 100m,
                ["value_currency"] = order.Currency,
                ["unique_id"] = order.Id,
                ["metric"] = new JsonObject { ["data"] = new JsonObject { ["type"] = "metric", ["attributes"] = new JsonObject { ["name"] = PlacedOrder } } },
                ["profile"] = new JsonObject
                {
                    ["data"] = new JsonObject { ["type"] = "profile", ["attributes"] = new JsonObject { ["email"] = buyer.Email, ["external_id"] = buyer.Id } },
                },
            },
        },
    };
}
