namespace PecosCrm.Functions.Hosting;

/// <summary>
/// The shape of the automation runtime's two jobs, which run through the adapter functions in
/// <c>Jobs/AutomationFunctions.cs</c> until automations become durable orchestrations. Every other
/// job is a <c>[Function]</c> class of its own.
/// </summary>
public interface ITimerJob
{
    Task RunAsync(TimerInvocation timer, CancellationToken cancellationToken);
}

/// <summary>A queue job: delivery is at least once; throwing fails the delivery.</summary>
public interface IQueueJob
{
    Task HandleAsync(QueueInvocation message, CancellationToken cancellationToken);
}

public sealed record TimerInvocation(DateTimeOffset ScheduledFor, bool IsPastDue);

public sealed record QueueInvocation(string Body, string? MessageId, long DequeueCount);
