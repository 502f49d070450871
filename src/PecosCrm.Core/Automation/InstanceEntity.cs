using System.Runtime.Serialization;
using Azure;
using Azure.Data.Tables;

namespace PecosCrm.Core.Automation;

/// <summary>Where an instance stands.</summary>
public enum InstanceStatus
{
    /// <summary>Moving through steps.</summary>
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
/// <param name="LateMs">For the step that ended a wait: how many milliseconds after the wake-up time it ran.</param>
public sealed record InstanceStep(long Sequence, string Node, string Type, string Outcome, DateTimeOffset At, double? LateMs = null);

/// <summary>An enrolment of one customer in one version of a workflow.</summary>
public sealed record WorkflowInstance(
    string Id, string WorkflowId, int Version, string CustomerId, InstanceStatus Status, string Node, long Sequence,
    DateTimeOffset? WakeAt, string? WaitingForEvent, string? Branch, string Source, DateTimeOffset EnrolledAt, DateTimeOffset? EndedAt, string? ExitReason,
    IReadOnlyList<InstanceStep>? History);

/// <summary>
/// What the app shows of an instance, written by the orchestration's activities as it moves: the
/// <c>state|{id}</c> row of the instance's own partition in <c>automationinstances</c>, and the same
/// fields in the instance's rows of <c>automationindex</c> (partitions <c>w|{workflow}</c> and
/// <c>c|{customer}</c>; keys in <see cref="AutomationKeys"/>). The Durable Task engine keeps the instance's real
/// state; these rows are the lists Durable's queries cannot answer (by customer, by workflow).
/// </summary>
internal sealed class InstanceEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
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

    /// <summary>The store event that ends the instance wherever it is (the workflow's goal), so the event processor needs no definition to raise it.</summary>
    public string? GoalEvent { get; set; }
    public string? Branch { get; set; }
    public string Source { get; set; } = "";
    public string? OrderId { get; set; }
    public DateTimeOffset EnrolledAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public string? ExitReason { get; set; }
    public bool Finished { get; set; }

    [IgnoreDataMember]
    public string InstanceId => !PartitionKey.Contains('|', StringComparison.Ordinal) ? PartitionKey : AutomationKeys.InstanceOf(RowKey);

    [IgnoreDataMember]
    public InstanceStatus StatusValue => Enum.Parse<InstanceStatus>(Status);

    [IgnoreDataMember]
    public bool IsFinished => StatusValue is InstanceStatus.Completed or InstanceStatus.Goal or InstanceStatus.Exited or InstanceStatus.Terminated or InstanceStatus.Failed;

    public InstanceEntity CopyTo(string partitionKey, string rowKey)
    {
        var copy = (InstanceEntity)MemberwiseClone();
        copy.PartitionKey = partitionKey;
        copy.RowKey = rowKey;
        copy.ETag = default;
        copy.Finished = IsFinished;
        return copy;
    }

    public WorkflowInstance ToRecord(IReadOnlyList<InstanceStep>? history = null) => new(
        InstanceId, WorkflowId, Version, CustomerId, StatusValue, Node, Sequence, WakeAt, WaitingForEvent, Branch, Source, EnrolledAt, EndedAt, ExitReason, history);
}
