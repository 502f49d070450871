namespace PecosCrm.Functions.Hosting;

/// <summary>A timer function's work. Runs once per schedule occurrence on one instance.</summary>
public interface ITimerJob
{
    Task RunAsync(TimerInvocation timer, CancellationToken cancellationToken);
}

/// <summary>
/// A queue function's work. Delivery is at least once: a job must be safe to run twice for one
/// message. Throwing fails the delivery; after five the message moves to the poison queue.
/// </summary>
public interface IQueueJob
{
    Task HandleAsync(QueueInvocation message, CancellationToken cancellationToken);
}

public sealed record TimerInvocation(DateTimeOffset ScheduledFor, bool IsPastDue);

public sealed record QueueInvocation(string Body, string? MessageId, long DequeueCount);
