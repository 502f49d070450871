namespace PecosCrm.Core.Customers;

/// <summary>
/// Tags the system keeps on customers by itself; staff cannot add or remove them by hand.
/// Thresholds:
/// <list type="bullet">
/// <item><c>New Customer</c>: customer since (or first order, if earlier) within the last 30 days;</item>
/// <item><c>High Spender</c>: lifetime value of at least $1,000;</item>
/// <item><c>Frequent Buyer</c>: at least 5 counted orders;</item>
/// <item><c>At Risk</c>: has ordered and the churn risk is high;</item>
/// <item>product affinity (<c>Boots Enthusiast</c>, <c>Hat Collector</c>, <c>Workwear Buyer</c>,
/// <c>Denim Devotee</c>, <c>Accessories Fan</c>): the category holds at least 40% of the customer's
/// net item spend, on at least 2 orders.</item>
/// </list>
/// </summary>
public static class AutoTags
{
    public const int NewCustomerDays = 30;
    public const long HighSpenderCents = 100_000;
    public const int FrequentBuyerOrders = 5;
    public const double AffinityShare = 0.40;
    public const int AffinityMinOrders = 2;

    public static readonly AutoTag NewCustomer = new("auto-new-customer", "New Customer", "#198754");
    public static readonly AutoTag HighSpender = new("auto-high-spender", "High Spender", "#b8860b");
    public static readonly AutoTag FrequentBuyer = new("auto-frequent-buyer", "Frequent Buyer", "#0d6efd");
    public static readonly AutoTag AtRisk = new("auto-at-risk", "At Risk", "#dc3545");

    /// <summary>Product-affinity tags by category (lower case).</summary>
    public static readonly IReadOnlyDictionary<string, AutoTag> Affinity = new Dictionary<string, AutoTag>(StringComparer.OrdinalIgnoreCase)
    {
        ["boots"] = new("auto-boots-enthusiast", "Boots Enthusiast", "#8b4513"),
        ["hats"] = new("auto-hat-collector", "Hat Collector", "#a0522d"),
        ["workwear"] = new("auto-workwear-buyer", "Workwear Buyer", "#556b2f"),
        ["denim"] = new("auto-denim-devotee", "Denim Devotee", "#1f3a93"),
        ["accessories"] = new("auto-accessories-fan", "Accessories Fan", "#6f42c1"),
    };

    public static readonly IReadOnlyList<AutoTag> All = [NewCustomer, HighSpender, FrequentBuyer, AtRisk, .. Affinity.Values];

    public static bool IsAuto(string tagId) => tagId.StartsWith("auto-", StringComparison.Ordinal);

    public static string NameOf(string autoTagId) => All.FirstOrDefault(a => a.Id == autoTagId)?.Name ?? autoTagId;

    /// <summary>The auto-tags a customer should carry now.</summary>
    public static IReadOnlySet<string> For(DateTimeOffset customerSince, CustomerMetrics metrics, CustomerHealth health, DateTimeOffset now)
    {
        var tags = new HashSet<string>(StringComparer.Ordinal);
        var since = metrics.FirstOrderAt is { } first && first < customerSince ? first : customerSince;
        if (now - since <= TimeSpan.FromDays(NewCustomerDays))
        {
            tags.Add(NewCustomer.Id);
        }
        if (metrics.LifetimeValueCents >= HighSpenderCents)
        {
            tags.Add(HighSpender.Id);
        }
        if (metrics.OrderCount >= FrequentBuyerOrders)
        {
            tags.Add(FrequentBuyer.Id);
        }
        if (metrics.OrderCount > 0 && health.ChurnRisk == ChurnRisk.High)
        {
            tags.Add(AtRisk.Id);
        }
        var itemSpend = metrics.Categories.Values.Sum(c => c.Cents);
        foreach (var (category, spend) in metrics.Categories)
        {
            if (itemSpend > 0 && Affinity.TryGetValue(category, out var tag)
                && spend.Orders >= AffinityMinOrders && (double)spend.Cents / itemSpend >= AffinityShare)
            {
                tags.Add(tag.Id);
            }
        }
        return tags;
    }
}

public sealed record AutoTag(string Id, string Name, string Color);
