namespace PecosCrm.Core.Messaging;

/// <summary>
/// How messages leave. With no <see cref="SendGridApiKey"/> every email goes to the development
/// outbox (<c>/api/outbox</c>) instead of SendGrid. In Azure the key comes from Key Vault through
/// an app setting reference (<c>@Microsoft.KeyVault(...)</c>), so it is never in configuration files.
/// </summary>
public sealed class MessagingOptions
{
    public const string SectionName = "Messaging";

    public string? SendGridApiKey { get; set; }

    /// <summary>SendGrid's API host; tests point it at a local endpoint that records requests.</summary>
    public string SendGridApiHost { get; set; } = "https://api.sendgrid.com";

    /// <summary>
    /// The base64 ECDSA public key of SendGrid's signed event webhook (Settings → Mail Settings →
    /// Event Webhook → Signed Event Webhook Requests). Webhook requests are refused without it.
    /// </summary>
    public string? SendGridWebhookPublicKey { get; set; }

    /// <summary>How old a webhook's signed timestamp may be before the request is refused as stale.</summary>
    public TimeSpan WebhookTolerance { get; set; } = TimeSpan.FromMinutes(10);

    public string FromEmail { get; set; } = "hello@pecosrivertraders.example";

    public string FromName { get; set; } = "Pecos River Traders";

    /// <summary>The app's public address, for unsubscribe and preference links (e.g. https://crm.pecosrivertraders.com).</summary>
    public string PublicBaseUrl { get; set; } = "http://localhost:7071";

    /// <summary>The secret that signs unsubscribe and preference links. Set it in production; the default only suits development.</summary>
    public string LinkSigningKey { get; set; } = "development-only-link-signing-key";

    /// <summary>Sends tried before a message is marked failed; transient failures wait 30 s, 1, 2, 4 … minutes between tries.</summary>
    public int MaxAttempts { get; set; } = 6;

    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The secret SendGrid Inbound Parse must send as <c>?key=</c> in its destination URL
    /// (Inbound Parse requests are not signed); without it inbound email is refused.
    /// </summary>
    public string? InboundParseKey { get; set; }

    /// <summary>A Twilio-compatible SMS API: base URL, account SID, auth token and sender number. Without a SID, SMS go to the outbox.</summary>
    public string SmsApiBaseUrl { get; set; } = "https://api.twilio.com";

    public string? SmsAccountSid { get; set; }

    public string? SmsAuthToken { get; set; }

    public string? SmsFrom { get; set; }
}
