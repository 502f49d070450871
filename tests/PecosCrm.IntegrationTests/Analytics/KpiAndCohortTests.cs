using System.Net;
using System.Text.Json.Nodes;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;

namespace PecosCrm.IntegrationTests.Analytics;

[Collection(AzuriteCollection.Name)]
public sealed class KpiAndCohortTests(AzuriteFixture fixture)
{
    private static DateTimeOffset Day(int month, int day) => new(2025, month, day, 15, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task KpisAndCohorts_FollowTheirDefinitions()
    {
        await using var app = fixture.NewApp(new Dictionary<string, string?> { ["Hosting:RunTimers"] = "false" });
        var admin = app.Admin();
        var (a, b, c) = ($"a-{app.Prefix}", $"b-{app.Prefix}", $"c-{app.Prefix}");
        // A buys in February and March, B first buys in March, C buys in February only.
        await admin.PostEventsAsync(
            Event(NewId("e"), "order.placed", Day(2, 10), a, Order(NewId("o"), a, Day(2, 10), 100m)),
            Event(NewId("e"), "order.placed", Day(3, 5), a, Order(NewId("o"), a, Day(3, 5), 200m)),
            Event(NewId("e"), "order.placed", Day(3, 10), b, Order(NewId("o"), b, Day(3, 10), 50m)),
            Event(NewId("e"), "order.placed", Day(2, 15), c, Order(NewId("o"), c, Day(2, 15), 80m)));
        await HttpAssertions.EventuallyAsync(async () =>
        {
            await admin.PostAsync("/api/analytics/refresh", null);
            return (await (await admin.GetAsync("/api/analytics/freshness")).AssertJsonAsync())["ordersInCopy"]!.GetValue<long>() == 4;
        }, "orders in the copy");

        var report = await (await admin.GetAsync("/api/analytics/kpis?from=2025-03-01T00:00:00Z&to=2025-04-01T00:00:00Z")).AssertJsonAsync();
        var cohorts = (await (await admin.GetAsync("/api/analytics/cohorts?from=2025-02&to=2025-03")).AssertJsonAsync())["items"]!.AsArray();
        var badMonth = await admin.GetAsync("/api/analytics/cohorts?from=March");

        var kpi = report["metrics"]!.AsArray().ToDictionary(m => m!["name"]!.GetValue<string>(), m => m!);
        Assert.Equal(250, kpi["revenue"]["value"]!.GetValue<double>());
        Assert.Equal(180, kpi["revenue"]["previous"]!.GetValue<double>());
        Assert.Equal(38.9, kpi["revenue"]["changePercent"]!.GetValue<double>());
        Assert.Equal(125, kpi["averageOrderValue"]["value"]!.GetValue<double>());
        Assert.Equal(1, kpi["newCustomers"]["value"]!.GetValue<double>());
        Assert.Equal(0.5, kpi["returningCustomerRate"]["value"]!.GetValue<double>());
        Assert.Equal(3, kpi["totalCustomers"]["value"]!.GetValue<double>());
        // An amount: $430 over three customers, rounded to the cent.
        Assert.Equal(143.33m, kpi["averageLifetimeValue"]["value"]!.GetValue<decimal>());
        Assert.Equal(0.3333, kpi["repeatPurchaseRate"]["value"]!.GetValue<double>());
        Assert.Equal(1, kpi["purchaseFrequency"]["value"]!.GetValue<double>());
        Assert.Equal(23, kpi["averageDaysBetweenPurchases"]["value"]!.GetValue<double>());
        Assert.Equal(0.5, kpi["churnRate"]["value"]!.GetValue<double>());
        Assert.False(string.IsNullOrWhiteSpace(kpi["churnRate"]["definition"]!.GetValue<string>()));

        Assert.Equal(["2025-02", "2025-03"], cohorts.Select(x => x!["month"]!.GetValue<string>()));
        var february = cohorts[0]!;
        Assert.Equal(2, february["customers"]!.GetValue<int>());
        Assert.Equal(1.0, february["retention"]![0]!.GetValue<double>());
        Assert.Equal(0.5, february["retention"]![1]!.GetValue<double>());
        Assert.Equal(0.0, february["retention"]![2]!.GetValue<double>());
        Assert.Equal(90m, february["revenuePerCustomer"]![0]!.GetValue<decimal>());
        Assert.Equal(100m, february["revenuePerCustomer"]![1]!.GetValue<decimal>());
        var march = cohorts[1]!;
        Assert.Equal(1, march["customers"]!.GetValue<int>());
        // The last column of the youngest cohort lies in the future of the oldest: it must be null, not 0.
        Assert.Null(march["retention"]![march["retention"]!.AsArray().Count - 1]);
        Assert.Equal(HttpStatusCode.BadRequest, badMonth.StatusCode);
    }
}
