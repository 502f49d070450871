namespace PecosCrm.Core.Messaging;

/// <summary>
/// The store as customers see it in emails (the <c>store.*</c> template variables) and the time
/// zone dates are shown in when a customer has none. Set these in production: the defaults name
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

    /// <summary>IANA time zone for dates in emails to customers without a time zone of their own.</summary>
    public string TimeZone { get; set; } = "America/Chicago";
}
