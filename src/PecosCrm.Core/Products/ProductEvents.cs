using Microsoft.Extensions.Logging;
using PecosCrm.Core.Events;

namespace PecosCrm.Core.Products;

/// <summary>
/// What store events do to the catalogue: <c>product.created</c> and <c>product.updated</c> change
/// the product and its history (each applied once, by event id, in the order they happened), and
/// <c>product.viewed</c> counts towards the product's views. Products go side by side; one
/// product's events one after the other.
/// </summary>
public sealed partial class ProductEvents(ProductStore products, ProductViews views, ILogger<ProductEvents> logger)
{
    public async Task ApplyAsync(IReadOnlyCollection<StoreEvent> events, CancellationToken cancellationToken = default)
    {
        var catalogue = events
            .Where(e => EventTypes.IsCatalogueEvent(e.Type))
            .DistinctBy(e => e.Id)
            .GroupBy(e => EventValidator.Data<ProductFields>(e).Id ?? "", StringComparer.Ordinal)
            .ToList();
        await Parallel.ForEachAsync(catalogue, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (product, ct) =>
        {
            foreach (var e in product.OrderBy(e => e.OccurredAt).ThenBy(e => e.Id, StringComparer.Ordinal))
            {
                try
                {
                    await products.ApplyEventAsync(e, ct);
                }
                catch (ValidationFailedException ex)
                {
                    // A store event cannot be refused once accepted: an update of a product never created, say.
                    LogRejected(logger, e.Id, e.Type, string.Join(", ", ex.Errors.Keys));
                }
            }
        });
        await views.CountAsync(events, cancellationToken);
    }

    [LoggerMessage(1, LogLevel.Warning, "Catalogue event {EventId} ({Type}) rejected: invalid {Fields}")]
    private static partial void LogRejected(ILogger logger, string eventId, string type, string fields);
}
