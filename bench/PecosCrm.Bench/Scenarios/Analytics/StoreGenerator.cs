using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using PecosCrm.Core;
using PecosCrm.Core.Analytics;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Orders;
using PecosCrm.Core.Storage;

namespace PecosCrm.Bench.Scenarios.Analytics;

/// <summary>
/// How big a generated store is: customers, orders in all, and the months they span (the order
/// side); and how many of those customers, the first ones, are given customer rows (the customer
/// side, <paramref name="CustomerSide"/>, at most <paramref name="Customers"/>).
/// </summary>
public sealed record StoreSize(int Customers, int Orders, int Months, int CustomerSide);

/// <summary>
/// What the generator wrote, and how long it took: the order side (every customer's orders) and
/// the customer side (the first <see cref="CustomerSide"/> customers, their buyers and their share
/// of the orders).
/// </summary>
public sealed record GeneratedStore(
    int Customers, int Buyers, long Orders, long Lines, int CustomerSide, int CustomerSideBuyers, long CustomerSideOrders, int CustomerSideStale,
    long Entities, long Requests, IReadOnlyList<string> Months, TimeSpan Elapsed)
{
    /// <summary>The last customer id with customer rows: ids are <c>c</c> and seven digits, so they sort as numbers.</summary>
    public string LastCustomerSideId => StoreGenerator.CustomerId(CustomerSide - 1);
}

/// <summary>
/// Writes a western-wear store straight into the app's tables, through the app's own row classes:
/// the <c>ordersbymonth</c> rows of every customer's orders, which the analytical copy is rebuilt
/// from (the order side), and, for the first <see cref="StoreSize.CustomerSide"/> customers (the
/// customer side, every customer by default), each customer's card (profile, and the metrics
/// computed by <see cref="CustomerMetrics.FromOrders"/> from the customer's generated orders), the
/// <c>all</c> rows of <c>customerindex</c> that the customer list pages and the tag members of the
/// auto-tags. Nothing else: no per-customer order rows, order locators or timeline rows, which none
/// of the measured paths reads.
/// <para>
/// The card holds what the nightly recompute left (the auto-tags, with their tag-member rows, the
/// health score and churn risk), worked out for <c>stateAt</c>, the moment the recompute is measured
/// (the same day), so the recompute finds almost nothing moved, except for a fixed share of the
/// customers (<see cref="ChangedPerHundred"/> in every hundred, <see cref="ChangesOvernight"/>)
/// whose stored health score is one point off: the customers a day's passing changed. That makes
/// the number the recompute rewrites the same in every run, whatever the day of the month, and
/// about what a real night changes (7.3 % of 10,000 in the run of 2026-12-02, where the state was
/// worked out a day earlier).
/// </para>
/// <para>
/// The customers past the customer side are generated all the same (the random sequence, and so the
/// orders, do not depend on where the customer side ends); only their customer rows are not written.
/// </para>
/// <para>
/// Deterministic: one seeded <see cref="Random"/> consumed in the same order every run, the months
/// counted back from the start of the current UTC month (the store is the same all month long, and
/// "the last 90 days" always holds recent orders). It streams: customers are generated one at a
/// time with their orders, rows wait in one 100-row buffer per month partition, and full buffers go
/// to a bounded queue of <see cref="TableBatchWriter"/>; at no time does it hold more than a few
/// thousand rows.
/// </para>
/// </summary>
internal sealed class StoreGenerator
{
    /// <summary>Transactions in flight: several month partitions and customers at once.</summary>
    public const int Writers = 12;

    private const int BatchSize = 100;

    /// <summary>Customers in every hundred whose stored state the recompute finds changed.</summary>
    public const int ChangedPerHundred = 7;

    /// <summary>Relative order volume by calendar month: the holidays, boot season in spring, back to work in late summer.</summary>
    private static readonly double[] MonthWeight = [0.6, 0.6, 0.9, 1.1, 0.9, 0.55, 0.55, 0.8, 0.85, 0.9, 1.6, 2.0];

    private static readonly string[] FirstNames =
    [
        "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William", "Elizabeth", "David", "Barbara", "Richard", "Susan",
        "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen", "Daniel", "Nancy", "Matthew", "Lisa", "Anthony", "Betty", "Mark", "Sandra",
        "Dolores", "Wyatt", "Hank", "Loretta", "Clint", "Reba", "Dale", "Tammy",
    ];

