using System.Text.Json;
using Azure;
using Azure.Data.Tables;

namespace PecosCrm.Core.Customers;

/// <summary>The <c>profile</c> row of a customer's partition.</summary>
internal sealed class CustomerEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = CustomerKeys.Profile;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string FirstName { get; set; } = "";
    public string LastName { get; set; } = "";
    public string? Email { get; set; }
    public string? Phone { get; set; }
    public string Addresses { get; set; } = "[]";
    public string? Birthday { get; set; }
    public string? TimeZone { get; set; }
    public bool ConsentEmail { get; set; }
    public DateTimeOffset? ConsentEmailAt { get; set; }
    public bool ConsentSms { get; set; }
    public DateTimeOffset? ConsentSmsAt { get; set; }
    public string Tier { get; set; } = nameof(LoyaltyTier.Bronze);
    public DateTimeOffset CustomerSince { get; set; }
    public string? Source { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The time of the newest store event applied to the profile: older events do not overwrite it.</summary>
    public DateTimeOffset? LastEventAt { get; set; }

    public Customer ToRecord() => new(
        PartitionKey, FirstName, LastName, Email, Phone,
        JsonSerializer.Deserialize<List<Address>>(Addresses, CrmJson.Options) ?? [],
        Birthday is null ? null : DateOnly.Parse(Birthday, System.Globalization.CultureInfo.InvariantCulture),
        TimeZone,
        new MarketingConsent(ConsentEmail, ConsentEmailAt, ConsentSms, ConsentSmsAt),
        Enum.Parse<LoyaltyTier>(Tier), CustomerSince, Source, CreatedAt, UpdatedAt, ETag.ToString());

    public static CustomerEntity From(Customer c, DateTimeOffset? lastEventAt) => new()
    {
        PartitionKey = c.Id,
        FirstName = c.FirstName,
        LastName = c.LastName,
        Email = c.Email,
        Phone = c.Phone,
        Addresses = JsonSerializer.Serialize(c.Addresses, CrmJson.Options),
        Birthday = c.Birthday?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        TimeZone = c.TimeZone,
        ConsentEmail = c.Consent.Email,
        ConsentEmailAt = c.Consent.EmailAt,
        ConsentSms = c.Consent.Sms,
        ConsentSmsAt = c.Consent.SmsAt,
        Tier = c.Tier.ToString(),
        CustomerSince = c.CustomerSince,
        Source = c.Source,
        CreatedAt = c.CreatedAt,
        UpdatedAt = c.UpdatedAt,
        LastEventAt = lastEventAt,
    };
}
