namespace PecosCrm.Core.Integrations.Webhooks;

/// <summary>Outward webhooks: the retry schedule, the delivery timeout and the subscription cache.</summary>
public sealed class WebhookOptions
{
    public const string SectionName = "Webhooks";

    /// <summary>
    /// The waits before each retry of a failed delivery. The default follows the Standard Webhooks
    /// guidance (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: about 28 hours in all); after the last
    /// one the event is given up and the subscription disabled.
    /// </summary>
    public List<TimeSpan> RetryDelays { get; set; } = [];

    public static readonly IReadOnlyList<TimeSpan> DefaultRetryDelays =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2),
        TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(10),
    ];

    public IReadOnlyList<TimeSpan> Delays => RetryDelays.Count > 0 ? RetryDelays : DefaultRetryDelays;

    /// <summary>How long one delivery may take before it counts as failed.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long the list of active subscriptions is kept in memory by the publisher.</summary>
    public TimeSpan SubscriptionCache { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Plain <c>http://</c> receivers are refused unless on this machine; true allows them anywhere (tests, private networks).</summary>
    public bool AllowHttp { get; set; }
}
