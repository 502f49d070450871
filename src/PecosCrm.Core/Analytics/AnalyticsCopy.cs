using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using DuckDB.NET.Data;
using Microsoft.Extensions.Logging;
using PecosCrm.Core.Orders;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Analytics;

/// <summary>What a refresh of the analytical copy rebuilt: the months, and how many customers of the features file were re-read.</summary>
public sealed record CopyRefresh(IReadOnlyList<string> MonthsRebuilt, int CustomersRebuilt);

/// <summary>
/// Keeps the analytical copy: one Parquet file of orders and one of order lines per month in the
/// <c>analytics</c> container (<c>orders/month=yyyy-MM/orders.parquet</c>,
/// <c>order_lines/month=yyyy-MM/lines.parquet</c>). The event processor marks a month dirty when one
/// of its orders changes; a rebuild reads that month's partition of the orders-by-month index (never
/// all orders), writes the files with DuckDB and clears the mark unless it was set again meanwhile.
/// </summary>
public sealed partial class AnalyticsCopy(StorageAccount storage, CustomerFeatures features, AnalyticsEngine engine, TimeProvider time, ILogger<AnalyticsCopy> logger)
{

    public const string OrdersPrefix = "orders/";
    public const string LinesPrefix = "order_lines/";

    private TableClient State => storage.Table(StorageNames.Tables.AnalyticsState);
    private TableClient Months => storage.Table(StorageNames.Tables.OrdersByMonth);

    /// <summary>Records that a month's orders changed. Upsert: marking twice is harmless.</summary>
    public Task MarkChangedAsync(string month, CancellationToken cancellationToken = default) =>
        State.UpsertEntityAsync(new AnalyticsStateEntity { PartitionKey = AnalyticsKeys.DirtyPartition, RowKey = AnalyticsKeys.Dirty(month), At = time.GetUtcNow() },
            TableUpdateMode.Replace, cancellationToken);

