namespace PecosCrm.Core.Events;

/// <summary>
/// Hears the events of a processed batch once, after every customer of it is written: the events
/// applied (and those found applied before, as <see cref="IAppliedEventObserver"/> hears them), per
/// customer in the order they happened, catalogue events first. An observer that writes should
/// write once for the batch, not once an event.
/// </summary>
public interface IAppliedBatchObserver
{
    Task OnBatchAppliedAsync(IReadOnlyList<StoreEvent> events, CancellationToken cancellationToken);
}
