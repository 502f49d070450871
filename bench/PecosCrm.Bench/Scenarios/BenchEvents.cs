using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using PecosCrm.Core.Events;

namespace PecosCrm.Bench.Scenarios;

/// <summary>
/// Builds store events shaped as a storefront sends them (the fields of <see cref="EventTypes"/>),
/// with ids unique within the run, and the <c>{"events":[...]}</c> bodies that carry them.
/// </summary>
public sealed class BenchEvents(string runTag)
{
    private static readonly string[] FirstNames = ["Dusty", "Rosa", "Emmett", "Lupe", "Wade", "Clara", "Hank", "Inez", "Jesse", "Marta", "Otis", "Pearl"];
    private static readonly string[] LastNames = ["Rhodes", "Alvarez", "Barlow", "Castillo", "Dunn", "Esparza", "Fenton", "Garza", "Holt", "Ibarra"];
    private static readonly string[] Categories = ["Boots", "Hats", "Saddles", "Belts", "Shirts"];
    private static readonly string[] Pages = ["/", "/boots", "/hats", "/sale", "/about", "/cart"];

    private long _events;
    private long _orders;

    public BenchEvent Created(string customerId, int n, DateTimeOffset at) => Make(customerId, EventTypes.CustomerCreated, at, new JsonObject
    {
        ["id"] = customerId,
        ["firstName"] = FirstNames[n % FirstNames.Length],
        ["lastName"] = LastNames[n / FirstNames.Length % LastNames.Length],
        ["email"] = $"{customerId}@bench.example",
        ["phone"] = string.Create(CultureInfo.InvariantCulture, $"+1 432 {n / 10_000 % 1000:D3} {n % 10_000:D4}"),
        ["addresses"] = new JsonArray(new JsonObject
        {
            ["kind"] = "shipping",
            ["line1"] = $"{n + 1} Main St",
            ["city"] = "Pecos",
            ["region"] = "TX",
            ["postalCode"] = "79772",
            ["country"] = "US",
        }),
        ["tier"] = "silver",
        ["source"] = "bench",
    });

    public BenchEvent OrderPlaced(string customerId, DateTimeOffset at, Random random)
    {
        var number = Interlocked.Increment(ref _orders);
        var category = Categories[random.Next(Categories.Length)];
        var quantity = random.Next(1, 4);
        var unitPrice = random.Next(1_000, 20_000) / 100m;
        var total = unitPrice * quantity;
        return Make(customerId, EventTypes.OrderPlaced, at, new JsonObject
        {
            ["id"] = $"{runTag}-o{number}",
            ["number"] = number.ToString(CultureInfo.InvariantCulture),
            ["customerId"] = customerId,
            ["placedAt"] = at,
            ["currency"] = "USD",
            ["lines"] = new JsonArray(new JsonObject
            {
                ["productId"] = "p-" + category.ToLowerInvariant(),
                ["sku"] = "SKU-" + category.ToUpperInvariant(),
                ["name"] = category + " item",
                ["category"] = category,
                ["quantity"] = quantity,
                ["unitPrice"] = unitPrice,
            }),
            ["subtotal"] = total,
            ["discount"] = 0,
            ["shipping"] = 0,
            ["tax"] = 0,
            ["total"] = total,
            ["channel"] = "web",
        });
    }

    public BenchEvent Login(string customerId, DateTimeOffset at) =>
        Make(customerId, EventTypes.AccountLogin, at, new JsonObject { ["channel"] = "web" });

    public BenchEvent PageViewed(string customerId, DateTimeOffset at, Random random)
    {
        var url = Pages[random.Next(Pages.Length)];
        return Make(customerId, EventTypes.PageViewed, at, new JsonObject { ["url"] = url, ["title"] = "Page " + url });
    }

    public BenchEvent ProductViewed(string customerId, DateTimeOffset at, Random random)
    {
        var category = Categories[random.Next(Categories.Length)];
        return Make(customerId, EventTypes.ProductViewed, at,
            new JsonObject { ["productId"] = "p-" + category.ToLowerInvariant(), ["name"] = category + " item", ["category"] = category });
    }

    public BenchEvent CartUpdated(string customerId, DateTimeOffset at, Random random) =>
        Make(customerId, EventTypes.CartUpdated, at, new JsonObject
        {
            ["cartId"] = $"{runTag}-cart-{customerId}",
            ["value"] = random.Next(1_000, 30_000) / 100m,
        });

    /// <summary>
    /// A storefront's traffic after sign-up: mostly page and product views, then logins, orders and
    /// cart changes (35/25/15/15/10 %).
    /// </summary>
    public BenchEvent Activity(string customerId, DateTimeOffset at, Random random) => random.Next(100) switch
    {
        < 35 => PageViewed(customerId, at, random),
        < 60 => Login(customerId, at),
        < 75 => ProductViewed(customerId, at, random),
        < 90 => OrderPlaced(customerId, at, random),
        _ => CartUpdated(customerId, at, random),
    };

    /// <summary>The body of <c>POST /api/events</c> carrying these events.</summary>
    public static byte[] Body(IEnumerable<BenchEvent> events)
    {
        var text = new StringBuilder("{\"events\":[");
        var first = true;
        foreach (var e in events)
        {
            if (!first)
            {
                text.Append(',');
            }
            text.Append(e.Json);
            first = false;
        }
        return Encoding.UTF8.GetBytes(text.Append("]}").ToString());
    }

    private BenchEvent Make(string customerId, string type, DateTimeOffset at, JsonObject data) =>
        new(customerId, type, new JsonObject
        {
            ["id"] = $"{runTag}-e{Interlocked.Increment(ref _events)}",
            ["type"] = type,
            ["occurredAt"] = at,
            ["customerId"] = customerId,
            ["data"] = data,
        }.ToJsonString());
}
