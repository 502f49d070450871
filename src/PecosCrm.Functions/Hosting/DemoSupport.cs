using PecosCrm.Core.Orders;
using PecosCrm.Core.Shared;
using PecosCrm.Core.Support;

namespace PecosCrm.Functions.Hosting;

/// <summary>
/// What the demo store's support desk holds (seeded by <see cref="DemoSupportSeeder"/>): the
/// knowledge base a western-wear store keeps, and the tickets of a few busy weeks, each a script of
/// its conversation. Text may name the customer (<c>{first}</c>), the order the ticket is about
/// (<c>{order}</c>, <c>{total}</c>, <c>{product}</c>: a line of it, of <see cref="TicketScript.ProductCategory"/>
/// when it has one) and, in a staff message, the staff member writing (<c>{agent}</c>).
/// </summary>
public static class DemoSupport
{
    public const string Manager = "Marla Jennings";
    private const string Marla = Manager;
    private const string Ty = "Ty Redbird";
    private const string Gloria = "Gloria Ybarra";

    /// <summary>The order a ticket is about: none, or the customer's newest order in a given state.</summary>
    public enum OrderNeed
    {
        None,
        Any,
        Delivered,
        InTransit,
        Cancelled,
        Refunded,
    }

    public sealed record ArticleScript(string Key, string Title, string Category, ArticleState State, IReadOnlyList<string> Tags, string Body);

    public sealed record TicketScript(
        string Subject, TicketCategory Category, TicketPriority Priority, TicketChannel Channel, string? Assignee,
        OrderNeed Order, string? ProductCategory, IReadOnlyList<string> Tags, string FirstMessage, IReadOnlyList<Step> Steps);

    /// <summary>One thing that happens to a ticket after it opens; <c>By</c> is the staff member (the assignee, else the manager, when null).</summary>
    public abstract record Step(string? By);

    /// <summary>A step that adds one message to the conversation (what a resumed script counts).</summary>
    public abstract record Message(string Text, string? By) : Step(By);

    /// <summary>A staff reply, emailed to the customer, optionally moving the ticket to <c>Status</c>.</summary>
    public sealed record Reply(string Text, TicketStatus? Status = null, string? By = null) : Message(Text, By);

    public sealed record Note(string Text, string? By = null) : Message(Text, By);

    /// <summary>The customer writes again (reopens a ticket waiting on them or resolved).</summary>
    public sealed record CustomerWrites(string Text) : Message(Text, null);

    public sealed record Change(TicketStatus? Status = null, TicketPriority? Priority = null, string? Assignee = null, string? By = null) : Step(By);

    public sealed record LinkArticle(string Article, string? By = null) : Step(By);

    /// <summary>The customer rates the resolved ticket through the survey link.</summary>
    public sealed record Rate(int Rating, string? Comment) : Step((string?)null);

    /// <summary>Whether <paramref name="order"/> is one the ticket can be about.</summary>
    public static bool Fits(TicketScript script, Order order)
    {
        var state = script.Order switch
        {
            OrderNeed.None => false,
            OrderNeed.Any => true,
            OrderNeed.Delivered => order.Status == OrderStatus.Delivered && order.RefundedCents == 0,
            OrderNeed.InTransit => order.Status is OrderStatus.Placed or OrderStatus.Paid or OrderStatus.Shipped,
            OrderNeed.Cancelled => order.IsCancelled,
            OrderNeed.Refunded => order.RefundedCents > 0 && !order.IsCancelled,
            _ => throw new ArgumentOutOfRangeException(nameof(script), script.Order, "No such order need."),
        };
        return state && (script.ProductCategory is null || order.Lines.Any(l => l.Category == script.ProductCategory));
    }

    /// <summary>
    /// What is left of a ticket's script when its conversation holds <paramref name="messages"/>
    /// messages, the first being the description: the steps after the last message written. A step
    /// that writes no message and follows that message may have run already, so the seeder checks
    /// the ticket before it runs one.
    /// </summary>
    public static IEnumerable<Step> Remaining(TicketScript script, int messages)
    {
        var written = 1;
        foreach (var step in script.Steps)
        {
            var before = written;
            if (step is Message)
            {
                written++;
            }
            if (step is Message ? written > messages : before >= messages)
            {
                yield return step;
            }
        }
    }

