using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Events;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Products;

/// <summary>
/// Product views by month, counted from <c>product.viewed</c> events a batch at a time: per product,
/// one transaction adds the batch's marker (a hash of the batch's view event ids for that product)
/// and advances the month counters, so a redelivered batch finds its marker (409) and counts nothing
/// twice. The same view sent again in another batch with other views would be counted again; the
/// storefront's retry of a whole batch is not.
/// </summary>
public sealed class ProductViews(StorageAccount storage, TimeProvider time)
{
    private TableClient Table => storage.Table(StorageNames.Tables.ProductStats);

    public async Task CountAsync(IEnumerable<StoreEvent> events, CancellationToken cancellationToken = default)
    {
        var byProduct = events
            .Where(e => e.Type == EventTypes.ProductViewed)
            .Select(e => (Event: e, ProductId: EventValidator.Data<ProductViewData>(e).ProductId))
            .Where(v => KeyRules.IsValidKey(v.ProductId))
            .DistinctBy(v => v.Event.Id)
            .GroupBy(v => v.ProductId!, StringComparer.Ordinal);
        await Parallel.ForEachAsync(byProduct, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (group, ct) =>
            await CountProductAsync(group.Key, group.Select(v => v.Event).ToList(), ct));
    }

    /// <summary>Views in the months from <paramref name="from"/>'s to <paramref name="to"/>'s (UTC months, both included).</summary>
    public async Task<long> TotalAsync(string productId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        var total = 0L;
        await foreach (var row in Table.QueryAsync<ViewMonthEntity>(ProductKeys.ViewsFilter(productId, Month(from), Month(to)), cancellationToken: cancellationToken))
        {
            total += row.Views;
        }
        return total;
    }

    private async Task CountProductAsync(string productId, List<StoreEvent> views, CancellationToken cancellationToken)
    {
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', views.Select(v => v.Id).Order(StringComparer.Ordinal)))))[..32];
        var marker = new ViewMonthEntity { PartitionKey = productId, RowKey = ProductKeys.ViewBatch(productId, hash), CountedAt = time.GetUtcNow() };
        var months = views.GroupBy(v => Month(v.OccurredAt)).ToDictionary(g => g.Key, g => (long)g.Count());
        await OptimisticRetry.RunAsync(async _ =>
        {
            var actions = new List<TableTransactionAction> { new(TableTransactionActionType.Add, marker) };
            foreach (var (month, count) in months)
            {
                var key = ProductKeys.Views(productId, month);
                var row = await Table.FindAsync<ViewMonthEntity>(productId, key, cancellationToken);
                actions.Add(row is null
                    ? new(TableTransactionActionType.Add, new ViewMonthEntity { PartitionKey = productId, RowKey = key, Views = count })
                    : new(TableTransactionActionType.UpdateReplace, new ViewMonthEntity { PartitionKey = productId, RowKey = key, Views = row.Views + count }, row.ETag));
            }
            try
            {
                await Table.SubmitTransactionAsync(actions, cancellationToken);
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 409)
            {
                // The marker exists: this batch's views were counted before. Otherwise a month row
                // was added by another batch at the same time, and the retry reads it.
                if (ex.FailedTransactionActionIndex != 0 && await Table.FindAsync<ViewMonthEntity>(productId, marker.RowKey, cancellationToken) is null)
                {
                    throw;
                }
            }
        }, cancellationToken: cancellationToken);
    }

    private static string Month(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMM", CultureInfo.InvariantCulture);
}

internal sealed class ViewMonthEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public long Views { get; set; }
    public DateTimeOffset? CountedAt { get; set; }
}
