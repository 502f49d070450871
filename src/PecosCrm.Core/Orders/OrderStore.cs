using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Privacy;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Orders;

/// <summary>
/// Reads orders: one by id (through the order locator), a customer's newest first (from the
/// customer's partition), and the store's by month. Writes go through the event processor.
/// </summary>
public sealed class OrderStore(StorageAccount storage, Analytics.AnalyticsCopy analytics, Audit.AuditLog audit) : IPersonalData
{
    private TableClient Customers => storage.Table(StorageNames.Tables.Customers);
    private TableClient Locator => storage.Table(StorageNames.Tables.OrderIndex);
    private TableClient Months => storage.Table(StorageNames.Tables.OrdersByMonth);

    public async Task<Order?> FindAsync(string orderId, CancellationToken cancellationToken = default)
    {
        if (!KeyRules.IsValidKey(orderId))
        {
            return null;
        }
        var locator = await Locator.FindAsync<OrderLocatorEntity>(orderId, OrderLocatorEntity.Row(orderId), cancellationToken);
        if (locator is null)
        {
            return null;
        }
        return (await FindRowAsync(locator.CustomerId, locator.PlacedAt, orderId, cancellationToken))?.Order;
    }

    /// <summary>
    /// Where an order lives: claims it for <paramref name="customerId"/> when it is new (the locator
    /// row is added, so only one customer can have it), or answers the customer that has it.
    /// </summary>
    /// <returns>The order's customer and placement time, and whether this call claimed it (then it has no row yet).</returns>
    internal async Task<(string CustomerId, DateTimeOffset PlacedAt, bool Claimed)> ClaimAsync(string orderId, string customerId, DateTimeOffset placedAt, CancellationToken cancellationToken)
    {
        try
        {
            await Locator.AddEntityAsync(new OrderLocatorEntity { PartitionKey = orderId, RowKey = OrderLocatorEntity.Row(orderId), CustomerId = customerId, PlacedAt = placedAt }, cancellationToken);
            return (customerId, placedAt, true);
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 409)
        {
            var existing = await Locator.FindAsync<OrderLocatorEntity>(orderId, OrderLocatorEntity.Row(orderId), cancellationToken);
            return (existing!.CustomerId, existing.PlacedAt, false);
        }
    }

    /// <summary>An order's row in its customer's partition, with the event its data came from.</summary>
    internal async Task<CardOrder?> FindRowAsync(string customerId, DateTimeOffset placedAt, string orderId, CancellationToken cancellationToken)
    {
        var row = await Customers.FindAsync<OrderEntity>(customerId, CustomerKeys.Order(placedAt, orderId), cancellationToken);
        return row is null ? null : new CardOrder(row.ToOrder(), row.DataAt, row.DataEventId);
    }

    /// <summary>Every order of a customer (for the rare re-count of the metrics).</summary>
    internal async Task<List<Order>> AllForCustomerAsync(string customerId, CancellationToken cancellationToken)
    {
        var all = new List<Order>();
        await foreach (var row in Customers.QueryAsync<OrderEntity>(CustomerKeys.PrefixFilter(customerId, CustomerKeys.OrderPrefix), cancellationToken: cancellationToken))
        {
            all.Add(row.ToOrder());
        }
        return all;
    }

    public async Task<Order> GetAsync(string orderId, CancellationToken cancellationToken = default) =>
        await FindAsync(orderId, cancellationToken) ?? throw new NotFoundException("Order", orderId);

    /// <summary>A customer's orders, newest first.</summary>
    public async Task<Storage.Page<Order>> ListForCustomerAsync(string customerId, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        KeyRules.Require(customerId, "customerId");
        var page = await Customers.QueryPageAsync<OrderEntity>(CustomerKeys.PrefixFilter(customerId, CustomerKeys.OrderPrefix), limit, cursor, cancellationToken);
        return page.Select(e => e.ToOrder());
    }

    /// <summary>The id of a customer's order placed with <paramref name="couponCode"/>, if any (one query in the customer's partition).</summary>
    public async Task<string?> FindWithCouponAsync(string customerId, string couponCode, CancellationToken cancellationToken = default)
    {
        var filter = CustomerKeys.PrefixFilter(customerId, CustomerKeys.OrderPrefix) + " and " + TableClient.CreateQueryFilter($"CouponCode eq {couponCode}");
        await foreach (var order in Customers.QueryAsync<OrderEntity>(filter, maxPerPage: 1, select: [nameof(OrderEntity.OrderId)], cancellationToken: cancellationToken))
        {
            return order.OrderId;
        }
        return null;
    }

