namespace PecosCrm.Core.Integrations.Connectors;

/// <summary>How connectors retry, pace and schedule their syncs (the services' own settings are per connector).</summary>
public sealed class ConnectorOptions
{
    public const string SectionName = "Connectors";

    /// <summary>The waits before each new try of a failed call (a 5xx, a timeout, a refused connection); a 429's <c>Retry-After</c> wins when given.</summary>
    public List<TimeSpan> RetryDelays { get; set; } = [];

    public static readonly IReadOnlyList<TimeSpan> DefaultRetryDelays = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(16)];

    public IReadOnlyList<TimeSpan> CallDelays => RetryDelays.Count > 0 ? RetryDelays : DefaultRetryDelays;

    /// <summary>The wait before a failed sync runs again; it doubles with each failure in a row, up to <see cref="MaxFailedSyncDelay"/>.</summary>
    public TimeSpan FailedSyncDelay { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan MaxFailedSyncDelay { get; set; } = TimeSpan.FromHours(6);

    /// <summary>A <c>Retry-After</c> longer than this ends the run; the sync is tried again after it.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often an enabled connector syncs on its own.</summary>
    public TimeSpan SyncInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How old a logged change must be before a sync takes it (a change still being written is never passed over).</summary>
    public TimeSpan SettleTime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one call may take.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}
