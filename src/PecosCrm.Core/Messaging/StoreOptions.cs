namespace PecosCrm.Core.Messaging;

/// <summary>
/// The store as customers see it in emails (the <c>store.*</c> template variables), its time zone
/// and its country. Set these in production: the defaults name
/// the store but use reserved <c>.example</c> addresses.
/// </summary>
public sealed class StoreOptions
{
    public const string SectionName = "Store";

    public string Name { get; set; } = "Pecos River Traders";

    public string Phone { get; set; } = "(432) 555-0147";

    public string Email { get; set; } = "howdy@pecosrivertraders.example";

    public string Url { get; set; } = "https://pecosrivertraders.example";

    public string Address { get; set; } = "100 Trading Post Road, Pecos, TX 79772";

    /// <summary>
    /// The store's IANA time zone (<c>Store:TimeZone</c>): every local date, schedule and report, and
    /// sends to customers without a time zone of their own. Read it through <see cref="StoreTime"/>.
    /// </summary>
    public string TimeZone { get; set; } = DefaultTimeZone;

    public const string DefaultTimeZone = "America/Denver";

    /// <summary>The store's country (ISO 3166 two letters, <c>Store:Country</c>): phone numbers without a country code are read as this country's.</summary>
    public string Country { get; set; } = "US";
}