    private static readonly string[] LastNames =
    [
        "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez",
        "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark",
        "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott",
    ];

    private static readonly (string City, string Region, string Postal)[] Cities =
    [
        ("Fort Stockton", "TX", "79735"), ("Pecos", "TX", "79772"), ("Amarillo", "TX", "79101"), ("Santa Fe", "NM", "87501"), ("Roswell", "NM", "88201"),
        ("Cheyenne", "WY", "82001"), ("Billings", "MT", "59101"), ("Tulsa", "OK", "74103"), ("Abilene", "KS", "67410"), ("Tucson", "AZ", "85701"),
    ];

    private static readonly string[] Streets = ["Main St", "Ranch Rd", "Mesa Dr", "Cattle Trail", "Oak Ave", "Pecos Hwy", "Saddle Ln", "Frontier Blvd"];

    private static readonly (string Channel, double Weight)[] Channels = [("web", 0.55), ("mobile", 0.30), ("store", 0.10), ("phone", 0.05)];

    private static readonly IReadOnlyList<Product> Catalogue = BuildCatalogue();

    private readonly StorageAccount _storage;
    private readonly StoreSize _size;
    private readonly Random _random;
    private readonly DateTimeOffset[] _monthStarts;
    private readonly double[] _cumulative;
    private readonly DateTimeOffset _lastNight;
    private readonly DateTimeOffset _stateAt;
    private long _nextOrder;

