namespace PecosCrm.Core.Integrations.Webhooks;

/// <summary>
/// A reader of the webhook event log besides the subscriptions (the connectors' incremental syncs):
/// the publisher logs the event types it wants even when no subscription does. Asked once per
/// publication, so an answer should come from memory.
/// </summary>
public interface IEventLogReader
{
    /// <summary>Which event types to keep, or null when nothing is wanted now.</summary>
    ValueTask<Func<string, bool>?> WantedTypesAsync(CancellationToken cancellationToken);
}
