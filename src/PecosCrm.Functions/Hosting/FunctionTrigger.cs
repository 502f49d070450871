using System.Reflection;

namespace PecosCrm.Functions.Hosting;

/// <summary>The kinds of trigger a <c>[Function]</c> can have, as <c>functions.metadata</c> names them.</summary>
public enum TriggerKind
{
    Http,
    Timer,
    Queue,
    Orchestration,
    Activity,
    Entity,
    Other,
}

/// <summary>
/// One <c>[Function]</c> method: its name, its trigger, and for timers the 6-field NCRONTAB
/// <see cref="Schedule"/>, for queues the logical <see cref="Queue"/> name (standalone mode applies
/// the storage prefix where the queue is used).
/// </summary>
public sealed record FunctionTrigger(string Name, TriggerKind Kind, string? Schedule, string? Queue, MethodInfo Method)
{
    /// <summary>The kind as <c>functions.metadata</c> spells a trigger binding's type.</summary>
    public string BindingType => Kind switch
    {
        TriggerKind.Http => "httpTrigger",
        TriggerKind.Timer => "timerTrigger",
        TriggerKind.Queue => "queueTrigger",
        TriggerKind.Orchestration => "orchestrationTrigger",
        TriggerKind.Activity => "activityTrigger",
        TriggerKind.Entity => "entityTrigger",
        _ => "other",
    };
}