    /// <summary>
    /// Rebuilds every month marked dirty and the customers marked changed; with <paramref name="full"/>,
    /// every month built before and every customer; then has the engine load the new version, so the
    /// next reader sees it. Returns what was rebuilt. Background work and explicit commands only: a
    /// request that reads analytics never calls it.
    /// </summary>
    public async Task<CopyRefresh> RebuildChangedAsync(bool full = false, CancellationToken cancellationToken = default)
    {
        var dirty = await StateRowsAsync(AnalyticsKeys.DirtyPartition, cancellationToken);
        var months = dirty.Select(AnalyticsKeys.MonthOf).ToHashSet(StringComparer.Ordinal);
        if (full)
        {
            months.UnionWith((await StateRowsAsync(AnalyticsKeys.BuiltPartition, cancellationToken)).Select(AnalyticsKeys.MonthOf));
        }
        foreach (var month in months.Order(StringComparer.Ordinal))
        {
            await RebuildMonthAsync(month, cancellationToken);
        }
        foreach (var mark in dirty)
        {
            try
            {
                // Only if nobody marked the month again while it was being rebuilt.
                await State.DeleteEntityAsync(mark.PartitionKey, mark.RowKey, mark.ETag, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 412)
            {
                // Marked again: the next run rebuilds it once more.
            }
        }
        var customers = await features.RebuildAsync(full, cancellationToken);
        await engine.RefreshAsync(cancellationToken);
        return new CopyRefresh(months.Order(StringComparer.Ordinal).ToList(), customers);
    }

    private async Task<List<AnalyticsStateEntity>> StateRowsAsync(string partition, CancellationToken cancellationToken)
    {
        var rows = new List<AnalyticsStateEntity>();
        await foreach (var row in State.QueryAsync<AnalyticsStateEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), cancellationToken: cancellationToken))
        {
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>Writes the month's two Parquet files from the orders-by-month index.</summary>
    public async Task<int> RebuildMonthAsync(string month, CancellationToken cancellationToken = default)
    {
        if (!DateTime.TryParseExact(month, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            throw new ValidationFailedException("month", "must be yyyy-MM.");
        }
        var work = Directory.CreateTempSubdirectory("pecoscrm-build-").FullName;
        try
        {
            var count = 0;
            using (var db = new DuckDBConnection("DataSource=:memory:"))
            {
                await db.OpenAsync(cancellationToken);
                Execute(db, """
                    CREATE TABLE orders (order_id VARCHAR, customer_id VARCHAR, number VARCHAR, placed_at TIMESTAMP, status VARCHAR, currency VARCHAR,
                        total_cents BIGINT, net_cents BIGINT, discount_cents BIGINT, coupon_code VARCHAR, channel VARCHAR);
                    CREATE TABLE lines (order_id VARCHAR, customer_id VARCHAR, placed_at TIMESTAMP, product_id VARCHAR, name VARCHAR, category VARCHAR,
                        quantity INTEGER, unit_price_cents BIGINT, counted BOOLEAN);
                    """);
                using (var orders = db.CreateAppender("orders"))
                using (var lines = db.CreateAppender("lines"))
                {
                    await foreach (var o in Months.QueryAsync<MonthOrderEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {month}"), 1000, cancellationToken: cancellationToken))
                    {
                        var placed = o.PlacedAt.UtcDateTime;
                        orders.CreateRow().AppendValue(o.OrderId).AppendValue(o.CustomerId).AppendValue(o.Number).AppendValue(placed)
                            .AppendValue(o.Status.ToLowerInvariant()).AppendValue(o.Currency).AppendValue(o.TotalCents).AppendValue(o.NetCents)
                            .AppendValue(o.DiscountCents).AppendValue(o.CouponCode).AppendValue(o.Channel).EndRow();
                        foreach (var l in JsonSerializer.Deserialize<List<OrderLine>>(o.Lines, CrmJson.Options) ?? [])
                        {
                            lines.CreateRow().AppendValue(o.OrderId).AppendValue(o.CustomerId).AppendValue(placed).AppendValue(l.ProductId).AppendValue(l.Name)
                                .AppendValue(l.Category?.Trim().ToLowerInvariant()).AppendValue(l.Quantity).AppendValue(l.UnitPriceCents).AppendValue(o.NetCents > 0).EndRow();
                        }
                        count++;
                    }
                }
                Execute(db, $"COPY orders TO '{Path.Combine(work, "orders.parquet")}' (FORMAT parquet); COPY lines TO '{Path.Combine(work, "lines.parquet")}' (FORMAT parquet);");
            }
            var container = storage.Container(StorageNames.Containers.Analytics);
            await container.GetBlobClient($"{OrdersPrefix}month={month}/orders.parquet").UploadAsync(Path.Combine(work, "orders.parquet"), overwrite: true, cancellationToken);
            await container.GetBlobClient($"{LinesPrefix}month={month}/lines.parquet").UploadAsync(Path.Combine(work, "lines.parquet"), overwrite: true, cancellationToken);
            await State.UpsertEntityAsync(new AnalyticsStateEntity { PartitionKey = AnalyticsKeys.BuiltPartition, RowKey = AnalyticsKeys.Built(month), At = time.GetUtcNow(), Orders = count },
                TableUpdateMode.Replace, cancellationToken);
            LogBuilt(logger, month, count);
            return count;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>When a month of the orders copy was last built; null before the first build.</summary>
    public async Task<DateTimeOffset?> OrdersBuiltAtAsync(CancellationToken cancellationToken = default)
    {
        var built = await StateRowsAsync(AnalyticsKeys.BuiltPartition, cancellationToken);
        return built.Count == 0 ? null : built.Max(b => b.At);
    }

    /// <summary>What an answer read from the version of <paramref name="asOf"/> says about its freshness.</summary>
    public async Task<CopyFreshness> AnswerFreshnessAsync(DateTimeOffset? asOf, CancellationToken cancellationToken = default) =>
        CopyFreshness.Of(await GetFreshnessAsync(cancellationToken), asOf);

    public async Task<Freshness> GetFreshnessAsync(CancellationToken cancellationToken = default)
    {
        var pending = StateRowsAsync(AnalyticsKeys.DirtyPartition, cancellationToken);
        var built = StateRowsAsync(AnalyticsKeys.BuiltPartition, cancellationToken);
        var customers = features.PendingAsync(cancellationToken);
        var (pendingMonths, builtMonths, (customersPending, oldestCustomer)) = (await pending, await built, await customers);
        var now = time.GetUtcNow();
        DateTimeOffset? oldest = pendingMonths.Count == 0 ? oldestCustomer : pendingMonths.Min(p => p.At);
        if (oldestCustomer is { } c && c < oldest)
        {
            oldest = c;
        }
        return new Freshness(
            pendingMonths.Count == 0 && customersPending == 0,
            oldest is null ? 0 : Math.Max(0, (now - oldest.Value).TotalSeconds),
            oldest,
            pendingMonths.Select(AnalyticsKeys.MonthOf).Order(StringComparer.Ordinal).ToList(),
            customersPending,
            builtMonths.Count == 0 ? null : builtMonths.Max(b => b.At),
            builtMonths.Count,
            builtMonths.Sum(b => (long)b.Orders));
    }

    private static void Execute(DuckDBConnection db, string sql)
    {
        using var command = db.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    [LoggerMessage(1, LogLevel.Information, "Analytical copy: month {Month} rebuilt with {Orders} orders")]
    private static partial void LogBuilt(ILogger logger, string month, int orders);
}
