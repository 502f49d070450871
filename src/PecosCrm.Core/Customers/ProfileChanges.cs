namespace PecosCrm.Core.Customers;

/// <summary>How a profile changes: the new profile from its fields, what changed, and the timeline entry that says so.</summary>
internal static class ProfileChanges
{
    public static Customer Build(Customer? before, CustomerFields f, DateTimeOffset now)
    {
        var consent = before?.Consent ?? MarketingConsent.None;
        if (f.Consent is { } c)
        {
            var at = c.At ?? now;
            consent = new MarketingConsent(
                c.Email ?? consent.Email, c.Email is not null && c.Email != consent.Email ? at : consent.EmailAt ?? (c.Email is not null ? at : null),
                c.Sms ?? consent.Sms, c.Sms is not null && c.Sms != consent.Sms ? at : consent.SmsAt ?? (c.Sms is not null ? at : null));
        }
        return new Customer(
            before?.Id ?? f.Id!,
            f.FirstName?.Trim() ?? before?.FirstName ?? "",
            f.LastName?.Trim() ?? before?.LastName ?? "",
            f.Email is null ? before?.Email : f.Email.Trim(),
            f.Phone is null ? before?.Phone : f.Phone.Trim(),
            f.Addresses ?? before?.Addresses ?? [],
            f.Birthday ?? before?.Birthday,
            f.TimeZone ?? before?.TimeZone,
            consent,
            f.Tier ?? before?.Tier ?? LoyaltyTier.Bronze,
            f.CustomerSince ?? before?.CustomerSince ?? now,
            f.Source ?? before?.Source,
            before?.CreatedAt ?? now,
            now,
            before?.ETag ?? "");
    }

    public static List<string> ChangedFields(Customer a, Customer b)
    {
        var changed = new List<string>();
        void Check(string name, object? x, object? y)
        {
            if (!Equals(x, y))
            {
                changed.Add(name);
            }
        }
        Check("first name", a.FirstName, b.FirstName);
        Check("last name", a.LastName, b.LastName);
        Check("email", a.Email, b.Email);
        Check("phone", a.Phone, b.Phone);
        Check("birthday", a.Birthday, b.Birthday);
        Check("time zone", a.TimeZone, b.TimeZone);
        Check("consent", a.Consent, b.Consent);
        Check("tier", a.Tier, b.Tier);
        Check("customer since", a.CustomerSince, b.CustomerSince);
        Check("source", a.Source, b.Source);
        if (!a.Addresses.SequenceEqual(b.Addresses))
        {
            changed.Add("addresses");
        }
        return changed;
    }

    /// <summary>Whether the email moved to an address the customer did not hold before (and must be claimed).</summary>
    public static bool EmailChanged(Customer? before, Customer after) =>
        after.Email is not null && (before?.Email is null || CustomerRules.NormalizeEmail(before.Email) != CustomerRules.NormalizeEmail(after.Email));

    public static TimelineEntry AccountEntry(string customerId, string title, string actor, DateTimeOffset at, string? id = null) =>
        new(id ?? Guid.CreateVersion7(at).ToString("N"), customerId, TimelineType.Account, title, at, actor, $"/api/customers/{customerId}", null);

    /// <summary>The entry that says why a store event's email change was not applied.</summary>
    public static TimelineEntry EmailTakenEntry(string customerId, string owner, DateTimeOffset at) =>
        new(Guid.CreateVersion7(at).ToString("N"), customerId, TimelineType.Account,
            "Email change not applied: the address belongs to another customer", at, "system", $"/api/customers/{owner}", null);
}
