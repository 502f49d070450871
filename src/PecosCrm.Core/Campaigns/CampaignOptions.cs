namespace PecosCrm.Core.Campaigns;

/// <summary>How campaigns are sent (section <c>Campaigns</c>).</summary>
public sealed class CampaignOptions
{
    public const string SectionName = "Campaigns";

    /// <summary>Recipients per batch, one queue message each (a throttle below this makes batches of one minute's share).</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>Provider requests (and compositions) of one batch made side by side.</summary>
    public int SendParallelism { get; set; } = 8;

    /// <summary>Message rows of one batch written side by side (each its own transaction in the customer's partition).</summary>
    public int WriteParallelism { get; set; } = 32;

    /// <summary>How often a running batch re-reads its campaign to notice a pause or cancel (0: before every recipient).</summary>
    public TimeSpan StateCheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>With work left and no batch heard from for this long past the plan, the timer queues the remaining work again.</summary>
    public TimeSpan StallAfter { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The largest list audience (<c>audience.customerIds</c>).</summary>
    public int MaxListSize { get; set; } = 50_000;
}
