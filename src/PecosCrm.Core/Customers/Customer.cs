namespace PecosCrm.Core.Customers;

public enum LoyaltyTier
{
    Bronze,
    Silver,
    Gold,
    Platinum,
}

public enum AddressKind
{
    Shipping,
    Billing,
}

public sealed record Address(
    AddressKind Kind,
    string Line1,
    string? Line2,
    string City,
    string? Region,
    string PostalCode,
    string Country);

/// <summary>Marketing consent per channel, with when it was given or withdrawn.</summary>
public sealed record MarketingConsent(bool Email, DateTimeOffset? EmailAt, bool Sms, DateTimeOffset? SmsAt)
{
    public static readonly MarketingConsent None = new(false, null, false, null);
}

/// <summary>A customer's profile. The id is the store's customer id.</summary>
public sealed record Customer(
    string Id,
    string FirstName,
    string LastName,
    string? Email,
    string? Phone,
    IReadOnlyList<Address> Addresses,
    DateOnly? Birthday,
    string? TimeZone,
    MarketingConsent Consent,
    LoyaltyTier Tier,
    DateTimeOffset CustomerSince,
    string? Source,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string ETag)
{
    public string FullName => $"{FirstName} {LastName}".Trim();

    /// <summary>
    /// The loyalty account as the card held it when the customer was read from it (its JSON, null when
    /// there is none yet), so what shows the points balance needs no second read of the card. Not set
    /// on a customer built otherwise (<see cref="ReadFromCard"/> false); never serialised.
    /// </summary>
    internal string? LoyaltyJson { get; init; }

    internal bool ReadFromCard { get; init; }
}

/// <summary>
/// The customer fields an API call or a store event carries. On create, missing optional fields
/// take their defaults; on update, null means "leave as it is".
/// </summary>
public sealed record CustomerFields(
    string? Id = null,
    string? FirstName = null,
    string? LastName = null,
    string? Email = null,
    string? Phone = null,
    IReadOnlyList<Address>? Addresses = null,
    DateOnly? Birthday = null,
    string? TimeZone = null,
    MarketingConsentFields? Consent = null,
    LoyaltyTier? Tier = null,
    DateTimeOffset? CustomerSince = null,
    string? Source = null);

/// <summary>Consent as sent: a channel left null is unchanged; the time defaults to now.</summary>
public sealed record MarketingConsentFields(bool? Email = null, bool? Sms = null, DateTimeOffset? At = null);
