namespace PecosCrm.Core.Support;

/// <summary>Settings of the support desk (section <c>Support</c>, env <c>Support__…</c>).</summary>
public sealed class SupportOptions
{
    public const string SectionName = "Support";

    /// <summary>The letters before a ticket number: PRT-1045.</summary>
    public string TicketPrefix { get; set; } = "PRT";

    /// <summary>
    /// The domain of signed reply addresses (<c>ticket+{token}@{domain}</c>), which SendGrid Inbound
    /// Parse must receive; the domain of <c>Messaging__FromEmail</c> when not set.
    /// </summary>
    public string? ReplyDomain { get; set; }

    /// <summary>Whether resolving a ticket emails the customer a satisfaction survey link.</summary>
    public bool SendCsatSurvey { get; set; } = true;

    /// <summary>Largest attachment accepted, in bytes (10 MB).</summary>
    public long MaxAttachmentBytes { get; set; } = 10 * 1024 * 1024;
}
