namespace PecosCrm.Core.Integrations.Connectors;

/// <summary>Which side wins when a field differs between the CRM and the outside system.</summary>
public enum ConflictRule
{
    /// <summary>The side changed last wins (the customer's last update against the contact's last modification).</summary>
    Newest,

    /// <summary>The CRM's value is kept and pushed.</summary>
    CrmWins,

    /// <summary>The outside system's value is written to the customer.</summary>
    RemoteWins,
}

public enum SyncStatus
{
    Never,
    Queued,
    Running,
    Succeeded,
    Failed,
}

/// <summary>A segment a connector syncs, and where it goes: a Mailchimp tag (default: the segment's name), a Klaviyo list id.</summary>
public sealed record ConnectorSegment(string SegmentId, string? Target);

/// <summary>A customer field (<see cref="FieldMapping.Fields"/>) and the outside property it maps to, with its own conflict rule when it differs from the connector's.</summary>
public sealed record FieldMap(string Field, string Property, ConflictRule? Rule = null);

/// <summary>The state of a connector's syncs: the cursors, the last run and its counts, the last error and when the next try is due.</summary>
public sealed record ConnectorState(
    SyncStatus Status, DateTimeOffset? QueuedAt, DateTimeOffset? LastRunAt, DateTimeOffset? LastSuccessAt, string? Cursor, DateTimeOffset? PullCursor,
    IReadOnlyDictionary<string, int> Counts, string? LastError, DateTimeOffset? LastErrorAt, int FailuresInARow, DateTimeOffset? NextRunAt,
    IReadOnlyDictionary<string, DateTimeOffset> SegmentsSyncedAt);

/// <summary>A connector's configuration and state as stored. Credentials are never part of it.</summary>
public sealed record ConnectorConfig(
    string Name, bool Enabled, IReadOnlyDictionary<string, string> Settings, IReadOnlyList<ConnectorSegment> Segments,
    IReadOnlyList<FieldMap> FieldMapping, ConflictRule ConflictRule, string? UpdatedBy, DateTimeOffset? UpdatedAt, ConnectorState State, string ETag)
{
    public string Setting(string name) => Settings.TryGetValue(name, out var value) ? value : throw new ConnectorFailedException($"the setting '{name}' is not configured.");
}

/// <summary>A change of configuration: null members stay as they are.</summary>
public sealed record ConnectorConfigRequest(
    IReadOnlyDictionary<string, string>? Settings, IReadOnlyList<ConnectorSegment>? Segments, IReadOnlyList<FieldMap>? FieldMapping, ConflictRule? ConflictRule);

/// <summary>One call made to the outside API, as the log keeps it.</summary>
public sealed record ConnectorCall(
    string Id, string Connector, DateTimeOffset At, string Method, string Path, int? Status, long DurationMs, int Attempt, string? Error, string? RunId);

/// <summary>A setting a connector needs (its list id, its store id).</summary>
public sealed record ConnectorSettingInfo(string Name, bool Required, string Description);

/// <summary>A sync or a test failed for a reason worth showing in the sync state.</summary>
public class ConnectorFailedException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The outside API asked to wait longer than a run may: the sync is tried again after <see cref="RetryAfter"/>.</summary>
public sealed class ConnectorRateLimitedException(TimeSpan retryAfter)
    : ConnectorFailedException($"rate limited: the API asked to wait {retryAfter.TotalSeconds:0} s.")
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}
