using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Orders;

namespace PecosCrm.Core.Customers;

/// <summary>
/// The <c>card|{customerId}</c> row: one row per customer with everything the 360 view shows. The
/// profile (once a <c>customer.created</c> event or the API made it), the purchase metrics kept as
/// running totals, the engagement counters, the open cart, the health score and churn risk, the
/// stored RFM code, the tags, the pinned notes, the newest orders and timeline entries, the related
/// contacts and the automations the customer is in. It is rewritten in the same entity-group
/// transaction as every change to any of them, so the view is one point read and the card's ETag
/// guards every change to the customer.
/// </summary>
internal sealed class CardEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    /// <summary>False while only activity is known (events that came before <c>customer.created</c>): the customer is not found yet.</summary>
    public bool HasProfile { get; set; }

    /// <summary>Grows with every change to the profile fields; the customer's ETag as the API shows it.</summary>
    public long ProfileVersion { get; set; }

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
    public DateTimeOffset ProfileUpdatedAt { get; set; }

    /// <summary>The time of the newest store event applied to the profile: older events do not overwrite it.</summary>
    public DateTimeOffset? LastEventAt { get; set; }

    public long LifetimeValueCents { get; set; }
    public long GrossCents { get; set; }
    public long RefundedCents { get; set; }
    public int OrderCount { get; set; }
    public int CancelledCount { get; set; }
    public long AverageOrderValueCents { get; set; }
    public DateTimeOffset? FirstOrderAt { get; set; }
    public DateTimeOffset? LastOrderAt { get; set; }
    public double? AverageDaysBetweenOrders { get; set; }
    public double PurchaseFrequencyPerMonth { get; set; }
    public string Categories { get; set; } = "{}";

    public int Logins { get; set; }
    public int PageViews { get; set; }
    public int ProductViews { get; set; }
    public int Reviews { get; set; }
    public int CartUpdates { get; set; }
    public int EmailOpens { get; set; }
    public int EmailClicks { get; set; }
    public DateTimeOffset? LastEngagedAt { get; set; }
    public int OpenSupportIssues { get; set; }

    /// <summary>The RFM code the last nightly recompute gave the customer (e.g. <c>545</c>); null when not scored.</summary>
    public string? RfmCode { get; set; }

    /// <summary>When the nightly recompute gave the customer <see cref="RfmCode"/> (kept while the code stays the same).</summary>
    public DateTimeOffset? RfmScoredAt { get; set; }

    /// <summary>The health score and churn risk, with its reason, as of the last write or nightly refresh (they move with time alone).</summary>
    public int? HealthScore { get; set; }
    public string? ChurnRisk { get; set; }
    public string? ChurnReason { get; set; }

    /// <summary>
    /// The open cart: set by the newest cart update or abandonment, closed by a checkout or an order
    /// placed after it. Events may arrive out of order, so only a newer event changes it.
    /// </summary>
    public bool CartOpen { get; set; }
    public DateTimeOffset? CartUpdatedAt { get; set; }
    public long CartValueCents { get; set; }
    public int CartItems { get; set; }

    public DateTimeOffset? LastEmailOpenedAt { get; set; }
    public DateTimeOffset? LastEmailClickedAt { get; set; }

    /// <summary>The customer's tags (custom and automatic), as JSON <see cref="CardTag"/>s.</summary>
    public string Tags { get; set; } = "[]";

    /// <summary>Pinned notes, newest first, as JSON <see cref="Note"/>s.</summary>
    public string PinnedNotes { get; set; } = "[]";

    /// <summary>The newest orders (up to <see cref="CustomerCard.RecentOrders"/>), newest first, as JSON.</summary>
    public string RecentOrders { get; set; } = "[]";

    /// <summary>The newest timeline entries (up to <see cref="CustomerCard.RecentActivity"/>), newest first, as JSON.</summary>
    public string RecentActivity { get; set; } = "[]";

    /// <summary>Linked customers, as JSON <see cref="RelatedContact"/>s.</summary>
    public string Related { get; set; } = "[]";

    /// <summary>The automations the customer is in now, as JSON <see cref="CustomerAutomation"/>s.</summary>
    public string Automations { get; set; } = "[]";

    /// <summary>The customer's loyalty account as JSON (<c>Loyalty.LoyaltyAccount</c>), owned by the loyalty feature; empty before the first points.</summary>
    public string? Loyalty { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The card itself when the customer has a profile; otherwise the customer is not found (404).</summary>
    public CardEntity RequireProfile() => HasProfile ? this : throw new NotFoundException("Customer", PartitionKey);

    /// <summary>A copy of the card as it stands (every property is a value or an immutable string).</summary>
    public CardEntity Snapshot() => (CardEntity)MemberwiseClone();

    public static CardEntity New(string customerId) => new() { PartitionKey = customerId, RowKey = CustomerKeys.Card(customerId) };

    /// <summary>The API's ETag of the customer: changes with the profile only, not with activity.</summary>
    public string ProfileETag => $"W/\"p{ProfileVersion}\"";

    public Customer ToCustomer() => new(
        PartitionKey, FirstName, LastName, Email, Phone,
        JsonSerializer.Deserialize<List<Address>>(Addresses, CrmJson.Options) ?? [],
        Birthday is null ? null : DateOnly.Parse(Birthday, System.Globalization.CultureInfo.InvariantCulture),
        TimeZone,
        new MarketingConsent(ConsentEmail, ConsentEmailAt, ConsentSms, ConsentSmsAt),
        Enum.Parse<LoyaltyTier>(Tier), CustomerSince, Source, CreatedAt, ProfileUpdatedAt, ProfileETag)
    {
        LoyaltyJson = Loyalty,
        ReadFromCard = true,
    };

    public void SetProfile(Customer c, DateTimeOffset? lastEventAt)
    {
        HasProfile = true;
        ProfileVersion++;
        FirstName = c.FirstName;
        LastName = c.LastName;
        Email = c.Email;
        Phone = c.Phone;
        Addresses = JsonSerializer.Serialize(c.Addresses, CrmJson.Options);
        Birthday = c.Birthday?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        TimeZone = c.TimeZone;
        ConsentEmail = c.Consent.Email;
        ConsentEmailAt = c.Consent.EmailAt;
        ConsentSms = c.Consent.Sms;
        ConsentSmsAt = c.Consent.SmsAt;
        Tier = c.Tier.ToString();
        CustomerSince = c.CustomerSince;
        Source = c.Source;
        CreatedAt = c.CreatedAt;
        ProfileUpdatedAt = c.UpdatedAt;
        LastEventAt = lastEventAt;
    }

    public CustomerMetrics ToMetrics() => new(
        LifetimeValueCents, GrossCents, RefundedCents, OrderCount, CancelledCount, AverageOrderValueCents,
        FirstOrderAt, LastOrderAt, AverageDaysBetweenOrders, PurchaseFrequencyPerMonth,
        JsonSerializer.Deserialize<Dictionary<string, CategorySpend>>(Categories, CrmJson.Options) ?? []);

    public Engagement ToEngagement() => new(Logins, PageViews, ProductViews, Reviews, CartUpdates, EmailOpens, EmailClicks, LastEngagedAt, OpenSupportIssues);

    public void Set(CustomerMetrics m)
    {
        LifetimeValueCents = m.LifetimeValueCents;
        GrossCents = m.GrossCents;
        RefundedCents = m.RefundedCents;
        OrderCount = m.OrderCount;
        CancelledCount = m.CancelledCount;
        AverageOrderValueCents = m.AverageOrderValueCents;
        FirstOrderAt = m.FirstOrderAt;
        LastOrderAt = m.LastOrderAt;
        AverageDaysBetweenOrders = m.AverageDaysBetweenOrders;
        PurchaseFrequencyPerMonth = m.PurchaseFrequencyPerMonth;
        Categories = JsonSerializer.Serialize(m.Categories, CrmJson.Options);
    }

    public void Set(Engagement e)
    {
        Logins = e.Logins;
        PageViews = e.PageViews;
        ProductViews = e.ProductViews;
        Reviews = e.Reviews;
        CartUpdates = e.CartUpdates;
        EmailOpens = e.EmailOpens;
        EmailClicks = e.EmailClicks;
        LastEngagedAt = e.LastEngagedAt;
        OpenSupportIssues = e.OpenSupportIssues;
    }

    public void SetHealth(CustomerHealth health)
    {
        HealthScore = health.Score;
        ChurnRisk = health.ChurnRisk.ToString();
        ChurnReason = health.ChurnReason;
    }

    /// <summary>Opens the cart at a cart update or abandonment, or closes it at a checkout or order, unless a newer cart event is known.</summary>
    public void SetCart(DateTimeOffset at, bool open, long valueCents = 0, int items = 0)
    {
        if (CartUpdatedAt is { } known && known > at)
        {
            return;
        }
        CartOpen = open;
        CartUpdatedAt = at;
        CartValueCents = open ? valueCents : 0;
        CartItems = open ? items : 0;
    }

    public List<CardTag> TagList() => Read<CardTag>(Tags);

    public IReadOnlySet<string> AutoTagSet() => TagList().Where(t => t.IsAuto).Select(t => t.TagId).ToHashSet(StringComparer.Ordinal);

    public List<Note> PinnedNoteList() => Read<Note>(PinnedNotes);

    public List<CardOrder> RecentOrderList() => Read<CardOrder>(RecentOrders);

    public List<TimelineEntry> RecentActivityList() => Read<TimelineEntry>(RecentActivity);

    public List<RelatedContact> RelatedList() => Read<RelatedContact>(Related);

    public List<CustomerAutomation> AutomationList() => Read<CustomerAutomation>(Automations);

    private static List<T> Read<T>(string json) => JsonSerializer.Deserialize<List<T>>(json, CrmJson.Options) ?? [];
}

/// <summary>A tag on the card: which, automatic or not, who put it there and when.</summary>
internal sealed record CardTag(string TagId, bool IsAuto, string AssignedBy, DateTimeOffset AssignedAt);
