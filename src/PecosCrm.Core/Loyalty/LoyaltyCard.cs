using System.Text.Json;
using PecosCrm.Core.Customers;

namespace PecosCrm.Core.Loyalty;

/// <summary>The loyalty account on the customer's card: read, and written back with the tier it decides.</summary>
internal static class LoyaltyCard
{
    public static LoyaltyAccount Read(CardEntity card) => Read(card.Loyalty, Enum.TryParse<LoyaltyTier>(card.Tier, out var tier) ? tier : LoyaltyTier.Bronze);

    /// <summary>The account of a customer as read from their card (<see cref="Customer.LoyaltyJson"/>); null when the customer was not read from a card.</summary>
    public static LoyaltyAccount? Read(Customer customer) => customer.ReadFromCard ? Read(customer.LoyaltyJson, customer.Tier) : null;

    private static LoyaltyAccount Read(string? json, LoyaltyTier tier) =>
        string.IsNullOrEmpty(json)
            ? LoyaltyAccount.Empty with { Tier = tier }
            : JsonSerializer.Deserialize<LoyaltyAccount>(json, CrmJson.Options)!;

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
