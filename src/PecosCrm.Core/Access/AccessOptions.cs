namespace PecosCrm.Core.Access;

public sealed class AccessOptions
{
    public const string SectionName = "Access";

    /// <summary>Requests per minute a key may make unless the key sets its own limit.</summary>
    public int DefaultRateLimitPerMinute { get; set; } = 1200;

    /// <summary>
    /// How long a verified key is trusted without reading storage again. A revoke takes effect at
    /// once on the instance that made it and within this time on every other instance.
    /// </summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The email of the staff member the bootstrap admin key belongs to.</summary>
    public string BootstrapAdminEmail { get; set; } = "admin@pecosrivertraders.example";
}
