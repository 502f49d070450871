using System.Text.Json;
using System.Text.Json.Nodes;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;

namespace PecosCrm.IntegrationTests.Analytics;

/// <summary>
/// Seven customers, A to G, chosen so that every RFM score can be worked out by hand, with ties on
/// each of R, F and M. All orders are placed at 15:00 UTC.
/// <code>
/// customer  orders (date, category, amount)                                          last order  orders  spend
/// A         2024-12-10 belts 100; 2025-02-10, 03-10, 06-01 boots 100; 04-10, 05-10 hats 100  2025-06-01  6   600
/// B         2025-03-01, 04-01, 06-01 boots, 2 × 150 each                             2025-06-01  3       900
/// C         2025-05-01 hats 40                                                       2025-05-01  1        40
/// D         2025-03-15 boots 100; 2025-04-01 denim 100                               2025-04-01  2       200
/// E         2025-01-20, 02-20, 03-01 denim 50                                        2025-03-01  3       150
/// F         2025-02-01 boots 1000                                                    2025-02-01  1      1000
/// G         2024-12-01, 2025-01-01 hats 20                                           2025-01-01  2        40
/// </code>
/// </summary>
internal static class RfmDataSet
{
    public const int Orders = 18;

    public static string Id(CrmApp app, char customer) => $"rfm{char.ToLowerInvariant(customer)}-{app.Prefix}";

    /// <summary>
    /// Runs the nightly recompute, which stores each customer's RFM code (what the 360 view and
    /// <c>/api/customers/{id}/rfm</c> show), and waits until it has finished.
    /// </summary>
    public static async Task ScoreAsync(HttpClient admin)
    {
        var started = await (await admin.PostAsync("/api/jobs/recompute", null)).AssertJsonAsync(System.Net.HttpStatusCode.Accepted);
        await HttpAssertions.EventuallyAsync(
            async () => (await (await admin.GetAsync($"/api/jobs/{started["id"]}")).AssertJsonAsync())["endedAt"] is not null, "recompute finished");
    }

    /// <summary>Posts the customers and their orders and waits until the analytical copy holds them all.</summary>
    public static async Task PostAsync(CrmApp app, HttpClient admin)
    {
        (char Customer, DateTimeOffset At, string Category, int Quantity, decimal UnitPrice)[] orders =
        [
            ('A', Day(2024, 12, 10), "Belts", 1, 100m), ('A', Day(2025, 2, 10), "Boots", 1, 100m), ('A', Day(2025, 3, 10), "Boots", 1, 100m),
            ('A', Day(2025, 4, 10), "Hats", 1, 100m), ('A', Day(2025, 5, 10), "Hats", 1, 100m), ('A', Day(2025, 6, 1), "Boots", 1, 100m),
            ('B', Day(2025, 3, 1), "Boots", 2, 150m), ('B', Day(2025, 4, 1), "Boots", 2, 150m), ('B', Day(2025, 6, 1), "Boots", 2, 150m),
            ('C', Day(2025, 5, 1), "Hats", 1, 40m),
            ('D', Day(2025, 3, 15), "Boots", 1, 100m), ('D', Day(2025, 4, 1), "Denim", 1, 100m),
            ('E', Day(2025, 1, 20), "Denim", 1, 50m), ('E', Day(2025, 2, 20), "Denim", 1, 50m), ('E', Day(2025, 3, 1), "Denim", 1, 50m),
            ('F', Day(2025, 2, 1), "Boots", 1, 1000m),
            ('G', Day(2024, 12, 1), "Hats", 1, 20m), ('G', Day(2025, 1, 1), "Hats", 1, 20m),
        ];
        var events = new List<JsonObject>();
        foreach (var customer in "ABCDEFG")
        {
            var id = Id(app, customer);
            events.Add(Event(NewId("e"), "customer.created", Day(2024, 11, 1), id, (JsonObject)JsonSerializer.SerializeToNode(Customer(id), HttpAssertions.Json)!));
        }
        foreach (var (customer, at, category, quantity, unitPrice) in orders)
        {
            var id = Id(app, customer);
            var order = Order(NewId("o"), id, at, quantity * unitPrice, category);
            order["lines"]![0]!["quantity"] = quantity;
            order["lines"]![0]!["unitPrice"] = unitPrice;
            events.Add(Event(NewId("e"), "order.placed", at, id, order));
        }
        await admin.PostEventsAsync([.. events]);
        await HttpAssertions.EventuallyAsync(async () =>
        {
            await admin.PostAsync("/api/analytics/refresh", null);
            return (await (await admin.GetAsync("/api/analytics/freshness")).AssertJsonAsync())["ordersInCopy"]!.GetValue<long>() == Orders;
        }, "all orders in the analytical copy");
    }

    private static DateTimeOffset Day(int year, int month, int day) => new(year, month, day, 15, 0, 0, TimeSpan.Zero);
}
