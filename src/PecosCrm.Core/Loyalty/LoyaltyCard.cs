using System.Text.Json;
using PecosCrm.Core.Customers;

namespace PecosCrm.Core.Loyalty;

/// <summary>The loyalty account on the customer's card: read, and written back with the tier it decides.</summary>
internal static class LoyaltyCard
{
    public static LoyaltyAccount Read(CardEntity card) =>
        string.IsNullOrEmpty(card.Loyalty)
            ? LoyaltyAccount.Empty with { Tier = Enum.TryParse<LoyaltyTier>(card.Tier, out var tier) ? tier : LoyaltyTier.Bronze }
            : JsonSerializer.Deserialize<LoyaltyAccount>(card.Loyalty, CrmJson.Options)!;

    public static void Write(CardEntity card, LoyaltyAccount account)
    {
        card.Loyalty = JsonSerializer.Serialize(account, CrmJson.Options);
        card.Tier = account.Tier.ToString();
    }

    public static MemberFacts Facts(CardEntity card, StoreTime storeTime, DateTimeOffset now) => new(
        card.OrderCount, card.LifetimeValueCents, card.Reviews,
        card.Birthday is null ? null : DateOnly.Parse(card.Birthday, System.Globalization.CultureInfo.InvariantCulture),
        storeTime.Date(now), card.HasProfile ? storeTime.Date(card.CustomerSince) : null);
}
