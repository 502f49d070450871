using System.Diagnostics;

namespace PecosCrm.Core.Campaigns;

/// <summary>
/// Whether a batch may go on: re-reads its campaign at most every <c>interval</c> (real time, as
/// polling is: a test's frozen clock must not stop a pause from being seen). Once closed it stays
/// closed, and <see cref="Cancelled"/> says whether the campaign was cancelled.
/// </summary>
internal sealed class CampaignGate(CampaignStore store, CampaignWork work, TimeSpan interval)
{
    private readonly SemaphoreSlim _sync = new(1, 1);
    private long _checkedAt = Stopwatch.GetTimestamp();
    private volatile bool _open = true;

    public bool Cancelled { get; private set; }

    public async Task<bool> OpenAsync(CancellationToken cancellationToken)
    {
        if (!_open || Stopwatch.GetElapsedTime(Interlocked.Read(ref _checkedAt)) < interval)
        {
            return _open;
        }
        await _sync.WaitAsync(cancellationToken);
        try
        {
            if (_open && Stopwatch.GetElapsedTime(Interlocked.Read(ref _checkedAt)) >= interval)
            {
                var campaign = await store.FindEntityAsync(work.CampaignId, cancellationToken);
                Cancelled = campaign is null || campaign.StateValue == CampaignState.Cancelled;
                _open = campaign is not null && IsCurrent(campaign, work);
                Interlocked.Exchange(ref _checkedAt, Stopwatch.GetTimestamp());
            }
            return _open;
        }
        finally
        {
            _sync.Release();
        }
    }

    /// <summary>Whether a batch of <paramref name="work"/> belongs to the campaign's current plan and may send.</summary>
    public static bool IsCurrent(CampaignEntity campaign, CampaignWork work) =>
        campaign.StateValue == CampaignState.Sending && campaign.Generation == work.Generation && campaign.Phase == work.Phase;
}