    /// <summary>The values a ticket's text is filled with.</summary>
    public static IReadOnlyDictionary<string, string> Values(string firstName, Order? order, string? productCategory)
    {
        var line = order?.Lines.FirstOrDefault(l => l.Category == productCategory) ?? order?.Lines.FirstOrDefault();
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["{first}"] = firstName,
            ["{order}"] = order?.Number ?? "",
            ["{total}"] = order is null ? "" : Money.Format(order.TotalCents, order.Currency),
            ["{product}"] = line?.Name ?? "the item",
        };
    }

    public static string Fill(string text, IReadOnlyDictionary<string, string> values, string? agent) =>
        values.Aggregate(text, (t, v) => t.Replace(v.Key, v.Value, StringComparison.Ordinal)).Replace("{agent}", agent ?? "The Pecos River Traders team", StringComparison.Ordinal);

    public static IReadOnlyList<ArticleScript> Articles { get; } =
    [
        new("boot-sizing", "Boot sizing and fit: finding your size", "sizing", ArticleState.Published, ["boots", "sizing", "fit", "width"],
            """
            Western boots fit differently from sneakers and dress shoes, so the size you wear in those is a starting point, not the answer. Most of our customers wear a half size down from their athletic shoe size in a cowboy boot; in a square-toe work boot, stay with your usual size.

            A good fit feels snug across the ball of the foot (the instep), with your toes free to wiggle. When you walk, your heel should lift about a quarter to half an inch inside the boot: that slip goes away as the leather sole flexes and the heel counter shapes to you. No heel slip at all usually means the boot is too short; a lot of slip with a loose instep means it is too long.

            Widths: B is a women's standard, D is men's standard, EE is wide and EEE extra wide. If the boot pinches across the ball but the length is right, go up a width, not a size. Our Cattleman Roper and Square Toe Work Boot come in D and EE; the Buckaroo Tall Boot comes in regular and wide calf.

            Try new boots on in the afternoon, when feet are at their largest, with the socks you will wear them with, and walk on carpet so the soles stay clean: boots with worn soles cannot be returned. If you are between sizes, call us at (432) 555-0147 and tell us what you wear in other brands; we measure every boot we sell.
            """),
        new("breaking-in", "Breaking in new cowboy boots", "boot care", ArticleState.Published, ["boots", "break-in", "leather"],
            """
            Leather boots are built to mould to your foot, and most take one to two weeks of regular wear to feel like they were made for you. Expect the instep to feel tight and the heel to slip a little at first; both settle as the leather gives and the sole learns to flex.

            Start by wearing them around the house for an hour or two a day, then for short errands. Thick boot socks help the leather stretch where you need it. A leather conditioner on the vamp (the top of the foot) softens it, but don't soak the boots or use water to speed things up: wet leather stretches unevenly and can crack as it dries.

            A hard leather sole can be slick for the first few days. Walking on rough concrete or scuffing the soles lightly with sandpaper gives them grip.

            If a spot still rubs after two weeks, or your toes are pressed against the end, the size is probably wrong rather than the break-in unfinished. Contact us within the return window and we'll help you exchange them (see Returns and exchanges).
            """),
        new("hat-sizing", "Hat sizing: measuring your head and reading hat sizes", "sizing", ArticleState.Published, ["hats", "sizing", "felt", "straw"],
            """
            To find your hat size, wrap a soft tape measure around your head where the hat will sit: about an eighth of an inch above your eyebrows and ears, across the widest part at the back. Keep the tape level and snug, not tight. Measure twice and use the larger number.

            Convert the measurement with this chart: 21 5/8 in is 6 7/8; 22 in is 7; 22 3/8 in is 7 1/8; 22 3/4 in is 7 1/4; 23 1/8 in is 7 3/8; 23 1/2 in is 7 1/2; 23 7/8 in is 7 5/8. Our straw hats also come in S (6 3/4 to 6 7/8), M (7 to 7 1/8), L (7 1/4 to 7 3/8) and XL (7 1/2 to 7 5/8).

            Head shape matters as much as size: most heads are oval, and a round head may find an oval hat pinches at the sides. A felt hat that is slightly large can be fitted with foam sizing tape behind the sweatband; we include a roll with every felt hat. A hat that is too small will give you a headache and cannot be stretched more than a quarter size.

            Between sizes? Take the larger one and add sizing tape, or call us: we'll check the actual inside measurement of the hat you want.
            """),
        new("hat-care", "Caring for felt and straw hats", "care", ArticleState.Published, ["hats", "care", "felt", "straw"],
            """
            Handle a hat by the brim, not the crown: pinching the crown to lift it wears the felt and cracks straw over time. Set it upside down on its crown, or on a hat rack, so the brim keeps its shape.

            Felt: brush it with a soft hat brush counter-clockwise, starting at the front, to lift dust. A felt hat can take a light rain; shake off the water, turn the sweatband out and let it dry at room temperature, away from heaters and dashboards. Heat is what shrinks felt and loosens the glue in the sweatband. Spots come out with a dry sponge; for sweat stains, talk to us before trying anything.

            Straw: palm leaf and shantung straws are lighter and shaded for summer, but they don't like water. If a straw gets wet and loses its shape, reshape the brim by hand while damp and let it dry on a flat surface. A straw that is bent hard or crushed will crack.

            We reshape and re-crease hats bought from us for free at the store in Pecos, and for the cost of shipping by mail.
            """),
        new("leather-care", "Leather care: cleaning and conditioning boots and belts", "care", ArticleState.Published, ["leather", "boots", "belts", "care"],
            """
            Clean before you condition. Brush off dust and dried mud with a horsehair brush, then wipe the boot with a damp cloth. Let it dry naturally, with boot trees or newspaper inside to hold the shape, never by a heater or in the sun.

            Condition smooth leather every few months, or when it looks dry or pale: work a small amount of conditioner in with a soft cloth, let it soak in for twenty minutes, and buff off the rest. Our Boot Care Kit has a cleaner, a conditioner, a horsehair brush and a dauber. Goat and cowhide take the same care; roughout and suede want a suede brush and eraser instead, no conditioner.

            Polish adds colour and shine and protects the surface. Match the colour, or use neutral. Use it sparingly on the vamp, where boots crease.

            Belts and wallets need the same conditioner once or twice a year. Keep leather out of plastic bags: it needs to breathe, and stored damp it grows mildew.
            """),
        new("returns", "Returns and exchanges", "returns", ArticleState.Published, ["returns", "exchanges", "refunds"],
            """
            You can return or exchange anything bought from us within 60 days of delivery, as long as it is unworn and in its original condition and packaging. For boots, that means clean, unmarked soles: please try boots on indoors on carpet. Gifts bought in November and December can be returned until January 31.

            To start a return, sign in to your account, open the order and choose Return or exchange, or reply to your shipping confirmation email. We email you a prepaid return label. Exchanges ship free both ways, and we send the new size as soon as your return is scanned by the carrier. For refunds, the $7.95 label cost is taken off the refund, unless the item was faulty or we sent the wrong thing.

            Refunds go back to the original payment method within two business days of the return reaching us; your bank may take another three to five days to show it. Gift card purchases are refunded to a gift card.

            Some items can't be returned: hats that have been custom creased or fitted, engraved buckles and personalised items, and anything marked final sale. Loyalty points earned on returned items are taken back.
            """),
        new("shipping", "Shipping times and tracking your order", "shipping", ArticleState.Published, ["shipping", "tracking", "delivery"],
            """
            Orders placed before 1 pm Central time on a business day ship the same day from our warehouse in Pecos, Texas; later orders ship the next business day. Standard shipping takes 3 to 7 business days and is free on orders of $100 or more; below that it is $9.95. Two-day shipping is $19.95 and overnight $34.95 (order by 1 pm Central).

            When your order ships, we email you the carrier and tracking number; the same link is on the order in your account. Tracking can take up to 24 hours to show movement after the label is created.

            If tracking says delivered but you can't find the package, check with neighbours and around the property, and wait one more day: carriers sometimes scan early. Then contact us and we'll open a claim with the carrier and, for most orders, send a replacement without waiting for the claim to be settled.

            We ship to all 50 states and APO/FPO addresses. We don't ship internationally yet.
            """),
        new("order-changes", "Changing or cancelling an order", "orders", ArticleState.Published, ["orders", "cancellation", "address"],
            """
            You can change or cancel an order yourself for one hour after placing it: sign in, open the order, and choose Change or Cancel. After that, our warehouse may already be packing it, so please call us at (432) 555-0147 or use the contact form as soon as possible. We can usually still change the size, colour or shipping address until the order is packed, which is most often the same afternoon.

            Once an order has shipped, it can't be cancelled, but you can return it unopened for a full refund (see Returns and exchanges). If the address was wrong, we can ask the carrier to redirect the package, though they don't always manage it.

            A cancelled order is never charged: the card authorization is released straight away, though some banks show it as pending for up to five business days.
            """),
        new("gift-cards", "Gift cards: buying, redeeming and checking a balance", "billing", ArticleState.Published, ["gift cards", "billing", "payment"],
            """
            Gift cards come in any amount from $25 to $500, as an e-gift card emailed on the date you choose, or as a printed card in a gift box, mailed free with standard shipping. They never expire and carry no fees.

            To redeem one, enter the 16-digit number and PIN at checkout under Gift card or promo code. If the order costs more than the balance, pay the rest with a card; what is left on a gift card stays on it for next time. Check a balance at checkout, or call us.

            A gift card can't be used to buy another gift card, and it can't be exchanged for cash, except where state law requires. If a gift card is lost or stolen, we can replace the remaining balance when you have the order number or the receipt.

            Gift card and promo codes can be used together, but only one promo code per order.
            """),
        new("warranty", "Our warranty on stitching and soles", "warranty", ArticleState.Published, ["warranty", "boots", "repairs"],
            """
            Every pair of boots we sell is guaranteed against defects in materials and workmanship for one year from delivery. That covers stitching that comes undone, soles or welts that separate from the upper, heels that come loose, and pull straps that tear out. If that happens, we repair or replace the pair, or refund it if the style is no longer made, and we pay shipping both ways.

            The warranty doesn't cover normal wear: soles and heel caps that wear down, creasing and scuffs, or damage from water, heat, chemicals or the wrong size. It doesn't cover boots that have been resoled or altered elsewhere.

            To make a claim, send us the order number and photos of the problem through the contact form, or reply to your order email. Most claims are decided within two business days, and we send a prepaid label for the boots.

            Our welted boots can be resoled; ask us about our resoling service once the soles wear thin.
            """),
        new("wholesale", "Wholesale and ranch crew accounts", "accounts", ArticleState.Published, ["wholesale", "business", "tax exempt"],
            """
            We sell wholesale to western stores, feed and farm supply stores, and rodeo and event outfitters, and we keep crew accounts for ranches, oil field and construction outfits that buy workwear and boots for their hands.

            To apply, fill in the wholesale form on our site with your business name, tax ID and resale certificate (or agricultural exemption certificate for ranch purchases). We usually answer within three business days. Opening orders start at $500; after that there is no minimum. Prices step down with your yearly volume, and approved accounts can pay on net 30 terms.

            Crew accounts get 15% off workwear and boots for orders of six pieces or more, with embroidery of your brand or logo available on shirts and jackets for a setup fee.

            Your account manager can be reached directly by email and sees every order you place, so they can help with sizing runs and restocks.
            """),
        new("loyalty", "Rewards: earning and redeeming points", "loyalty", ArticleState.Published, ["loyalty", "points", "rewards", "tiers"],
            """
            Every customer with an account earns points: one point per dollar spent on merchandise after discounts, 50 extra on your first order, double points in your birthday month, 25 for each product review, and 100 when a friend you refer places their first order.

            Points from an order are pending for 14 days and then ready to spend. Returned items take their points back. Points expire after a year without a purchase; we email you a month before.

            Your tier follows what you have spent with us: Silver from $250, Gold from $500 and Platinum from $1,000. Higher tiers earn more on every purchase: Silver 1.25 times, Gold 1.5 times and Platinum twice the points.

            Redeem points for discount codes from the rewards page in your account. Codes work on the next order and can be combined with a gift card, but not with another promo code.
            """),
        new("resoling", "Resoling and boot repair service", "warranty", ArticleState.Draft, ["repairs", "resole", "boots"],
            """
            Welted boots (all our Cattleman, Stockman and work boots) can be resoled two or three times over their life. Our cobbler replaces leather soles for $95, rubber work soles for $85 and heel caps for $20, and conditions and polishes every pair before sending it back.

            Send the boots cleaned, with the form from the repair page. Turnaround is about three weeks. Exotic leathers need a quote first.
            """),
        new("exotics", "Caring for exotic leathers: ostrich, caiman and python", "care", ArticleState.Draft, ["exotics", "ostrich", "care"],
            """
            Exotic leathers need gentler care than cowhide. Use only a conditioner made for exotics, sparingly, and never on python or other scaled skins without testing a hidden spot. Brush ostrich quills lightly; a stiff brush can catch and lift them.

            Keep exotic boots away from water and heat, and store them with boot trees.
            """),
    ];

    private static readonly Rate Delighted = new(5, "Quick and friendly. Will shop again.");

    public static IReadOnlyList<TicketScript> Tickets { get; } =
    [
        new("Boots a half size too small: exchange from order #{order}", TicketCategory.Return, TicketPriority.Medium, TicketChannel.Form, Gloria, OrderNeed.Delivered, "Boots", ["exchange", "sizing"],
            "Hi, the {product} I ordered are too tight across the top of my foot and my toes touch the end. I normally wear a 10 in sneakers. Can I swap them for a 10.5? I only wore them on carpet.",
            [
                new LinkArticle("returns"),
                new Reply("Hi {first},\n\nSorry they pinch! I've started the exchange for a 10.5 and emailed you a prepaid label. As soon as the carrier scans your return we'll send the new pair, so you won't be without boots for long.\n\n{agent}", TicketStatus.PendingCustomer),
                new CustomerWrites("Dropped them off at the UPS store this morning. Thanks!"),
                new Reply("Your return is scanned and the 10.5s left our warehouse today. Tracking is in your shipping email. Enjoy them!\n\n{agent}", TicketStatus.Resolved),
                new Rate(5, "Gloria made the swap painless."),
            ]),
        new("Where is order #{order}?", TicketCategory.Shipping, TicketPriority.High, TicketChannel.Email, Ty, OrderNeed.InTransit, null, ["tracking"],
            "I placed order #{order} a few days ago and the tracking link still says label created. I need the {product} before next weekend. Can you check on it?",
            [
                new Reply("Hi {first},\n\nThanks for writing. The order left our warehouse the day after you placed it; sometimes the carrier doesn't scan the package until it reaches their hub. I'm keeping an eye on it and will write again tomorrow.\n\n{agent}", TicketStatus.PendingCustomer),
                new CustomerWrites("It still says label created this morning. Getting worried."),
                new Note("Called UPS: package is at the Odessa hub, missed the origin scan. Expected delivery Thursday. If no movement by tomorrow afternoon, reship by 2-day."),
                new Reply("Good news: UPS found it at their Odessa hub. It missed its first scan, which is why tracking didn't move. It's due Thursday. If it isn't moving by tomorrow afternoon I'll send a second one by 2-day shipping at our cost.\n\n{agent}"),
            ]),
        new("Which size in the Silverbelly 6X Felt Hat?", TicketCategory.Product, TicketPriority.Low, TicketChannel.Chat, Gloria, OrderNeed.None, null, ["hats", "sizing", "pre-sale"],
            "Looking at the Silverbelly 6X Felt Hat. My head measures 22 7/8 inches. Is that a 7 1/4 or a 7 3/8?",
            [
                new LinkArticle("hat-sizing"),
                new Reply("Hi {first}! 22 7/8 is right between the two. I'd go with the 7 3/8 and use the sizing tape that comes in the box: a felt hat can be made a touch smaller, never bigger. Our sizing guide has the whole chart.\n\n{agent}", TicketStatus.Resolved),
                new Rate(4, "Helpful. The size chart could be on the product page."),
            ]),
        new("Charged twice for order #{order}", TicketCategory.Billing, TicketPriority.Urgent, TicketChannel.Phone, Marla, OrderNeed.Any, null, ["payment"],
            "My bank statement shows two charges of {total} for order #{order}. I only placed it once. Please refund one of them today.",
            [
                new Note("Payment processor shows one capture and one authorization for the same amount. The authorization should drop off within 3-5 business days."),
                new Reply("Hi {first},\n\nThanks for your patience on the phone. Only one of the two charges was taken; the other is a hold your bank places when the card is checked, and it falls off on its own within five business days. If it is still there on Monday, write back and I'll call the bank with you.\n\n{agent}", TicketStatus.PendingCustomer),
                new CustomerWrites("My bank says both charges have posted, not pending. I'd like this fixed please."),
            ]),
        new("Refund for returned order #{order} not received yet", TicketCategory.Billing, TicketPriority.High, TicketChannel.Email, Ty, OrderNeed.Refunded, null, ["refund"],
            "I returned part of order #{order} two weeks ago and haven't seen the refund on my card yet. Can you tell me when it went through?",
            [
                new Reply("Hi {first},\n\nYour refund went back to the card you paid with the day your return arrived here. Banks take three to five business days to show it, so it should be on your statement by now or within a day or two. Let me know if it isn't.\n\n{agent}", TicketStatus.Resolved),
                new CustomerWrites("Found it, it posted yesterday. Thanks for checking."),
                new Reply("Glad it showed up. Have a good week!\n\n{agent}", TicketStatus.Resolved),
                new Rate(5, "Straight answer, fast."),
                new Change(Status: TicketStatus.Closed),
            ]),
        new("Sole coming away on my {product}", TicketCategory.Product, TicketPriority.High, TicketChannel.Form, Gloria, OrderNeed.Delivered, "Boots", ["warranty"],
            "The sole on my left boot is separating at the toe after about four months. I wear them to work most days but take care of them. Is this covered?",
            [
                new Reply("Hi {first},\n\nThat shouldn't happen in four months. Could you reply with a photo of the toe from the side and one of the sole, so I can get the warranty claim going?\n\n{agent}", TicketStatus.PendingCustomer),
                new CustomerWrites("Photos sent from my phone to your email. The gap is about an inch long."),
                new Note("Photos checked: welt stitching broke at the toe, clear manufacturing defect. Approved under warranty, replacement pair from stock."),
                new LinkArticle("warranty"),
                new Reply("Thanks for the photos. This is covered by our warranty, so a new pair is on its way today, and I've emailed a prepaid label for the old ones. No need to wait for them to reach us.\n\n{agent}", TicketStatus.Resolved),
                new Rate(5, "Stood behind their product. That's why I buy here."),
                new Change(Status: TicketStatus.Closed),
            ]),
        new("Change the shipping address on order #{order}", TicketCategory.Order, TicketPriority.High, TicketChannel.Chat, Ty, OrderNeed.InTransit, null, ["address"],
            "I just moved and order #{order} is going to my old address. Can you change it before it ships?",
            [
                new LinkArticle("order-changes"),
                new Reply("Hi {first}, caught it! The order hadn't been packed yet, so I've changed the address to the new one you gave me. You'll get tracking when it leaves.\n\n{agent}", TicketStatus.Resolved),
                new Rate(5, "Fast!"),
            ]),
        new("Please cancel order #{order}", TicketCategory.Order, TicketPriority.Medium, TicketChannel.Email, null, OrderNeed.InTransit, null, ["cancellation"],
            "Please cancel order #{order}. I ordered the wrong {product} and will place a new order.",
            [
                new CustomerWrites("Following up on my email: please cancel before it ships. Thank you."),
                new Change(Priority: TicketPriority.High),
            ]),
        new("Gift card won't apply at checkout", TicketCategory.Billing, TicketPriority.Medium, TicketChannel.Form, null, OrderNeed.None, null, ["gift card"],
            "I got a gift card for my birthday but when I enter the number at checkout it says invalid code. I typed it three times. Help?",
            []),
        new("Wholesale account for our feed store", TicketCategory.Other, TicketPriority.Medium, TicketChannel.Email, Marla, OrderNeed.None, null, ["wholesale"],
            "We run a feed and farm supply store outside of Roswell and want to carry your work boots and hats. How do we set up a wholesale account?",
            [
                new LinkArticle("wholesale"),
                new Reply("Hi {first},\n\nWe'd love to have you. Opening orders start at $500, and approved accounts get net 30 terms. Could you send us your resale certificate and tax ID? I'll set up the account and send our wholesale price list.\n\n{agent}", TicketStatus.PendingCustomer),
            ]),
        new("Do the Ostrich Quill Western Boots run narrow?", TicketCategory.Product, TicketPriority.Low, TicketChannel.Chat, Gloria, OrderNeed.None, null, ["boots", "sizing", "pre-sale"],
            "Thinking about the Ostrich Quill Western Boots. I have a wide-ish foot. Do they run narrow?",
            [
                new LinkArticle("boot-sizing"),
                new Reply("Hi {first}! They're true to length but snug across the ball of the foot at first: ostrich softens a lot in the first couple of weeks. With a wide foot I'd take the EE in your usual boot size.\n\n{agent}", TicketStatus.Resolved),
                new Rate(4, "Helpful, wish the site said so."),
                new Change(Status: TicketStatus.Closed),
            ]),
        new("Hat crushed in shipping, order #{order}", TicketCategory.Shipping, TicketPriority.High, TicketChannel.Phone, Ty, OrderNeed.Delivered, "Hats", ["damaged", "carrier-claim"],
            "The box for order #{order} arrived caved in, and the {product} inside is crushed at the crown. It was meant to be a gift.",
            [
                new Note("Customer texted photos of the box and hat. Carrier claim filed with UPS. Replacement sent by 2-day, no return needed."),
                new Reply("Hi {first},\n\nSo sorry your hat arrived like that. A new one left today by 2-day shipping; please keep or donate the crushed one, there's no need to send it back.\n\n{agent}", TicketStatus.Resolved),
                Delighted,
                new Change(Status: TicketStatus.Closed),
            ]),
        new("Points missing from order #{order}", TicketCategory.Other, TicketPriority.Low, TicketChannel.Form, Gloria, OrderNeed.Delivered, null, ["loyalty"],
            "My rewards balance didn't go up after my last order #{order}. Did I lose the points?",
            [
                new LinkArticle("loyalty"),
                new Reply("Hi {first},\n\nYour points are there: points from an order stay pending for 14 days, then they move to your spendable balance. The rewards page in your account shows both.\n\n{agent}", TicketStatus.Resolved),
                new Rate(3, "OK, but the site should show pending points more clearly."),
            ]),
        new("Wrong color belt received", TicketCategory.Return, TicketPriority.Medium, TicketChannel.Email, Ty, OrderNeed.Delivered, "Accessories", ["wrong item"],
            "I ordered the {product} in brown and got black. Can you send the right one?",
            [
                new Reply("Hi {first},\n\nThat's our mistake, sorry. The brown one ships today, and I've emailed a prepaid label for the black one. Could you send it back within two weeks?\n\n{agent}", TicketStatus.PendingCustomer),
            ]),
        new("Breaking in my new {product}", TicketCategory.Product, TicketPriority.Low, TicketChannel.Email, Gloria, OrderNeed.Delivered, "Boots", ["break-in"],
            "My new boots feel stiff and my heel slips when I walk. Is that normal or are they too big?",
            [
                new LinkArticle("breaking-in"),
                new Reply("Hi {first},\n\nA little heel slip is normal in new boots: it settles as the sole starts to flex. Wear them a couple of hours a day for the first week or two. If your toes touch the end, or the slip is more than half an inch, let us know and we'll exchange them.\n\n{agent}", TicketStatus.Resolved),
                Delighted,
                new Change(Status: TicketStatus.Closed),
            ]),
        new("Package marked delivered but not here", TicketCategory.Shipping, TicketPriority.Urgent, TicketChannel.Phone, Marla, OrderNeed.Delivered, null, ["carrier-claim", "lost package"],
            "Tracking for order #{order} says it was delivered yesterday, but there is nothing at the door and my neighbors haven't seen it.",
            [
                new Note("Asked customer to check with neighbors and wait 24h. Claim opened with the carrier."),
                new Reply("Hi {first},\n\nI've opened a claim with the carrier. Packages marked delivered sometimes turn up a day later; if it hasn't by tomorrow evening, let me know and I'll send a replacement by overnight shipping.\n\n{agent}", TicketStatus.PendingCustomer),
                new CustomerWrites("Nothing turned up. Neighbors haven't seen it either."),
                new Reply("Thanks for checking. A replacement is going out overnight today, and you'll have tracking within the hour.\n\n{agent}", TicketStatus.InProgress),
            ]),
        new("Work shirts for our ranch crew", TicketCategory.Other, TicketPriority.Medium, TicketChannel.Phone, Marla, OrderNeed.None, null, ["wholesale", "crew"],
            "I need 20 Flame-Resistant Work Shirts and 20 Insulated Vests for my crew, with our ranch brand embroidered on them. What would that cost?",
            [
                new Note("Quoted crew pricing: 15% off, embroidery setup $45 plus $6 per piece. Needs sizes by Friday."),
                new LinkArticle("wholesale"),
                new Reply("Hi {first},\n\nThanks for the call. As promised: crew pricing is 15% off both items, and embroidery of your brand is a $45 setup plus $6 a piece. Send me the size run and I'll put the order in.\n\n{agent}", TicketStatus.Resolved),
                new Change(Status: TicketStatus.Closed),
            ]),
        new("Hat too big, which size for the exchange?", TicketCategory.Return, TicketPriority.Medium, TicketChannel.Form, Gloria, OrderNeed.Delivered, "Hats", ["exchange", "sizing"],
            "The {product} sits down on my ears. I ordered a 7 1/4. What should I exchange it for?",
            [
                new LinkArticle("hat-sizing"),
                new Reply("Hi {first},\n\nCould you measure around your head, just above the ears, and send me the number? Then I'll pick the right size and start the exchange.\n\n{agent}", TicketStatus.PendingCustomer),
                new CustomerWrites("22 3/8 inches."),
                new Reply("That's a 7 1/8. The exchange is started and the label is in your email.\n\n{agent}", TicketStatus.Resolved),
                new Rate(4, null),
            ]),
        new("Promo code didn't apply", TicketCategory.Billing, TicketPriority.Low, TicketChannel.Chat, Ty, OrderNeed.Any, null, ["promo code"],
            "The BOOTSEASON code didn't take anything off order #{order}.",
            [
                new Reply("Hi {first}! That code doesn't work on clearance items, which is why it didn't apply. Since the banner didn't say so, I've sent you a $20 store credit code instead.\n\n{agent}", TicketStatus.Resolved),
                new Change(Status: TicketStatus.Closed),
            ]),
        new("Order #{order} was cancelled: was I charged?", TicketCategory.Billing, TicketPriority.Medium, TicketChannel.Email, Gloria, OrderNeed.Cancelled, null, ["cancellation", "payment"],
            "I cancelled order #{order} but see a pending charge of {total}. Will it go away?",
            [
                new LinkArticle("order-changes"),
                new Reply("Hi {first},\n\nYes: the order was cancelled before it was charged. What you see is the card authorization, and your bank releases it within five business days.\n\n{agent}", TicketStatus.Resolved),
                Delighted,
                new Change(Status: TicketStatus.Closed),
            ]),
        new("Kids' Rodeo Boots for a growing 6-year-old", TicketCategory.Product, TicketPriority.Low, TicketChannel.Form, null, OrderNeed.None, null, ["kids", "pre-sale"],
            "My son is 6 and wears a kids' 12. Should I size up in the Kids' Rodeo Boot so he gets a season out of them?",
            []),
        new("Hemming the Bootcut Cowboy Jean?", TicketCategory.Product, TicketPriority.Low, TicketChannel.Inbox, Ty, OrderNeed.None, null, ["denim", "pre-sale"],
            "Do you hem jeans? I need a 29 inseam.",
            [
                new Reply("Hi {first},\n\nWe don't hem in house, sorry. The Bootcut Cowboy Jean comes in inseams from 30 to 38; a 30 hemmed by a local tailor usually runs about $15.\n\n{agent}", TicketStatus.Resolved),
                new Change(Status: TicketStatus.Closed),
            ]),
        new("Need my boots by Saturday for a wedding", TicketCategory.Shipping, TicketPriority.Urgent, TicketChannel.Phone, Ty, OrderNeed.InTransit, null, ["expedite"],
            "I chose standard shipping on order #{order}, but I need the boots by Saturday for my wedding. Can you speed it up?",
            [
                new Note("Upgraded to overnight at no charge, Marla OK'd it."),
                new Reply("Hi {first},\n\nCongratulations! I've upgraded order #{order} to overnight shipping at no cost. You'll get tracking this afternoon and it will be there Friday.\n\n{agent}", TicketStatus.Resolved),
                new Rate(5, "Saved the day. Thank you Ty!"),
            ]),
        new("Return label never arrived", TicketCategory.Return, TicketPriority.Medium, TicketChannel.Email, null, OrderNeed.Delivered, null, ["returns", "label"],
            "I requested a return for order #{order} three days ago and never got the label. I checked spam.",
            [
                new CustomerWrites("Still no label. Is anyone there?"),
                new Change(Priority: TicketPriority.High),
            ]),
        new("Conditioner for goat leather boots", TicketCategory.Product, TicketPriority.Low, TicketChannel.Chat, Gloria, OrderNeed.None, null, ["leather care"],
            "What should I use on Goat Leather Stockman boots? They look dry.",
            [
                new LinkArticle("leather-care"),
                new Reply("Hi {first}! Clean them first with a damp cloth, let them dry, then a thin coat of leather conditioner, buffed off after 20 minutes. The Boot Care Kit has everything you need.\n\n{agent}", TicketStatus.Resolved),
                Delighted,
                new Change(Status: TicketStatus.Closed),
            ]),
        new("Invoice needs our company name", TicketCategory.Billing, TicketPriority.Low, TicketChannel.Email, Marla, OrderNeed.Any, null, ["invoice"],
            "Could you reissue the invoice for order #{order} with our company name, Double J Cattle Co., for our books?",
            [
                new Reply("Hi {first},\n\nDone: the corrected invoice with Double J Cattle Co. is attached to your order in your account.\n\n{agent}", TicketStatus.Resolved),
                new Change(Status: TicketStatus.Closed),
            ]),
        new("Straw hat lost its shape after rain", TicketCategory.Product, TicketPriority.Medium, TicketChannel.Form, Gloria, OrderNeed.Delivered, "Hats", ["hat care"],
            "Got caught in the rain and now the brim of my {product} is floppy and wavy. Can it be fixed?",
            [
                new LinkArticle("hat-care"),
                new Reply("Hi {first},\n\nUsually yes. While it's still a bit damp, shape the brim by hand and let it dry flat, crown up, away from heat. If it doesn't come back, send it to us and we'll reshape it for the cost of shipping. Would you like a label?\n\n{agent}", TicketStatus.PendingCustomer),
            ]),
        new("Stop the texts, keep order emails", TicketCategory.Other, TicketPriority.Low, TicketChannel.Email, Ty, OrderNeed.None, null, ["preferences"],
            "Please stop the marketing text messages. I still want order and shipping emails.",
            [
                new Reply("Hi {first},\n\nDone: no more marketing texts. Order and shipping emails will keep coming. You can change this any time from the preferences link at the bottom of our emails.\n\n{agent}", TicketStatus.Resolved),
                new Rate(4, null),
            ]),
        new("Order #{order} went to my old address", TicketCategory.Shipping, TicketPriority.High, TicketChannel.Inbox, Ty, OrderNeed.Delivered, null, ["address", "carrier-claim"],
            "Tracking says order #{order} was delivered to my old address in another town. The new owners aren't answering.",
            [
                new Reply("Hi {first},\n\nSorry about this. I've asked the carrier to contact the delivery address, and I'm checking whether the old address was on your account. I'll update you by tomorrow.\n\n{agent}"),
                new Note("Old address still saved as the default on the account; customer changed it after ordering. Not our error, but offer a 50% reshipment discount if the carrier can't recover it."),
            ]),
        new("Exchange boots for a wider width", TicketCategory.Return, TicketPriority.Medium, TicketChannel.Form, Gloria, OrderNeed.Delivered, "Boots", ["exchange", "width"],
            "The {product} are the right length but pinch across the ball of my foot. Can I get the same size in a wide?",
            [
                new LinkArticle("boot-sizing"),
                new Reply("Hi {first},\n\nSure: the EE is in stock in your size. I've emailed a prepaid label and the wide pair ships as soon as yours is scanned.\n\n{agent}", TicketStatus.PendingCustomer),
                new CustomerWrites("Shipped them back today. Tracking ends in 4471."),
                new Note("Watch for the return scan, then release the EE pair."),
            ]),
        new("Complaint about a phone call", TicketCategory.Other, TicketPriority.High, TicketChannel.Email, Marla, OrderNeed.None, null, ["complaint"],
            "I called on Tuesday about a return and waited 40 minutes on hold, then the person I spoke to was short with me. Not what I expect from you.",
            [
                new Note("Holiday call volume; reviewed the call with the team. Offer a $20 credit."),
                new Reply("Hi {first},\n\nI'm sorry: that's not how we want anyone treated, and the wait was far too long. I've talked with the team, and added a $20 credit to your account for the trouble. Your return is processed.\n\n{agent}", TicketStatus.Resolved),
                new Rate(2, "Appreciate the credit, but 40 minutes on hold is too long."),
            ]),
        new("How long does buckle engraving take?", TicketCategory.Product, TicketPriority.Low, TicketChannel.Form, null, OrderNeed.None, null, ["engraving", "pre-sale"],
            "I'd like the Trophy Buckle engraved with initials for my husband's birthday on the 20th. How long does engraving take?",
            []),
        new("Charged sales tax on a ranch purchase", TicketCategory.Billing, TicketPriority.Medium, TicketChannel.Email, Ty, OrderNeed.Any, null, ["tax"],
            "Order #{order} was charged sales tax, but it's for our ranch. Can that be refunded?",
            [
                new Reply("Hi {first},\n\nWe collect sales tax wherever the law requires it. If the ranch is tax exempt, we can refund the tax once we have the exemption certificate on file.\n\n{agent}", TicketStatus.PendingCustomer),
                new CustomerWrites("We have an agricultural exemption number. Where do I send the certificate?"),
                new Change(Assignee: Marla, By: Ty),
                new Note("Ag exemption: Marla handles certificates. Reassigned.", By: Ty),
            ]),
        new("Heel caps worn: warranty?", TicketCategory.Product, TicketPriority.Low, TicketChannel.Email, Gloria, OrderNeed.Delivered, "Boots", ["warranty", "repairs"],
            "The heel caps on my {product} are worn down after a year of riding. Are they covered under warranty?",
            [
                new LinkArticle("warranty"),
                new Reply("Hi {first},\n\nHeel caps wear down with use, so the warranty doesn't cover them, but they are quick to replace: any cobbler can do it for about $20, or we can when our repair service opens this spring.\n\n{agent}", TicketStatus.Resolved),
                new Rate(3, "Fair enough."),
                new Change(Status: TicketStatus.Closed),
            ]),
        new("Checkout error on the website", TicketCategory.Other, TicketPriority.High, TicketChannel.Chat, null, OrderNeed.None, null, ["website"],
            "I keep getting 'Something went wrong' after I enter my card at checkout. I'm on my iPhone and tried twice.",
            [
                new Note("Reproduced on Safari on iOS. Reported to the storefront team; offered to take the order by phone.", By: Marla),
            ]),
        new("Gift card for my dad: can it be mailed?", TicketCategory.Billing, TicketPriority.Low, TicketChannel.Form, Ty, OrderNeed.None, null, ["gift card"],
            "Can I buy a printed gift card and have it mailed to my dad in Billings?",
            [
                new LinkArticle("gift-cards"),
                new Reply("Hi {first},\n\nYes: choose the printed card at checkout and enter your dad's address. It comes in a gift box and ships free.\n\n{agent}", TicketStatus.Resolved),
                Delighted,
                new Change(Status: TicketStatus.Closed),
            ]),
        new("Item missing from order #{order}", TicketCategory.Order, TicketPriority.High, TicketChannel.Email, Gloria, OrderNeed.Delivered, null, ["missing item"],
            "Order #{order} arrived but the {product} wasn't in the box. The packing slip lists it.",
            [
                new Reply("Hi {first},\n\nSorry about that. I'm checking with the warehouse and will send the missing item as soon as they confirm. I'll write again today.\n\n{agent}"),
                new Note("Warehouse confirms pick error on this order. Reship by 2-day."),
            ]),
        new("Do you carry snake boots?", TicketCategory.Product, TicketPriority.Low, TicketChannel.Inbox, null, OrderNeed.None, null, ["pre-sale"],
            "Do you sell snake boots? We have a lot of rattlers on our place in west Texas.",
            []),
        new("Two accounts, please merge", TicketCategory.Other, TicketPriority.Low, TicketChannel.Email, Ty, OrderNeed.None, null, ["account"],
            "I have two accounts with two emails and my points are split. Can you combine them?",
            [
                new Reply("Hi {first},\n\nHappy to. Which email would you like to keep? Once you confirm, I'll move the orders and points over to it.\n\n{agent}", TicketStatus.PendingCustomer),
            ]),
        new("Duck Canvas Chore Coat: M or L?", TicketCategory.Product, TicketPriority.Medium, TicketChannel.Chat, Gloria, OrderNeed.None, null, ["sizing", "pre-sale"],
            "I'm 5'11\", 190 lbs, 42 chest. Medium or large in the Duck Canvas Chore Coat? I wear a hoodie under it.",
            [
                new Reply("Hi {first}! With a 42 chest and a hoodie underneath, I'd go large: the coat is cut for layering but the medium would be snug at the shoulders. Do you want me to check the sleeve length for you?\n\n{agent}", TicketStatus.PendingCustomer),
            ]),
        new("Returning a holiday gift", TicketCategory.Return, TicketPriority.Low, TicketChannel.Email, Ty, OrderNeed.Delivered, null, ["returns", "gift"],
            "I bought the {product} as a Christmas gift and it doesn't fit. Can it be returned in January?",
            [
                new LinkArticle("returns"),
                new Reply("Hi {first},\n\nYes: gifts bought in November and December can be returned or exchanged until January 31.\n\n{agent}", TicketStatus.Resolved),
                new Rate(4, null),
                new Change(Status: TicketStatus.Closed),
            ]),
        new("Refund on order #{order} less than expected", TicketCategory.Billing, TicketPriority.High, TicketChannel.Email, Marla, OrderNeed.Refunded, null, ["refund"],
            "The refund for order #{order} was $7.95 short. Why?",
            [
                new Reply("Hi {first},\n\nThe return label cost of $7.95 is taken off refunds, as our returns policy says.\n\n{agent}", TicketStatus.PendingCustomer),
                new CustomerWrites("The stitching was coming apart, it was faulty. I shouldn't pay for the label."),
                new Note("Checked the return notes: stitching defect confirmed. Refund the label fee."),
                new Reply("You're right, and I'm sorry: for faulty items the label is on us. I've refunded the $7.95.\n\n{agent}", TicketStatus.Resolved),
                new Rate(4, "Got it sorted in the end."),
            ]),
    ];
}
