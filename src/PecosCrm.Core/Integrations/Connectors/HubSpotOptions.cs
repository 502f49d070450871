namespace PecosCrm.Core.Integrations.Connectors;

/// <summary>HubSpot's credentials: an app setting or a Key Vault reference, never stored by the API.</summary>
public sealed class HubSpotOptions
{
    public const string SectionName = "Integrations:HubSpot";

    /// <summary>A private app's access token (sent as a bearer token).</summary>
    public string? AccessToken { get; set; }

    public string BaseUrl { get; set; } = "https://api.hubapi.com";
}
