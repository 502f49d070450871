namespace PecosCrm.Core.Campaigns;

/// <summary>
/// A message of the <c>campaigns</c> queue: freeze the audience and queue the first batches
/// (<see cref="Start"/>), send one slice (<see cref="Batch"/>, only while <paramref name="Generation"/>
/// is the campaign's and not before <paramref name="NotBefore"/>), choose the A/B winner
/// (<see cref="Decide"/>), or mark the recipients of a cancelled campaign (<see cref="Cancel"/>).
/// <paramref name="Attempt"/> counts a slice's returns after transient provider failures.
/// </summary>
public sealed record CampaignWork(string Kind, string CampaignId, int Generation = 0, string? Phase = null, int Slice = 0, DateTimeOffset? NotBefore = null, int Attempt = 0)
{
    public const string Start = "start";
    public const string Batch = "batch";
    public const string Decide = "decide";
    public const string Cancel = "cancel";
}
