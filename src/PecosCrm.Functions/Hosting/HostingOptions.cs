namespace PecosCrm.Functions.Hosting;

/// <summary>How standalone mode runs timers and queues; see docs/hosting.md.</summary>
public sealed class HostingOptions
{
    public const string SectionName = "Hosting";

    /// <summary>The time zone of NCRONTAB schedules, as Azure Functions reads it (Windows or IANA id).</summary>
    public const string TimeZoneKey = "WEBSITE_TIME_ZONE";

    /// <summary>Run timers in-process (standalone mode only).</summary>
    public bool RunTimers { get; set; } = true;

    /// <summary>Poll queues in-process (standalone mode only).</summary>
    public bool RunQueues { get; set; } = true;

    /// <summary>Messages handled at once per queue, as the Functions queue trigger's batchSize.</summary>
    public int QueueBatchSize { get; set; } = 16;

    /// <summary>The delivery that fails for the last time moves the message to <c>&lt;queue&gt;-poison</c>, as host.json's maxDequeueCount.</summary>
    public int MaxDequeueCount { get; set; } = 5;

    /// <summary>
    /// How long a received message stays hidden from other consumers. It is renewed while the work
    /// runs, so a long job keeps its message, and a message held by a worker that died reappears
    /// after at most this long.
    /// </summary>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a failed message waits before it is delivered again.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Polling backs off from the minimum to the maximum interval while a queue is empty.</summary>
    public TimeSpan MinPollInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxPollInterval { get; set; } = TimeSpan.FromSeconds(5);
}
