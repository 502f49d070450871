using System.Net;
using PecosCrm.IntegrationTests.Infrastructure;

namespace PecosCrm.IntegrationTests.Wholesale;

/// <summary>
/// Writes every kind of row of the wholesale and staff task tables once (accounts, claims, list rows,
/// prices, orders, payments; tasks, screen lines, reminders, locators, a next occurrence), for the
/// RowKey uniqueness scan.
/// </summary>
public static class WholesaleAndTaskRows
{
    public static async Task FillAsync(HttpClient admin, IReadOnlyList<string> customerIds, string productId)
    {
        foreach (var customer in customerIds.Take(2))
        {
            var account = (await (await admin.PostJsonAsync("/api/wholesale", new { customerId = customer, companyName = "Rows " + customer })).AssertJsonAsync(HttpStatusCode.Created))["id"]!;
            await (await admin.PutAsync($"/api/wholesale/{account}/prices/{productId}", Json(new { price = 1.00m }))).AssertJsonAsync();
            var order = await (await admin.PostJsonAsync($"/api/wholesale/{account}/orders", new { lines = new[] { new { productId, quantity = 3 } } })).AssertJsonAsync(HttpStatusCode.Created);
            await (await admin.PostJsonAsync($"/api/wholesale/{account}/orders/{order["id"]}/payments", new { amount = 1.00m })).AssertJsonAsync(HttpStatusCode.Created);
        }
        for (var i = 0; i < 3; i++)
        {
            var task = await (await admin.PostJsonAsync("/api/tasks", new
            {
                title = $"Rows task {i}", dueAt = DateTimeOffset.UtcNow.AddDays(i + 1), reminderAt = DateTimeOffset.UtcNow.AddDays(i), recurrence = "FREQ=DAILY",
            })).AssertJsonAsync(HttpStatusCode.Created);
            if (i == 0)
            {
                await (await admin.PostAsync($"/api/tasks/{task["id"]}/complete", null)).AssertJsonAsync();
            }
        }
    }

    private static StringContent Json(object body) =>
        new(System.Text.Json.JsonSerializer.Serialize(body, HttpAssertions.Json), System.Text.Encoding.UTF8, "application/json");
}
