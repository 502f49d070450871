using System.Globalization;
using System.Text.Json;
using PecosCrm.Core;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Events;
using PecosCrm.Core.Orders;
using PecosCrm.Core.Products;
using PecosCrm.Core.Staff;

namespace PecosCrm.Functions.Hosting;

/// <summary>
/// A believable western-wear store, generated from a fixed seed: a catalogue across boots, hats,
/// workwear, denim and accessories, and about 2,000 customers over three years whose orders follow
/// the seasons (a holiday peak, a spring boot season, a back-to-work bump in late summer).
/// Everything is expressed as store events and API calls, so it goes through the same services as
/// real traffic. Ids are deterministic, so generating again produces the same events.
/// </summary>
public sealed class DemoData(DateTimeOffset now, int customers = 2000, int seed = 1883)
{
    private static readonly string[] FirstNames =
    [
        "Wade", "Rosa", "Cody", "Luz", "Hank", "Maggie", "Travis", "Dolores", "Clint", "Ada", "Beau", "Josefina", "Dale", "Rita", "Colt", "June",
        "Jesse", "Marisol", "Earl", "Nell", "Rusty", "Alma", "Garrett", "Sadie", "Boone", "Inez", "Wyatt", "Lupe", "Roy", "Etta", "Cash", "Pearl",
        "Dallas", "Elena", "Tucker", "Ruby", "Grady", "Carmen", "Jed", "Hazel",
    ];

    private static readonly string[] LastNames =
    [
        "Calhoun", "Vega", "McCrae", "Ortiz", "Dawson", "Whitfield", "Garza", "Pruitt", "Salazar", "Holloway", "Baca", "Tillman", "Cordova",
        "Brennan", "Luna", "Sutton", "Navarro", "Rutledge", "Trujillo", "Haskell", "Montoya", "Kincaid", "Escobar", "Bristow", "Medina", "Colter",
        "Chavez", "Langley", "Quintana", "Hartley", "Romero", "Wilcox", "Archuleta", "Pickett", "Serrano", "Lockhart", "Maldonado", "Coburn",
    ];

    private static readonly (string City, string Region, string Zip, string Zone)[] Places =
    [
        ("Pecos", "TX", "79772", "America/Chicago"), ("Amarillo", "TX", "79101", "America/Chicago"), ("San Antonio", "TX", "78205", "America/Chicago"),
        ("Fort Worth", "TX", "76102", "America/Chicago"), ("Santa Fe", "NM", "87501", "America/Denver"), ("Albuquerque", "NM", "87102", "America/Denver"),
        ("Cheyenne", "WY", "82001", "America/Denver"), ("Billings", "MT", "59101", "America/Denver"), ("Tucson", "AZ", "85701", "America/Phoenix"),
        ("Prescott", "AZ", "86301", "America/Phoenix"), ("Boise", "ID", "83702", "America/Boise"), ("Reno", "NV", "89501", "America/Los_Angeles"),
        ("Bakersfield", "CA", "93301", "America/Los_Angeles"), ("Tulsa", "OK", "74103", "America/Chicago"), ("Nashville", "TN", "37203", "America/Chicago"),
        ("Lexington", "KY", "40507", "America/New_York"),
    ];

    private static readonly string[] Streets = ["Mesquite", "Saddle Horn", "Chisholm", "Cottonwood", "Ranch Road", "Sage Brush", "Old Spanish Trail", "Canyon"];

    private readonly Random _random = new(seed);

    public IReadOnlyList<ProductFields> Products { get; } = Catalogue();

    public static IReadOnlyList<NewStaffMember> Staff { get; } =
    [
        new("Marla Jennings", "marla@pecosrivertraders.example", StaffRole.Manager),
        new("Ty Redbird", "ty@pecosrivertraders.example", StaffRole.Agent),
        new("Gloria Ybarra", "gloria@pecosrivertraders.example", StaffRole.Agent),
        new("Shane Dockery", "shane@pecosrivertraders.example", StaffRole.Marketer),
        new("Opal Finch", "opal@pecosrivertraders.example", StaffRole.Viewer),
    ];

