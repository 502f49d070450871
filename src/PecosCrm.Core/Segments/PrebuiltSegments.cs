using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Segments;

/// <summary>
/// The ten segments the store starts with, as the roadmap defines them. Each is seeded once (a
/// <c>seeded</c> marker row remembers it), so staff may edit or delete one and it stays that way.
/// Where the roadmap's words leave room, the rules say how they were read:
/// At-Risk's "previously active" is two or more orders; Frequent Buyers counts orders placed in the
/// last 365 days; Discount Hunters is the share of counted orders with a coupon; Abandoned Cart is
/// an open cart (items, not checked out, no order since) last touched 24 hours ago or more.
/// </summary>
public static class PrebuiltSegments
{
    private const string SeededPartition = SegmentKeys.SeededPartition;

    public static readonly IReadOnlyList<(string Id, string Name, string Description, SegmentRule Rules)> All =
    [
        ("new-customers", "New Customers", "First order in the last 30 days.",
            SegmentRule.All(SegmentRule.When("first_order_at", "within_last_days", 30))),
        ("vip-customers", "VIP Customers", "Lifetime value over $1,000, or Gold or Platinum tier.",
            SegmentRule.Any(SegmentRule.When("lifetime_value", "gt", 1000), SegmentRule.When("tier", "in", new[] { "gold", "platinum" }))),
        ("at-risk-customers", "At-Risk Customers", "No order in 90+ days, previously active (two or more orders).",
            SegmentRule.All(SegmentRule.When("days_since_last_order", "gte", 90), SegmentRule.When("order_count", "gte", 2))),
        ("churned-customers", "Churned Customers", "No order in 180+ days.",
            SegmentRule.All(SegmentRule.When("days_since_last_order", "gte", 180))),
        ("one-time-buyers", "One-Time Buyers", "Exactly 1 order, 60+ days ago.",
            SegmentRule.All(SegmentRule.When("order_count", "eq", 1), SegmentRule.When("days_since_last_order", "gte", 60))),
        ("frequent-buyers", "Frequent Buyers", "5+ orders in the last 12 months.",
            SegmentRule.All(SegmentRule.When("orders_in_window", "gte", 5, withinDays: 365))),
        ("high-aov", "High AOV", "Average order over $200.",
            SegmentRule.All(SegmentRule.When("average_order_value", "gt", 200))),
        ("discount-hunters", "Discount Hunters", "80%+ of orders used coupons.",
            SegmentRule.All(SegmentRule.When("coupon_order_share", "gte", 80))),
        ("email-engaged", "Email Engaged", "Opened an email in the last 30 days.",
            SegmentRule.All(SegmentRule.When("last_email_opened_at", "within_last_days", 30))),
        ("abandoned-cart", "Abandoned Cart", "Has items in the cart for 24+ hours.",
            SegmentRule.All(SegmentRule.When("abandoned_cart_hours", "gte", 24))),
    ];

    /// <summary>Creates each pre-built segment not seeded before; returns how many were created.</summary>
    public static async Task<int> SeedAsync(SegmentService segments, StorageAccount storage, CancellationToken cancellationToken = default)
    {
        var table = storage.Table(StorageNames.Tables.Segments);
        var created = 0;
        foreach (var (id, name, description, rules) in All)
        {
            if (await table.FindAsync<TableEntity>(SeededPartition, SegmentKeys.Seeded(id), cancellationToken) is not null)
            {
                continue;
            }
            try
            {
                await segments.CreateAsync(new SegmentDraft(name, description, SegmentKind.Dynamic, rules), "system", cancellationToken, id, preBuilt: true);
                created++;
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                // Another instance seeded it at the same moment.
            }
            await table.UpsertEntityAsync(new TableEntity(SeededPartition, SegmentKeys.Seeded(id)), TableUpdateMode.Replace, cancellationToken);
        }
        return created;
    }
}
