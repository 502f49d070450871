namespace PecosCrm.Core.Integrations.Audiences;

/// <summary>Where the line between an audience file written on the request and one made by a queued job lies.</summary>
public sealed class AdAudienceOptions
{
    public const string SectionName = "AdAudiences";

    /// <summary>Segments with more members get their file from a queued job (202 and a link to poll) instead of on the request.</summary>
    public int MaxMembersOnRequest { get; set; } = 20_000;

}
