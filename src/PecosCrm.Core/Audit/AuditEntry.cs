namespace PecosCrm.Core.Audit;

/// <summary>Who made a change: a staff member, an integration, or the system itself (jobs, automations).</summary>
public sealed record AuditActor(string Type, string Id, string Name)
{
    public static readonly AuditActor System = new("system", "system", "PecosCrm");
}

/// <summary>One change: who, what, to which entity, the values before and after, and from where.</summary>
public sealed record AuditEntry(
    string Id,
    DateTimeOffset At,
    AuditActor Actor,
    string Action,
    string EntityType,
    string EntityId,
    string? OldValues,
    string? NewValues,
    string? Ip,
    string? UserAgent);

/// <summary>The filters of an audit query; all optional.</summary>
public sealed record AuditQuery(
    string? ActorId = null,
    string? EntityType = null,
    string? EntityId = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null);
