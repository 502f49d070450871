namespace PecosCrm.Core.Integrations.Connectors;

/// <summary>Klaviyo's credentials: an app setting or a Key Vault reference, never stored by the API.</summary>
public sealed class KlaviyoOptions
{
    public const string SectionName = "Integrations:Klaviyo";

    /// <summary>A private API key (<c>pk_...</c>).</summary>
    public string? ApiKey { get; set; }

    public string BaseUrl { get; set; } = "https://a.klaviyo.com";

    /// <summary>The API revision sent in the <c>revision</c> header.</summary>
    public string Revision { get; set; } = "2024-10-15";
}
