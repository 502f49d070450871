using PecosCrm.Core.Customers;

namespace PecosCrm.Core.Campaigns;

/// <summary>
/// What sending one recipient needs, frozen with the audience into the slice's blob: the address,
/// consent, and the profile fields the merge fields of a campaign's content use. <see cref="Exists"/>
/// is false for an id of the audience that names no customer (skipped when its slice is sent).
/// </summary>
public sealed record AudienceMember(
    string CustomerId,
    bool Exists,
    string FirstName = "",
    string LastName = "",
    string? Email = null,
    string? Phone = null,
    string? City = null,
    string? Region = null,
    string? PostalCode = null,
    string? Country = null,
    string? TimeZone = null,
    bool ConsentEmail = false,
    bool ConsentSms = false,
    LoyaltyTier Tier = LoyaltyTier.Bronze,
    DateTimeOffset CustomerSince = default,
    string? Variant = null)
{
    public static AudienceMember Missing(string customerId) => new(customerId, false);

    public static AudienceMember From(Customer c)
    {
        var address = c.Addresses.FirstOrDefault(a => a.Kind == AddressKind.Shipping) ?? c.Addresses.FirstOrDefault();
        return new AudienceMember(c.Id, true, c.FirstName, c.LastName, c.Email, c.Phone, address?.City, address?.Region, address?.PostalCode, address?.Country,
            c.TimeZone, c.Consent.Email, c.Consent.Sms, c.Tier, c.CustomerSince);
    }

    /// <summary>The customer as the composer sees it (the address holds only what the copy keeps: city, region, postal code, country).</summary>
    public Customer ToCustomer() => new(
        CustomerId, FirstName, LastName, Email, Phone,
        City is null ? [] : [new Address(AddressKind.Shipping, "", null, City, Region, PostalCode ?? "", Country ?? "")],
        null, TimeZone, new MarketingConsent(ConsentEmail, null, ConsentSms, null), Tier, CustomerSince, null, CustomerSince, CustomerSince, "");
}