    public static IReadOnlyList<(string Name, string Color, string Description)> CustomTags { get; } =
    [
        ("VIP", "#d4af37", "Hand-picked for the best service"),
        ("Wholesale", "#20639b", "Buys for a store or a ranch crew"),
        ("Influencer", "#e83e8c", "Posts about our gear"),
        ("Problem Customer", "#6c757d", "Check the notes before promising anything"),
    ];

    /// <summary>The id of the demo's customer number <paramref name="index"/> (from 0): the same whatever the seed's size or date.</summary>
    public static string CustomerId(int index) => $"cust-{10001 + index}";

    /// <summary>The store events of the whole history, in the order they happened.</summary>
    public IReadOnlyList<StoreEvent> Events { get; private set; } = [];

    /// <summary>Customers to link: households (shared address) and gift recipients.</summary>
    public IReadOnlyList<(string A, string B, Relationship Relationship)> Links { get; private set; } = [];

    public IReadOnlyList<(string CustomerId, string Body, bool Pinned)> Notes { get; private set; } = [];

    public IReadOnlyList<(string CustomerId, int TagIndex)> TagAssignments { get; private set; } = [];

    public DemoData Generate()
    {
        var events = new List<StoreEvent>();
        var links = new List<(string, string, Relationship)>();
        var notes = new List<(string, string, bool)>();
        var tags = new List<(string, int)>();
        var start = now.AddYears(-3);
        Address? household = null;
        string? householdHead = null;

        for (var i = 0; i < customers; i++)
        {
            var id = CustomerId(i);
            var first = Pick(FirstNames);
            var last = Pick(LastNames);
            var place = Pick(Places);
            var since = start.AddDays(_random.NextDouble() * (now - start).TotalDays * 0.95);
            // About one customer in twelve lives with the previous one: shared address, same surname.
            var sameHouse = household is not null && _random.NextDouble() < 0.08;
            var address = sameHouse ? household! : new Address(AddressKind.Shipping, $"{_random.Next(100, 9999)} {Pick(Streets)} Dr", null, place.City, place.Region, place.Zip, "US");
            if (sameHouse)
            {
                var head = householdHead!.Split('|');
                last = head[1];
                links.Add((head[0], id, Relationship.Family));
            }
            household = address;
            householdHead = id + "|" + last;

            var orders = PlanOrders(since);
            var spend = orders.Sum(o => o.Total);
            var tier = spend >= 1000 ? LoyaltyTier.Platinum : spend >= 500 ? LoyaltyTier.Gold : spend >= 250 ? LoyaltyTier.Silver : LoyaltyTier.Bronze;
            var consent = _random.NextDouble() < 0.7;
            var customer = new
            {
                id,
                firstName = first,
                lastName = last,
                email = $"{first}.{last}.{i}@example.com".ToLowerInvariant(),
                phone = $"({_random.Next(200, 999)}) 555-{_random.Next(1000, 9999)}",
                addresses = new[] { address },
                birthday = new DateOnly(_random.Next(1950, 2004), _random.Next(1, 13), _random.Next(1, 29)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                timeZone = place.Zone,
                consent = new { email = consent, sms = consent && _random.NextDouble() < 0.4, at = since },
                tier = tier.ToString().ToLowerInvariant(),
                customerSince = since,
                source = Pick(["organic", "google", "facebook", "instagram", "referral", "rodeo booth"]),
            };
            events.Add(Event($"{id}-created", EventTypes.CustomerCreated, since, id, customer));

            var n = 0;
            foreach (var order in orders)
            {
                n++;
                var orderId = $"{id}-o{n}";
                var data = OrderData(orderId, $"{(100000 + i * 20 + n).ToString(CultureInfo.InvariantCulture)}", id, order);
                var fate = _random.NextDouble();
                var delivered = order.At.AddDays(_random.Next(3, 8));
                // One event per order where the story allows: a delivered order's event also
                // stamps its placement, so the history stays true with half the events.
                if (fate < 0.03)
                {
                    events.Add(Event($"{orderId}-placed", EventTypes.OrderPlaced, order.At, id, data));
                    events.Add(Event($"{orderId}-cancelled", EventTypes.OrderCancelled, order.At.AddHours(5), id, data));
                    continue;
                }
                events.Add(delivered < now
                    ? Event($"{orderId}-delivered", EventTypes.OrderDelivered, delivered, id, data)
                    : Event($"{orderId}-placed", EventTypes.OrderPlaced, order.At, id, data));
                if (fate > 0.96 && delivered.AddDays(10) < now)
                {
                    var refund = JsonSerializer.SerializeToNode(data, CrmJson.Options)!.AsObject();
                    refund["refundedAmount"] = fate > 0.985 ? order.Total : Math.Round(order.Total / 2, 2);
                    events.Add(Event($"{orderId}-refunded", EventTypes.OrderRefunded, delivered.AddDays(9), id, refund));
                }
            }
            var lastSeen = orders.Count > 0 ? orders[^1].At : since;
            var visits = _random.Next(0, 3);
            for (var v = 0; v < visits; v++)
            {
                var at = lastSeen.AddDays(_random.Next(1, 60));
                if (at < now)
                {
                    events.Add(Event($"{id}-login{v}", EventTypes.AccountLogin, at, id, new { channel = Pick(["web", "mobile"]) }));
                    if (_random.NextDouble() < 0.5)
                    {
                        events.Add(Event($"{id}-view{v}", EventTypes.ProductViewed, at.AddMinutes(2), id, ViewData()));
                    }
                }
            }
            if (orders.Count > 0 && orders[0].At.AddDays(14) < now && _random.NextDouble() < 0.15)
            {
                var product = Pick(Products);
                events.Add(Event($"{id}-review", EventTypes.ReviewSubmitted, orders[0].At.AddDays(14), id,
                    new { productId = product.Id, rating = _random.Next(3, 6), title = Pick(["Fits like a glove", "Worth every penny", "Sturdy and handsome", "Runs a half size small"]) }));
            }
            if (_random.NextDouble() < 0.05)
            {
                notes.Add((id, Pick(NoteTexts), _random.NextDouble() < 0.4));
            }
            if (spend >= 1500 && _random.NextDouble() < 0.5)
            {
                tags.Add((id, 0));
            }
            else if (_random.NextDouble() < 0.01)
            {
                tags.Add((id, _random.Next(1, CustomTags.Count)));
            }
            if (i > 0 && _random.NextDouble() < 0.01)
            {
                links.Add((id, CustomerId(_random.Next(0, i)), Relationship.GiftRecipient));
            }
        }
        Events = events.OrderBy(e => e.OccurredAt).ToList();
        Links = links;
        Notes = notes;
        TagAssignments = tags;
        return this;
    }

    private static readonly string[] NoteTexts =
    [
        "Prefers a wide calf in boots; ask before swapping sizes.",
        "Called about a late delivery before the county fair. Expedited the replacement.",
        "Buys for his ranch hands every fall: offer the crew discount.",
        "Returned two hats for crown size; measure as 7 3/8.",
        "Asked to be told when the ostrich boots are back in stock.",
        "Left a glowing review on Instagram; sent a thank-you card.",
    ];

    private List<(DateTimeOffset At, decimal Total, List<ProductFields> Items)> PlanOrders(DateTimeOffset since)
    {
        // Most customers buy a few times; a loyal minority buys often.
        var appetite = _random.NextDouble() < 0.15 ? 8 + _random.Next(0, 12) : _random.Next(0, 5);
        var span = (now - since).TotalDays;
        var dates = new List<DateTimeOffset>();
        while (dates.Count < appetite && span > 1)
        {
            // Rejection sampling by month weight gives the seasons their shape.
            var at = since.AddDays(_random.NextDouble() * span);
            if (_random.NextDouble() * MaxMonthWeight < MonthWeight[at.Month - 1])
            {
                dates.Add(at);
            }
        }
        return dates.Order().Select(at =>
        {
            var items = Enumerable.Range(0, _random.Next(1, 4)).Select(_ => PickSeasonal(at)).ToList();
            return (at, items.Sum(p => p.Price!.Value), items);
        }).ToList();
    }

    /// <summary>Relative order volume by month: the holidays, boot season in spring, back to work in late summer.</summary>
    private static readonly double[] MonthWeight = [0.6, 0.6, 0.9, 1.1, 0.9, 0.55, 0.55, 0.8, 0.85, 0.9, 1.6, 2.0];

    private static readonly double MaxMonthWeight = MonthWeight.Max();

    private ProductFields PickSeasonal(DateTimeOffset at)
    {
        var category = at.Month switch
        {
            3 or 4 or 5 when _random.NextDouble() < 0.5 => "Boots",
            11 or 12 when _random.NextDouble() < 0.4 => "Hats",
            8 or 9 when _random.NextDouble() < 0.4 => "Workwear",
            _ => null,
        };
        var pool = category is null ? Products : Products.Where(p => p.Category == category).ToList();
        return Pick(pool);
    }

    private object ViewData()
    {
        var p = Pick(Products);
        return new { productId = p.Id, name = p.Name, category = p.Category };
    }

    private static OrderInput OrderData(string orderId, string number, string customerId, (DateTimeOffset At, decimal Total, List<ProductFields> Items) order)
    {
        var lines = order.Items.GroupBy(p => p.Id).Select(g => new OrderLineInput(g.Key, g.First().Sku, g.First().Name, g.First().Category, g.Count(), g.First().Price)).ToList();
        var subtotal = lines.Sum(l => l.UnitPrice!.Value * l.Quantity!.Value);
        var shipping = subtotal >= 100 ? 0m : 9.95m;
        var tax = Math.Round(subtotal * 0.0825m, 2);
        return new OrderInput(orderId, number, customerId, order.At, OrderStatus.Placed, "USD", lines, subtotal, 0, null, shipping, tax, subtotal + shipping + tax, "web");
    }

    private static StoreEvent Event(string id, string type, DateTimeOffset at, string customerId, object data) =>
        new(id, type, at, customerId, JsonSerializer.SerializeToElement(data, CrmJson.Options));

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    private static List<ProductFields> Catalogue()
    {
        var items = new List<ProductFields>();
        void Add(string category, string prefix, params (string Name, decimal Price)[] products)
        {
            foreach (var (name, price) in products)
            {
                var n = items.Count + 1;
                items.Add(new ProductFields($"0{84000000000 + n * 7:D11}", $"{prefix}-{n:D4}", name, category, price, "USD", true));
            }
        }
        Add("Boots", "BT", ("Cattleman Roper Boot", 189.95m), ("Ostrich Quill Western Boot", 449.00m), ("Square Toe Work Boot", 219.50m), ("Snip Toe Cowgirl Boot", 239.00m),
            ("Buckaroo Tall Boot", 329.00m), ("Waterproof Pull-On Boot", 179.99m), ("Kids' Rodeo Boot", 79.95m), ("Goat Leather Stockman", 259.00m));
        Add("Hats", "HT", ("Pecos Felt Cattleman Hat", 149.00m), ("Palm Leaf Straw Hat", 49.95m), ("Silverbelly 6X Felt Hat", 289.00m), ("Cattle Drive Straw Hat", 69.00m),
            ("Gambler Wool Hat", 89.95m), ("Trucker Cap with Longhorn Patch", 27.50m));
        Add("Workwear", "WW", ("Duck Canvas Chore Coat", 129.00m), ("Flame-Resistant Work Shirt", 64.95m), ("Ranch Hand Bib Overalls", 89.00m), ("Insulated Vest", 74.50m),
            ("Leather Work Gloves", 24.95m), ("Fleece-Lined Flannel Shirt", 54.00m), ("Carpenter Work Pants", 49.95m));
        Add("Denim", "DN", ("Bootcut Cowboy Jean", 59.95m), ("Slim Straight Rodeo Jean", 64.00m), ("Relaxed Fit Work Jean", 49.95m), ("Western Denim Jacket", 98.00m),
            ("Pearl Snap Denim Shirt", 52.00m), ("Women's High Rise Flare Jean", 69.95m));
        Add("Accessories", "AC", ("Tooled Leather Belt", 54.95m), ("Trophy Buckle, Sterling Finish", 119.00m), ("Wild Rag Silk Scarf", 34.00m), ("Bolo Tie with Turquoise", 68.00m),
            ("Saddle Leather Wallet", 45.00m), ("Boot Care Kit", 22.95m), ("Horsehair Hat Band", 29.00m));
        return items;
    }
}
