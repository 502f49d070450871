using System.Net;
using System.Text.Json.Nodes;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;

namespace PecosCrm.IntegrationTests.Loyalty;

/// <summary>Customers, orders and rewards for the loyalty tests, through the API as the storefront and staff use it.</summary>
public static class LoyaltyTestKit
{
    public static async Task CustomerAsync(HttpClient admin, string id, DateTimeOffset at, string? email = null, string? birthday = null, object? address = null)
    {
        var data = (JsonObject)System.Text.Json.JsonSerializer.SerializeToNode(Customer(id, "Cody", "Bell", email ?? $"{id}@gmail.com"), HttpAssertions.Json)!;
        if (birthday is not null)
        {
            data["birthday"] = birthday;
        }
        if (address is not null)
        {
            data["addresses"] = new JsonArray(System.Text.Json.JsonSerializer.SerializeToNode(address, HttpAssertions.Json));
        }
        await admin.PostEventsAsync(Event(NewId("e"), "customer.created", at, id, data));
        await HttpAssertions.EventuallyAsync(async () => (await admin.GetAsync($"/api/customers/{id}")).StatusCode == HttpStatusCode.OK, $"customer {id} created");
    }

    public static JsonObject Refund(string orderId, string customerId, DateTimeOffset placedAt, decimal total, decimal refunded, string number = "1001")
    {
        var order = Order(orderId, customerId, placedAt, total, number: number);
        order["refundedAmount"] = refunded;
        return order;
    }

    public static async Task<JsonNode> AccountAsync(HttpClient admin, string customerId) =>
        await (await admin.GetAsync($"/api/loyalty/customers/{customerId}")).AssertJsonAsync();

    /// <summary>Waits until the customer's account satisfies the condition (store events are applied from a queue).</summary>
    public static async Task<JsonNode> WaitForAccountAsync(HttpClient admin, string customerId, Func<JsonNode, bool> condition, string what)
    {
        JsonNode? last = null;
        await HttpAssertions.EventuallyAsync(async () =>
        {
            var response = await admin.GetAsync($"/api/loyalty/customers/{customerId}");
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return false;
            }
            last = await response.AssertJsonAsync();
            return condition(last);
        }, () => $"{what} (last: {last?.ToJsonString()})");
        return last!;
    }

    public static async Task<JsonArray> LedgerAsync(HttpClient admin, string customerId) =>
        (await (await admin.GetAsync($"/api/loyalty/customers/{customerId}/ledger?limit=500")).AssertJsonAsync())["items"]!.AsArray();

    public static long Points(JsonNode account) => account["points"]!.GetValue<long>();

    public static long Pending(JsonNode account) => account["pendingPoints"]!.GetValue<long>();

    public static string Tier(JsonNode account) => account["tier"]!["tier"]!.GetValue<string>();

    public static async Task<string> RewardAsync(HttpClient admin, long points, string? id = null)
    {
        var reward = await (await admin.PostJsonAsync("/api/loyalty/rewards", new
        {
            id = id ?? NewId("rw"), name = "$5 off boots", kind = "discount_code", points, amount = 5m, validDays = 30,
        })).AssertJsonAsync(HttpStatusCode.Created);
        return reward["id"]!.GetValue<string>();
    }

    /// <summary>One of each loyalty row: points earned by an order, a reward redeemed, a referral code and link, a nightly pass (for the RowKey scan).</summary>
    public static async Task FillAsync(HttpClient admin, string customerId)
    {
        await (await admin.PostJsonAsync($"/api/loyalty/customers/{customerId}/grants", new { points = 500, reason = "welcome gift" })).AssertJsonAsync(HttpStatusCode.Created);
        var reward = await RewardAsync(admin, 100);
        var redemption = await (await admin.PostJsonAsync($"/api/loyalty/customers/{customerId}/redemptions", new { rewardId = reward })).AssertJsonAsync(HttpStatusCode.Created);
        await (await admin.PostAsync($"/api/loyalty/customers/{customerId}/redemptions/{redemption["id"]}/cancel", null)).AssertJsonAsync();
        await (await admin.PostJsonAsync($"/api/loyalty/customers/{customerId}/referral", new { })).AssertJsonAsync();
        await (await admin.PutAsync("/api/loyalty/rules/review", System.Net.Http.Json.JsonContent.Create(new { value = 30 }))).AssertJsonAsync();
        await (await admin.PostAsync("/api/loyalty/nightly", null)).AssertJsonAsync();
    }
}
