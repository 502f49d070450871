using System.Runtime.Serialization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;

namespace PecosCrm.Core.Automation;

/// <summary>Where an instance stands.</summary>
public enum InstanceStatus
{
    /// <summary>Moving through steps (or queued to).</summary>
    Active,

    /// <summary>In a wait (a durable timer, or an event); also a send postponed by quiet hours or the frequency cap.</summary>
    Waiting,
    Suspended,

    /// <summary>Reached an end node.</summary>
    Completed,

    /// <summary>The goal was reached: the instance ended wherever it was.</summary>
    Goal,

    /// <summary>Left early: a flow filter stopped holding.</summary>
    Exited,
    Terminated,
    Failed,
}

/// <summary>One step an instance took, as its history shows it.</summary>
public sealed record InstanceStep(long Sequence, string Node, string Type, string Outcome, DateTimeOffset At);

/// <summary>An enrolment of one customer in one version of a workflow.</summary>
public sealed record WorkflowInstance(
    string Id, string WorkflowId, int Version, string CustomerId, InstanceStatus Status, string Node, long Sequence,
    DateTimeOffset? WakeAt, string? WaitingForEvent, string? Branch, string Source, DateTimeOffset EnrolledAt, DateTimeOffset? EndedAt, string? ExitReason,
    IReadOnlyList<InstanceStep>? History);

/// <summary>
/// The <c>state</c> row of an instance's own partition in <c>automationinstances</c>. Beside it: the
/// history (<c>h|{sequence}</c>) and the markers of side effects already made (<c>fx|{node}|{visit}</c>),
/// each written in the same ETag-guarded transaction as the state it belongs to.
/// </summary>
internal sealed class InstanceEntity : ITableEntity
{
    public const string StateRow = "state";

    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = StateRow;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string WorkflowId { get; set; } = "";
    public int Version { get; set; }
    public string CustomerId { get; set; } = "";
    public string Status { get; set; } = nameof(InstanceStatus.Active);
    public string? SuspendedStatus { get; set; }
    public string Node { get; set; } = "";
    public long Sequence { get; set; }
    public DateTimeOffset? WakeAt { get; set; }
    public string? WaitingForEvent { get; set; }
    public bool WaitDone { get; set; }
    public DateTimeOffset? EffectAt { get; set; }
    public string Visits { get; set; } = "{}";
    public string? Branch { get; set; }
    public string? LastEmailId { get; set; }
    public string Source { get; set; } = "";
    public DateTimeOffset EnrolledAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public string? ExitReason { get; set; }

    [IgnoreDataMember]
    public InstanceStatus StatusValue => Enum.Parse<InstanceStatus>(Status);

    [IgnoreDataMember]
    public bool IsFinished => StatusValue is InstanceStatus.Completed or InstanceStatus.Goal or InstanceStatus.Exited or InstanceStatus.Terminated or InstanceStatus.Failed;

    public int Visit(string node) => (JsonSerializer.Deserialize<Dictionary<string, int>>(Visits) ?? []).GetValueOrDefault(node);

    public void CountVisit(string node)
    {
        var visits = JsonSerializer.Deserialize<Dictionary<string, int>>(Visits) ?? [];
        visits[node] = visits.GetValueOrDefault(node) + 1;
        Visits = JsonSerializer.Serialize(visits);
    }

    public WorkflowInstance ToRecord(IReadOnlyList<InstanceStep>? history = null) => new(
        PartitionKey, WorkflowId, Version, CustomerId, StatusValue, Node, Sequence, WakeAt, WaitingForEvent, Branch, Source, EnrolledAt, EndedAt, ExitReason, history);
}