    /// <summary>
    /// The store's orders newest first, from <paramref name="to"/> (default: now) back to
    /// <paramref name="from"/> (default: 12 months before <paramref name="to"/>), month partition by
    /// month partition. The cursor carries the month and the position inside it.
    /// </summary>
    public async Task<Storage.Page<OrderSummary>> ListAsync(
        DateTimeOffset? from, DateTimeOffset? to, OrderStatus? status, int limit, string? cursor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var end = to ?? now;
        var start = from ?? end.AddMonths(-12);
        if (start > end)
        {
            throw new ValidationFailedException("from", "must not be after to.");
        }
        var decoded = Cursor.Decode(cursor);
        var month = decoded is null ? MonthOrderEntity.Month(end) : decoded.Split(' ', 2)[0];
        string? token = decoded is null ? null : decoded.Split(' ', 2) is [_, var t] ? t : null;
        if (!DateTime.TryParseExact(month, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out _))
        {
            throw new ValidationFailedException("cursor", "is not a cursor this API handed out.");
        }
        var firstMonth = MonthOrderEntity.Month(start);
        var items = new List<OrderSummary>();
        while (string.CompareOrdinal(month, firstMonth) >= 0 && items.Count < limit)
        {
            var filter = TableClient.CreateQueryFilter(
                $"PartitionKey eq {month} and RowKey ge {KeyRules.InvertedTicks(end)} and RowKey lt {KeyRules.InvertedTicks(start) + "~"}");
            if (status is not null)
            {
                filter += " and " + TableClient.CreateQueryFilter($"Status eq {status.Value.ToString()}");
            }
            var page = await Months.QueryPageAsync<MonthOrderEntity>(filter, limit - items.Count, Cursor.Encode(token), cancellationToken);
            items.AddRange(page.Items.Select(ToSummary));
            token = Cursor.Decode(page.NextCursor);
            if (token is null)
            {
                month = PreviousMonth(month);
            }
        }
        var next = string.CompareOrdinal(month, firstMonth) >= 0 ? Cursor.Encode(month + (token is null ? "" : " " + token)) : null;
        return new Storage.Page<OrderSummary>(items, next);
    }

    /// <summary>The month's orders in index form, for analytics rebuilds.</summary>
    internal IAsyncEnumerable<MonthOrderEntity> MonthAsync(string month, CancellationToken cancellationToken) =>
        Months.QueryAsync<MonthOrderEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {month}"), 1000, cancellationToken: cancellationToken);

    /// <summary>
    /// Writes the month rows of orders (the newest state of each), grouped by month into
    /// transactions; upserts, so repeating them is harmless.
    /// </summary>
    internal async Task WriteMonthRowsAsync(IEnumerable<Order> orders, CancellationToken cancellationToken)
    {
        var actions = orders.Select(o => new TableTransactionAction(TableTransactionActionType.UpsertReplace, MonthOrderEntity.From(o)));
        await Task.WhenAll(actions.GroupBy(a => a.Entity.PartitionKey).Select(month => Months.SubmitChunkedAsync(month, cancellationToken)));
    }

    /// <summary>The customer's order rows, as stored (GDPR export).</summary>
    public async Task ExportAsync(string customerId, PersonalDataArchive archive, CancellationToken cancellationToken) =>
        archive.AddRows("orders.json", await PersonalRows.ReadAsync(Customers, CustomerKeys.PrefixFilter(customerId, CustomerKeys.OrderPrefix), cancellationToken));

    /// <summary>
    /// Keeps the customer's orders in the store-wide figures under the pseudonym (month rows and the
    /// locator rewritten, the months marked for the analytical copy), scrubs the audit entries about
    /// the orders and deletes the order rows from the customer's partition.
    /// </summary>
    public async Task<int> EraseAsync(ErasureContext context, CancellationToken cancellationToken)
    {
        var rows = new List<OrderEntity>();
        await foreach (var row in Customers.QueryAsync<OrderEntity>(CustomerKeys.PrefixFilter(context.CustomerId, CustomerKeys.OrderPrefix), cancellationToken: cancellationToken))
        {
            rows.Add(row);
        }
        var changedMonths = new HashSet<string>(StringComparer.Ordinal);
        var rewritten = 0;
        foreach (var order in rows)
        {
            var month = MonthOrderEntity.Month(order.PlacedAt);
            var monthRow = await Months.FindAsync<MonthOrderEntity>(month, MonthOrderEntity.Row(order.PlacedAt, order.OrderId), cancellationToken);
            if (monthRow is not null)
            {
                monthRow.CustomerId = context.Pseudonym;
                await Months.UpdateEntityAsync(monthRow, Azure.ETag.All, TableUpdateMode.Replace, cancellationToken);
                changedMonths.Add(month);
                rewritten++;
            }
            await Locator.UpsertEntityAsync(new OrderLocatorEntity { PartitionKey = order.OrderId, RowKey = OrderLocatorEntity.Row(order.OrderId), CustomerId = context.Pseudonym, PlacedAt = order.PlacedAt }, TableUpdateMode.Replace, cancellationToken);
            rewritten++;
            context.Tally.AuditEntries += await audit.ScrubEntityAsync("order", order.OrderId, order.OrderId, cancellationToken);
        }
        foreach (var month in changedMonths)
        {
            await analytics.MarkChangedAsync(month, cancellationToken);
        }
        await PersonalRows.DeleteAsync(Customers, rows, cancellationToken);
        context.Tally.OrdersPseudonymised += rows.Count;
        return rewritten + rows.Count;
    }

    private static OrderSummary ToSummary(MonthOrderEntity e) => new(
        e.OrderId, e.Number, e.CustomerId, e.PlacedAt, Enum.Parse<OrderStatus>(e.Status), e.Currency, e.TotalCents, e.NetCents, e.CouponCode, e.Channel);

    private static string PreviousMonth(string month) =>
        DateTime.ParseExact(month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture).AddMonths(-1).ToString("yyyy-MM", CultureInfo.InvariantCulture);
}
