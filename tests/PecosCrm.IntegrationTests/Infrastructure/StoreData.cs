using System.Net;
using System.Text.Json.Nodes;

namespace PecosCrm.IntegrationTests.Infrastructure;

/// <summary>Builders for store events and customers as the storefront sends them.</summary>
public static class StoreData
{
    public static string NewId(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..12];

    public static object Customer(string id, string first = "Dusty", string last = "Rhodes", string? email = null, string? phone = null, object? extra = null) =>
        Merge(new JsonObject
        {
            ["id"] = id,
            ["firstName"] = first,
            ["lastName"] = last,
            ["email"] = email ?? $"{id}@riders.example",
            ["phone"] = phone,
        }, extra);

    public static JsonObject Order(string orderId, string customerId, DateTimeOffset placedAt, decimal total, string category = "Boots", string number = "1001", string? coupon = null) => new()
    {
        ["id"] = orderId,
        ["number"] = number,
        ["customerId"] = customerId,
        ["placedAt"] = placedAt,
        ["currency"] = "USD",
        ["lines"] = new JsonArray(new JsonObject
        {
            ["productId"] = "p-" + category.ToLowerInvariant(),
            ["sku"] = "SKU-" + category.ToUpperInvariant(),
            ["name"] = category + " item",
            ["category"] = category,
            ["quantity"] = 1,
            ["unitPrice"] = total,
        }),
        ["subtotal"] = total,
        ["discount"] = 0,
        ["couponCode"] = coupon,
        ["shipping"] = 0,
        ["tax"] = 0,
        ["total"] = total,
        ["channel"] = "web",
    };

    public static JsonObject Event(string id, string type, DateTimeOffset at, string customerId, JsonNode? data) => new()
    {
        ["id"] = id,
        ["type"] = type,
        ["occurredAt"] = at,
        ["customerId"] = customerId,
        ["data"] = data,
    };

    public static async Task<JsonNode> PostEventsAsync(this HttpClient client, params JsonObject[] events)
    {
        var response = await client.PostJsonAsync("/api/events", new JsonObject { ["events"] = new JsonArray(events.Select(e => (JsonNode)e.DeepClone()).ToArray()) });
        return await response.AssertJsonAsync(HttpStatusCode.Accepted);
    }

    /// <summary>Waits until the customer's metrics satisfy the condition (events are applied from a queue).</summary>
    public static async Task<JsonNode> WaitForMetricsAsync(this HttpClient client, string customerId, Func<JsonNode, bool> condition, string what)
    {
        JsonNode? last = null;
        await HttpAssertions.EventuallyAsync(async () =>
        {
            var response = await client.GetAsync($"/api/customers/{customerId}/metrics");
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return false;
            }
            last = await response.AssertJsonAsync();
            return condition(last);
        }, what);
        return last!;
    }

    /// <summary>Waits until the customer's timeline holds an entry with this id.</summary>
    public static async Task WaitForTimelineEntryAsync(this HttpClient client, string customerId, string entryId)
    {
        await HttpAssertions.EventuallyAsync(async () =>
        {
            var response = await client.GetAsync($"/api/customers/{customerId}/timeline?limit=500");
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return false;
            }
            var page = await response.AssertJsonAsync();
            return page["items"]!.AsArray().Any(i => i!["id"]!.GetValue<string>() == entryId);
        }, $"timeline entry {entryId}");
    }

    private static JsonObject Merge(JsonObject o, object? extra)
    {
        if (extra is not null)
        {
            foreach (var (k, v) in System.Text.Json.JsonSerializer.SerializeToNode(extra, HttpAssertions.Json)!.AsObject())
            {
                o[k] = v?.DeepClone();
            }
        }
        return o;
    }
}
