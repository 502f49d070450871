namespace PecosCrm.Core.Integrations.Connectors;

/// <summary>Mailchimp's credentials: an app setting or a Key Vault reference, never stored by the API.</summary>
public sealed class MailchimpOptions
{
    public const string SectionName = "Integrations:Mailchimp";

    /// <summary>The Marketing API key (<c>...-us21</c>: the part after the dash is the data centre).</summary>
    public string? ApiKey { get; set; }

    /// <summary>The API's address; empty means <c>https://{dc}.api.mailchimp.com</c> from the key.</summary>
    public string? BaseUrl { get; set; }
}
