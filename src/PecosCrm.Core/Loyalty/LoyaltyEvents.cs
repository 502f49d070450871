using Microsoft.Extensions.DependencyInjection;

namespace PecosCrm.Core.Loyalty;

/// <summary>Hears what happened to customers' loyalty once it is committed (automation triggers, outgoing webhooks).</summary>
public interface ILoyaltyEventSink
{
    Task OnLoyaltyEventAsync(LoyaltyNotice notice, CancellationToken cancellationToken);
}

/// <summary>
/// The one way loyalty tells the rest of the app what happened: <see cref="EmitAsync"/> hands each
/// committed notice to every <see cref="ILoyaltyEventSink"/> (resolved when first needed, so a sink
/// may itself depend on the ledger). A notice may be heard again after a crash and a retry; sinks
/// are idempotent (an enrolment honours its re-entry rule).
/// </summary>
public sealed class LoyaltyEvents(IServiceProvider services)
{
    private IReadOnlyList<ILoyaltyEventSink>? _sinks;

    public async Task EmitAsync(IEnumerable<LoyaltyNotice> notices, CancellationToken cancellationToken = default)
    {
        _sinks ??= services.GetServices<ILoyaltyEventSink>().ToList();
        foreach (var notice in notices)
        {
            foreach (var sink in _sinks)
            {
                await sink.OnLoyaltyEventAsync(notice, cancellationToken);
            }
        }
    }
}
