using System.Globalization;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using PecosCrm.Core;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Orders;
using PecosCrm.Core.Storage;

namespace PecosCrm.Bench.Scenarios;

/// <summary>
/// Customer cards written straight into the app's customers table, as the app leaves them after a
/// customer's history: the profile, metrics and engagement of 3 to 8 orders and 7 to 11 logins, the
/// newest orders and timeline entries (at least the ten the view shows), a pinned note, a staff tag beside the auto-tags, the health
/// score and churn risk, all through the app's own card rules (<see cref="CustomerCard"/>).
/// Seeding 100,000 customers through the events API would take an hour here; straight into
/// storage it takes a minute or two, and the 360 view reads only the card.
/// </summary>
internal static class SeededCards
{
    private const int Writers = 16;

    private static readonly string[] FirstNames = ["Wyatt", "Loretta", "Hank", "Reba", "Clint", "Dolores", "Dale", "Tammy", "James", "Mary"];
    private static readonly string[] LastNames = ["Garcia", "Smith", "Walker", "Lopez", "King", "Young", "Moore", "Lee", "Scott", "Allen", "Clark"];
    private static readonly (string Id, string Name, string Category, long PriceCents)[] Products =
    [
        ("p-roper", "Roper boot", "boots", 18_900), ("p-work", "Steel-toe work boot", "boots", 21_500), ("p-denim", "Ranch denim", "jeans", 6_900),
        ("p-snap", "Pearl-snap shirt", "shirts", 5_400), ("p-hat", "Felt hat", "hats", 12_900), ("p-belt", "Tooled belt", "accessories", 4_500),
    ];

    /// <summary>The <paramref name="n"/>th seeded customer's id, from 0: <c>k0000001</c> onwards.</summary>
    public static string Id(int n) => "k" + (n + 1).ToString("D7", CultureInfo.InvariantCulture);

    /// <summary>Writes the cards of customers 0 to <paramref name="count"/> - 1, <see cref="Writers"/> inserts side by side.</summary>
    public static async Task SeedAsync(CrmServer server, int count, string tagId, CancellationToken cancellationToken)
    {
        using var bench = StorageCallCounter.Bench();
        var table = server.Services.GetRequiredService<StorageAccount>().Table(StorageNames.Tables.Customers);
        var now = DateTimeOffset.UtcNow;
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = Writers, CancellationToken = cancellationToken },
            async (n, ct) => await table.AddEntityAsync(Card(n, tagId, now), ct));
    }

    /// <summary>The card of the <paramref name="n"/>th customer: the same for the same <paramref name="n"/> and day.</summary>
    public static CardEntity Card(int n, string tagId, DateTimeOffset now)
    {
        var random = new Random(n);
        var id = Id(n);
        var joined = now.AddDays(-random.Next(200, 1_000));
        var orders = Enumerable.Range(0, random.Next(3, 9))
            .Select(k => Order(id, n, k, joined + (now - joined) * random.NextDouble(), random))
            .OrderBy(o => o.PlacedAt)
            .ToList();
        var metrics = CustomerMetrics.FromOrders(orders);
        var first = FirstNames[random.Next(FirstNames.Length)];
        var last = LastNames[random.Next(LastNames.Length)];
        var customer = new Customer(
            id, first, last, $"{id}@bench.example", $"+1 432 555 {n % 10_000:D4}",
            [new Address(AddressKind.Shipping, $"{n + 1} Main St", null, "Pecos", "TX", "79772", "US")],
            null, "America/Chicago", new MarketingConsent(true, joined, false, null), LoyaltyTier.Silver, joined, "bench", joined, now, "");
        var logins = Enumerable.Range(0, random.Next(7, 12)).Select(_ => joined + (now - joined) * random.NextDouble()).Order().ToList();
        var engagement = new Engagement(logins.Count, logins.Count * 4, logins.Count * 2, 0, 1, 0, 0, logins[^1], 0);

        var card = CardEntity.New(id);
        card.UpdatedAt = now;
        card.SetProfile(customer, now);
        card.Set(metrics);
        card.Set(engagement);
        var health = HealthScore.Compute(metrics, engagement, now);
        card.SetHealth(health);
        foreach (var tag in AutoTags.For(joined, metrics, health, now))
        {
            CustomerCard.SetTag(card, new CardTag(tag, true, "system", now));
        }
        CustomerCard.SetTag(card, new CardTag(tagId, false, "bench", joined));
        foreach (var order in orders)
        {
            CustomerCard.PutOrder(card, new CardOrder(order, order.PlacedAt, $"{id}-e{order.Id}"));
        }
        CustomerCard.AddActivity(card,
            orders.Select(o => new TimelineEntry($"{id}-t{o.Id}", id, TimelineType.Order, $"Order #{o.Number} placed", o.PlacedAt, "store", $"/api/orders/{o.Id}", null))
                .Concat(logins.Select((at, k) => new TimelineEntry($"{id}-l{k}", id, TimelineType.Login, "Logged in", at, "store", null, null))));
        CustomerCard.PutNote(card, new Note($"{id}-n1", id, "Prefers wide-fit boots; call before shipping.", true, "bench", joined, joined));
        return card;
    }

    private static Order Order(string customerId, int n, int k, DateTimeOffset placedAt, Random random)
    {
        var lines = Enumerable.Range(0, random.Next(1, 3))
            .Select(i => Products[(n + k + i) % Products.Length])
            .Select(p => new OrderLine(p.Id, p.Id, p.Name, p.Category, 1, p.PriceCents))
            .ToList();
        var subtotal = lines.Sum(l => l.TotalCents);
        var tax = (long)Math.Round(subtotal * 0.0825);
        var id = $"{customerId}-o{k}";
        return new Order(
            id, $"{n}-{k}", customerId, placedAt, OrderStatus.Delivered,
            new Dictionary<OrderStatus, DateTimeOffset> { [OrderStatus.Placed] = placedAt, [OrderStatus.Delivered] = placedAt.AddDays(4) },
            "USD", lines, subtotal, 0, null, 0, tax, subtotal + tax, 0, "web");
    }
}
