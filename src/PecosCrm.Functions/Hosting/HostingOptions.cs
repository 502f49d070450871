namespace PecosCrm.Functions.Hosting;

/// <summary>How the app is hosted; see docs/hosting.md.</summary>
public sealed class HostingOptions
{
    public const string SectionName = "Hosting";

    /// <summary>Set by the Azure Functions host: the port it forwards requests and invocations to.</summary>
    public const string CustomHandlerPortKey = "FUNCTIONS_CUSTOMHANDLER_PORT";

    /// <summary>The time zone of NCRONTAB schedules, as Azure Functions reads it (Windows or IANA id).</summary>
    public const string TimeZoneKey = "WEBSITE_TIME_ZONE";

    /// <summary>Run timers in-process (standalone mode only).</summary>
    public bool RunTimers { get; set; } = true;

    /// <summary>Poll queues in-process (standalone mode only).</summary>
    public bool RunQueues { get; set; } = true;

    /// <summary>Messages handled at once per queue, as the Functions queue trigger's batchSize.</summary>
    public int QueueBatchSize { get; set; } = 16;

    public int MaxDequeueCount { get; set; } = 5;

    /// <summary>How long a received message stays hidden from other consumers while it is handled.</summary>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a failed message waits before it is delivered again.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Polling backs off from the minimum to the maximum interval while a queue is empty.</summary>
    public TimeSpan MinPollInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxPollInterval { get; set; } = TimeSpan.FromSeconds(5);
}
