namespace PecosCrm.Functions.Hosting;

public enum TriggerKind
{
    Timer,
    Queue,
}

/// <summary>
/// One non-HTTP function: its name (the Functions host posts to <c>/{Name}</c>), its trigger and the
/// job class that handles it. <see cref="Schedule"/> is a 6-field NCRONTAB expression; <see cref="Queue"/>
/// is the logical queue name (the storage prefix is applied where the queue is used).
/// </summary>
public sealed record FunctionTrigger(string Name, TriggerKind Kind, string? Schedule, string? Queue, Type JobType)
{
    /// <summary>The binding name the trigger's data arrives under in an invocation payload.</summary>
    public string BindingName => Kind == TriggerKind.Timer ? "timer" : "message";
}