    /// <param name="end">The start of the month after the last generated one (the start of the current month).</param>
    /// <param name="lastNight">When the previous nightly recompute ran: the time its auto-tags and figures carry.</param>
    /// <param name="stateAt">The moment the auto-tags, health score and churn risk are worked out for: when the next recompute runs.</param>
    public StoreGenerator(StorageAccount storage, StoreSize size, DateTimeOffset end, DateTimeOffset lastNight, DateTimeOffset stateAt, int seed = 1881)
    {
        if (size.Customers < 1 || size.Orders < size.Customers || size.Months < 2 || size.CustomerSide < 1 || size.CustomerSide > size.Customers)
        {
            throw new ArgumentException(
                "A store needs at least one customer, at least as many orders as customers, two months, and between one and all of its customers on the customer side.");
        }
        _storage = storage;
        _size = size;
        _random = new Random(seed);
        _lastNight = lastNight;
        _stateAt = stateAt;
        var first = new DateTimeOffset(end.Year, end.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(-size.Months);
        _monthStarts = Enumerable.Range(0, size.Months + 1).Select(m => first.AddMonths(m)).ToArray();
        // Seasonality on top of growth: a store that sells a third more every year.
        _cumulative = new double[size.Months + 1];
        for (var m = 0; m < size.Months; m++)
        {
            _cumulative[m + 1] = _cumulative[m] + MonthWeight[_monthStarts[m].Month - 1] * (1 + m / 36.0);
        }
        Months = _monthStarts[..^1].Select(MonthOrderEntity.Month).ToList();
    }

    /// <summary>The generated months, oldest first, as <c>yyyy-MM</c>.</summary>
    public IReadOnlyList<string> Months { get; }

    /// <summary>The id of the <paramref name="n"/>th customer, from 0: <c>c0000001</c> onwards.</summary>
    public static string CustomerId(int n) => "c" + (n + 1).ToString("D7", CultureInfo.InvariantCulture);

    /// <summary>Whether the <paramref name="n"/>th customer's stored state is one the recompute changes: <see cref="ChangedPerHundred"/> in every hundred, spread evenly.</summary>
    public static bool ChangesOvernight(int n) => n % 100 < ChangedPerHundred;

    public async Task<GeneratedStore> WriteAsync(TextWriter progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var customersTable = _storage.Table(StorageNames.Tables.Customers);
        var indexTable = _storage.Table(StorageNames.Tables.CustomerIndex);
        var monthsTable = _storage.Table(StorageNames.Tables.OrdersByMonth);
        var membersTable = _storage.Table(StorageNames.Tables.TagMembers);
        var memberRows = new Dictionary<string, List<TableTransactionAction>>(StringComparer.Ordinal);
        var writer = new TableBatchWriter(Writers, cancellationToken);
        var monthRows = Enumerable.Range(0, _size.Months).Select(_ => new List<TableTransactionAction>(BatchSize)).ToArray();
        var indexRows = new List<TableTransactionAction>(BatchSize);
        var counts = OrderCounts();
        long orders = 0;
        long lines = 0;
        var buyers = 0;
        long customerSideOrders = 0;
        var customerSideBuyers = 0;
        var customerSideStale = 0;
        var reportEvery = Math.Max(1, _size.Customers / 10);

        try
        {
            for (var i = 0; i < _size.Customers; i++)
            {
                var (card, index, customerOrders) = Customer(i, counts[i]);
                if (i < _size.CustomerSide)
                {
                    await WriteCustomerAsync(writer, customersTable, membersTable, memberRows, card, cancellationToken);
                    indexRows.Add(new TableTransactionAction(TableTransactionActionType.Add, index));
                    if (indexRows.Count == BatchSize)
                    {
                        await writer.AddAsync(indexTable, indexRows, cancellationToken);
                        indexRows = new List<TableTransactionAction>(BatchSize);
                    }
                    customerSideOrders += customerOrders.Count;
                    customerSideBuyers += customerOrders.Count > 0 ? 1 : 0;
                    customerSideStale += ChangesOvernight(i) ? 1 : 0;
                }
                foreach (var order in customerOrders)
                {
                    var m = MonthIndex(order.PlacedAt);
                    monthRows[m].Add(new TableTransactionAction(TableTransactionActionType.Add, MonthOrderEntity.From(order)));
                    if (monthRows[m].Count == BatchSize)
                    {
                        await writer.AddAsync(monthsTable, monthRows[m], cancellationToken);
                        monthRows[m] = new List<TableTransactionAction>(BatchSize);
                    }
                    lines += order.Lines.Count;
                }
                orders += customerOrders.Count;
                buyers += customerOrders.Count > 0 ? 1 : 0;
                if ((i + 1) % reportEvery == 0)
                {
                    progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  generated {i + 1:N0} of {_size.Customers:N0} customers, {orders:N0} orders; {writer.Entities:N0} rows written in {clock.Elapsed.TotalSeconds:F0} s ({writer.Entities / clock.Elapsed.TotalSeconds:N0}/s)"));
                }
            }
            foreach (var rest in monthRows.Where(r => r.Count > 0))
            {
                await writer.AddAsync(monthsTable, rest, cancellationToken);
            }
            if (indexRows.Count > 0)
            {
                await writer.AddAsync(indexTable, indexRows, cancellationToken);
            }
            foreach (var rest in memberRows.Values.Where(r => r.Count > 0))
            {
                await writer.AddAsync(membersTable, rest, cancellationToken);
            }
        }
        finally
        {
            // On a failure above this surfaces the writers' own error, if they had one.
            await writer.CompleteAsync();
        }

        // No month is marked changed: the bench builds every month of the analytical copy itself.
        return new GeneratedStore(_size.Customers, buyers, orders, lines, _size.CustomerSide, customerSideBuyers, customerSideOrders, customerSideStale,
            writer.Entities, writer.Requests, Months, clock.Elapsed);
    }

    /// <summary>A customer-side customer's rows: the card (with last night's auto-tags), and the tag members (in 100-row batches).</summary>
    private async Task WriteCustomerAsync(
        TableBatchWriter writer, TableClient customersTable, TableClient membersTable, Dictionary<string, List<TableTransactionAction>> memberRows,
        CardEntity card, CancellationToken cancellationToken)
    {
        var tags = card.AutoTagSet();
        await writer.AddAsync(customersTable, [new(TableTransactionActionType.Add, card)], cancellationToken);
        foreach (var tag in tags)
        {
            if (!memberRows.TryGetValue(tag, out var members))
            {
                memberRows[tag] = members = new List<TableTransactionAction>(BatchSize);
            }
            members.Add(new TableTransactionAction(TableTransactionActionType.Add,
                TagMemberEntity.For(tag, card.PartitionKey, _lastNight)));
            if (members.Count == BatchSize)
            {
                await writer.AddAsync(membersTable, members, cancellationToken);
                memberRows[tag] = new List<TableTransactionAction>(BatchSize);
            }
        }
    }

    /// <summary>
    /// Orders per customer, adding up to exactly the store's total: about 8 % never order, the rest
    /// at least one, and the remainder shared by log-normal weights, so a few customers order a lot.
    /// </summary>
    private int[] OrderCounts()
    {
        var weights = new double[_size.Customers];
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] = _random.NextDouble() < 0.08 ? 0 : Math.Exp(0.9 * Gaussian());
        }
        var buyers = weights.Count(w => w > 0);
        if (buyers == 0 || buyers > _size.Orders)
        {
            // Tiny or odd sizes: everyone is a buyer with equal weight.
            Array.Fill(weights, 1.0);
            buyers = weights.Length;
        }
        var extra = _size.Orders - buyers;
        var total = weights.Sum();
        var counts = weights.Select(w => w > 0 ? 1 + (int)Math.Floor(extra * w / total) : 0).ToArray();
        var remainder = _size.Orders - counts.Sum();
        for (var i = 0; remainder > 0; i = (i + 1) % counts.Length)
        {
            if (counts[i] > 0)
            {
                counts[i]++;
                remainder--;
            }
        }
        return counts;
    }

    private (CardEntity Card, CustomerIndexEntity Index, List<Order> Orders) Customer(int n, int orderCount)
    {
        var id = CustomerId(n);
        // Frequent buyers joined early enough to have placed their orders at a few a month at most.
        var joinedMonth = SampleMonth(0, _size.Months);
        if (orderCount > 3 * (_size.Months - joinedMonth))
        {
            joinedMonth = Math.Max(0, _size.Months - (int)Math.Ceiling(orderCount / 3.0));
        }
        var joined = Between(_monthStarts[joinedMonth], _monthStarts[joinedMonth + 1]);
        // Customers drift away: each buys for an active span (about 14 months on average, long
        // enough for their orders at a few a month), so recency spreads as it does in a real store.
        var span = Math.Max((int)Math.Ceiling(orderCount / 3.0), 1 + (int)(-14 * Math.Log(1 - _random.NextDouble())));
        var activeUntil = Math.Min(_size.Months, joinedMonth + span);

        var times = new List<DateTimeOffset>(orderCount);
        if (orderCount > 0)
        {
            var firstEnd = _monthStarts[joinedMonth + 1] < joined.AddDays(7) ? _monthStarts[joinedMonth + 1] : joined.AddDays(7);
            times.Add(Between(joined, firstEnd));
        }
        for (var k = 1; k < orderCount; k++)
        {
            var m = SampleMonth(joinedMonth, activeUntil);
            times.Add(Between(m == joinedMonth ? joined : _monthStarts[m], _monthStarts[m + 1]));
        }
        times.Sort();
        var orders = times.Select(t => NewOrder(id, t)).ToList();
        var metrics = CustomerMetrics.FromOrders(orders);

        var first = FirstNames[_random.Next(FirstNames.Length)];
        var last = LastNames[_random.Next(LastNames.Length)];
        var city = Cities[_random.Next(Cities.Length)];
        var consent = _random.NextDouble() < 0.7;
        var customer = new Customer(
            id, first, last,
            $"{first}.{last}.{n + 1}@example.com".ToLowerInvariant(),
            _random.NextDouble() < 0.6 ? $"+1 432 555 {_random.Next(10_000):D4}" : null,
            [new Address(AddressKind.Shipping, $"{100 + _random.Next(9_900)} {Streets[_random.Next(Streets.Length)]}", null, city.City, city.Region, city.Postal, "US")],
            null, "America/Chicago",
            new MarketingConsent(consent, consent ? joined : null, false, null),
            Tier(metrics.LifetimeValueCents), joined, "storefront", joined, metrics.LastOrderAt ?? joined, "");

        var engagement = new Engagement(
            orderCount * 2 + _random.Next(6), orderCount * 8 + _random.Next(20), orderCount * 4 + _random.Next(10), _random.NextDouble() < 0.1 ? 1 : 0,
            orderCount + _random.Next(4), _random.Next(12), _random.Next(4), metrics.LastOrderAt ?? joined, 0);
        var metricsRow = CardEntity.New(id);
        metricsRow.UpdatedAt = _lastNight;
        metricsRow.SetProfile(customer, metrics.LastOrderAt ?? joined);
        metricsRow.Set(metrics);
        metricsRow.Set(engagement);
        // As the recompute left it (CustomerActivity.RefreshAsync), for the moment the next one runs:
        // auto-tags, health score and churn risk, the score one point off for the customers a day
        // changed; the RFM codes come later, from the analytical copy.
        var health = HealthScore.Compute(metrics, engagement, _stateAt);
        foreach (var tag in AutoTags.For(joined, metrics, health, _stateAt).Order(StringComparer.Ordinal))
        {
            CustomerCard.SetTag(metricsRow, new CardTag(tag, true, "system", _lastNight));
        }
        metricsRow.SetHealth(ChangesOvernight(n) ? health with { Score = health.Score > 1 ? health.Score - 1 : health.Score + 1 } : health);
        return (metricsRow, CustomerIndexEntity.For(customer, (CustomerIndexEntity.All, CustomerIndexEntity.All + "|" + id)), orders);
    }

    private Order NewOrder(string customerId, DateTimeOffset placedAt)
    {
        var sequence = ++_nextOrder;
        var lineCount = _random.NextDouble() switch { < 0.5 => 1, < 0.8 => 2, < 0.95 => 3, _ => 4 };
        var lines = new List<OrderLine>(lineCount);
        for (var attempt = 0; lines.Count < lineCount && attempt < 10; attempt++)
        {
            var product = PickSeasonal(placedAt.Month);
            if (lines.All(l => l.ProductId != product.Id))
            {
                var quantity = _random.NextDouble() switch { < 0.85 => 1, < 0.97 => 2, _ => 3 };
                lines.Add(new OrderLine(product.Id, product.Id, product.Name, product.Category, quantity, product.PriceCents));
            }
        }
        var subtotal = lines.Sum(l => l.TotalCents);
        var (coupon, percent) = _random.NextDouble() < 0.15 ? Coupon(placedAt.Month) : (null, 0);
        var discount = (long)Math.Round(subtotal * percent / 100.0);
        var taxable = subtotal - discount;
        var shipping = taxable >= 10_000 ? 0 : 995;
        var tax = (long)Math.Round(taxable * 0.0825);
        var total = taxable + shipping + tax;

        // A few cancelled, a few refunded in full or in part; the newest still on their way.
        var age = _monthStarts[^1] - placedAt;
        var fate = _random.NextDouble();
        var (status, refunded) = fate switch
        {
            < 0.03 => (OrderStatus.Cancelled, 0L),
            < 0.05 => (OrderStatus.Refunded, total),
            < 0.08 => (OrderStatus.Refunded, Math.Min(total, lines[0].UnitPriceCents)),
            _ when age < TimeSpan.FromDays(3) => (_random.NextDouble() < 0.5 ? OrderStatus.Placed : OrderStatus.Paid, 0L),
            _ when age < TimeSpan.FromDays(10) => (OrderStatus.Shipped, 0L),
            _ => (OrderStatus.Delivered, 0L),
        };
        var times = new Dictionary<OrderStatus, DateTimeOffset> { [OrderStatus.Placed] = placedAt };
        if (status != OrderStatus.Placed)
        {
            times[status] = placedAt.AddDays(status switch { OrderStatus.Cancelled or OrderStatus.Paid => 0.1, OrderStatus.Shipped => 1, OrderStatus.Delivered => 4, _ => 20 });
        }
        var channel = Pick(Channels);
        return new Order(
            "o" + sequence.ToString("D8", CultureInfo.InvariantCulture), (100_000 + sequence).ToString(CultureInfo.InvariantCulture), customerId, placedAt,
            status, times, "USD", lines, subtotal, discount, coupon, shipping, tax, total, refunded, channel);
    }

    private static LoyaltyTier Tier(long lifetimeValueCents) => lifetimeValueCents switch
    {
        >= 200_000 => LoyaltyTier.Platinum,
        >= 100_000 => LoyaltyTier.Gold,
        >= 40_000 => LoyaltyTier.Silver,
        _ => LoyaltyTier.Bronze,
    };

    private (string? Code, int Percent) Coupon(int month) => month switch
    {
        11 or 12 => ("HOLIDAY20", 20),
        3 or 4 or 5 => ("SPRINGBOOTS15", 15),
        _ => _random.NextDouble() < 0.5 ? ("WELCOME10", 10) : ("RODEO10", 10),
    };

    private Product PickSeasonal(int month)
    {
        var category = month switch
        {
            3 or 4 or 5 when _random.NextDouble() < 0.5 => "Boots",
            11 or 12 when _random.NextDouble() < 0.4 => "Hats",
            8 or 9 when _random.NextDouble() < 0.4 => "Workwear",
            _ => null,
        };
        if (category is null)
        {
            return Catalogue[_random.Next(Catalogue.Count)];
        }
        var pool = Catalogue.Where(p => p.Category == category).ToList();
        return pool[_random.Next(pool.Count)];
    }

    private string Pick((string Value, double Weight)[] choices)
    {
        var x = _random.NextDouble();
        foreach (var (value, weight) in choices)
        {
            if ((x -= weight) < 0)
            {
                return value;
            }
        }
        return choices[^1].Value;
    }

    /// <summary>A month index in [<paramref name="from"/>, <paramref name="to"/>), weighted by season and growth.</summary>
    private int SampleMonth(int from, int to)
    {
        var x = _cumulative[from] + _random.NextDouble() * (_cumulative[to] - _cumulative[from]);
        var index = Array.BinarySearch(_cumulative, x);
        var month = index >= 0 ? index : ~index - 1;
        return Math.Clamp(month, from, to - 1);
    }

    private int MonthIndex(DateTimeOffset at) => (at.Year - _monthStarts[0].Year) * 12 + at.Month - _monthStarts[0].Month;

    /// <summary>A whole second in [from, to).</summary>
    private DateTimeOffset Between(DateTimeOffset from, DateTimeOffset to)
    {
        var seconds = (long)((to - from).TotalSeconds * _random.NextDouble());
        var at = from.AddSeconds(seconds);
        return at < to ? at : to.AddSeconds(-1);
    }

    private double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - _random.NextDouble())) * Math.Cos(2 * Math.PI * _random.NextDouble());

    private static List<Product> BuildCatalogue()
    {
        var items = new List<Product>();
        void Add(string category, string prefix, params (string Name, long Cents)[] products)
        {
            foreach (var (name, cents) in products)
            {
                items.Add(new Product($"{prefix}-{items.Count + 1:D4}", name, category, cents));
            }
        }
        Add("Boots", "BT", ("Cattleman Roper Boot", 18_995), ("Ostrich Quill Western Boot", 44_900), ("Square Toe Work Boot", 21_950), ("Snip Toe Cowgirl Boot", 23_900),
            ("Buckaroo Tall Boot", 32_900), ("Waterproof Pull-On Boot", 17_999), ("Kids' Rodeo Boot", 7_995), ("Goat Leather Stockman", 25_900));
        Add("Hats", "HT", ("Pecos Felt Cattleman Hat", 14_900), ("Palm Leaf Straw Hat", 4_995), ("Silverbelly 6X Felt Hat", 28_900), ("Cattle Drive Straw Hat", 6_900),
            ("Gambler Wool Hat", 8_995), ("Trucker Cap with Longhorn Patch", 2_750));
        Add("Workwear", "WW", ("Duck Canvas Chore Coat", 12_900), ("Flame-Resistant Work Shirt", 6_495), ("Ranch Hand Bib Overalls", 8_900), ("Insulated Vest", 7_450),
            ("Leather Work Gloves", 2_495), ("Fleece-Lined Flannel Shirt", 5_400), ("Carpenter Work Pants", 4_995));
        Add("Denim", "DN", ("Bootcut Cowboy Jean", 5_995), ("Slim Straight Rodeo Jean", 6_400), ("Relaxed Fit Work Jean", 4_995), ("Western Denim Jacket", 9_800),
            ("Pearl Snap Denim Shirt", 5_200), ("Women's High Rise Flare Jean", 6_995));
        Add("Accessories", "AC", ("Tooled Leather Belt", 5_495), ("Trophy Buckle, Sterling Finish", 11_900), ("Wild Rag Silk Scarf", 3_400), ("Bolo Tie with Turquoise", 6_800),
            ("Saddle Leather Wallet", 4_500), ("Boot Care Kit", 2_295), ("Horsehair Hat Band", 2_900));
        return items;
    }

    private sealed record Product(string Id, string Name, string Category, long PriceCents);
}
