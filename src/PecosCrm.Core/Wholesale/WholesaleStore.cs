using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Wholesale;

/// <summary>
/// The rows of the <c>wholesale</c> table (<see cref="WholesaleKeys"/>). An account's orders and
/// payments are written in one transaction with the account row (its open balance and due dates),
/// under the account row's ETag; the list row is a copy written after each such change.
/// </summary>
public sealed class WholesaleStore(StorageAccount storage)
{
    private TableClient Table => storage.Table(StorageNames.Tables.Wholesale);

    /// <summary>Claims the customer for <paramref name="accountId"/>; answers the account that had claimed it first, or null when this call claimed it.</summary>
    internal async Task<string?> ClaimCustomerAsync(string customerId, string accountId, CancellationToken cancellationToken)
    {
        try
        {
            await Table.AddEntityAsync(new CustomerClaimEntity { RowKey = WholesaleKeys.CustomerRow(customerId), AccountId = accountId }, cancellationToken);
            return null;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            var claim = await Table.FindAsync<CustomerClaimEntity>(WholesaleKeys.CustomersPartition, WholesaleKeys.CustomerRow(customerId), cancellationToken);
            return claim!.AccountId;
        }
    }

    /// <summary>The account a customer's claim points at, or null.</summary>
    public async Task<string?> FindAccountIdForCustomerAsync(string customerId, CancellationToken cancellationToken = default) =>
        KeyRules.IsValidKey(customerId)
            ? (await Table.FindAsync<CustomerClaimEntity>(WholesaleKeys.CustomersPartition, WholesaleKeys.CustomerRow(customerId), cancellationToken))?.AccountId
            : null;

    internal async Task<AccountEntity?> FindAccountRowAsync(string accountId, CancellationToken cancellationToken) =>
        KeyRules.IsValidKey(accountId) ? await Table.FindAsync<AccountEntity>(WholesaleKeys.Account(accountId), WholesaleKeys.AccountRow(accountId), cancellationToken) : null;

    internal async Task<AccountEntity> GetAccountRowAsync(string accountId, CancellationToken cancellationToken) =>
        await FindAccountRowAsync(accountId, cancellationToken) ?? throw new NotFoundException("Wholesale account", accountId);

    public async Task<WholesaleAccount?> FindAsync(string accountId, CancellationToken cancellationToken = default) =>
        (await FindAccountRowAsync(accountId, cancellationToken))?.ToRecord();

    /// <summary>Adds the account row (a retry that finds it already there leaves it) and its list row.</summary>
    internal async Task AddAccountAsync(AccountEntity account, CancellationToken cancellationToken)
    {
        try
        {
            await Table.AddEntityAsync(account, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return;
        }
        await Table.UpsertEntityAsync(account.AsListRow(), TableUpdateMode.Replace, cancellationToken);
    }

    /// <summary>Replaces the account row under its ETag (412 → <see cref="ConcurrencyException"/>), then its list row.</summary>
    internal async Task<WholesaleAccount> ReplaceAccountAsync(AccountEntity account, CancellationToken cancellationToken)
    {
        account.ETag = await Table.ReplaceIfMatchAsync(account, cancellationToken);
        await Table.UpsertEntityAsync(account.AsListRow(), TableUpdateMode.Replace, cancellationToken);
        return account.ToRecord();
    }

    /// <summary>
    /// One page of the account list, from the list partition. <paramref name="overdueAt"/> keeps accounts
    /// with an order unpaid past its due date at that moment; <paramref name="certificateExpiredBefore"/>
    /// those whose certificate's last day is before that date.
    /// </summary>
    public async Task<Storage.Page<WholesaleAccount>> ListAsync(
        WholesaleTier? tier, string? accountManagerId, DateTimeOffset? overdueAt, DateOnly? certificateExpiredBefore, int limit, string? cursor,
        CancellationToken cancellationToken = default)
    {
        var filter = WholesaleKeys.Prefixed(WholesaleKeys.ListPartition, WholesaleKeys.ListRow(""));
        if (tier is not null)
        {
            filter += " and " + TableClient.CreateQueryFilter($"Tier eq {tier.Value.ToString()}");
        }
        if (accountManagerId is not null)
        {
            filter += " and " + TableClient.CreateQueryFilter($"AccountManagerId eq {accountManagerId}");
        }
        if (overdueAt is { } at)
        {
            filter += " and " + TableClient.CreateQueryFilter($"EarliestOpenDueAt lt {at}");
        }
        if (certificateExpiredBefore is { } day)
        {
            filter += " and " + TableClient.CreateQueryFilter($"CertificateExpiresOn lt {day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)}");
        }
        var page = await Table.QueryPageAsync<AccountEntity>(filter, limit, cursor, cancellationToken);
        return page.Select(e => e.ToRecord());
    }

    /// <summary>Accounts whose certificate lapses on or before <paramref name="lastDay"/> and whose manager has not been reminded of it.</summary>
    internal async Task<IReadOnlyList<string>> CertificatesToRemindAsync(DateOnly lastDay, CancellationToken cancellationToken)
    {
        var filter = WholesaleKeys.Prefixed(WholesaleKeys.ListPartition, WholesaleKeys.ListRow(""))
            + " and " + TableClient.CreateQueryFilter($"CertificateExpiresOn le {lastDay.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)}");
        // Table queries cannot compare with null: rows already reminded are skipped here.
        var ids = new List<string>();
        await foreach (var row in Table.QueryAsync<AccountEntity>(filter, select: [nameof(AccountEntity.AccountId), nameof(AccountEntity.CertificateReminderSentAt)], cancellationToken: cancellationToken))
        {
            if (row.CertificateReminderSentAt is null)
            {
                ids.Add(row.AccountId);
            }
        }
        return ids;
    }

    public async Task<CustomPrice?> FindPriceAsync(string accountId, string productId, CancellationToken cancellationToken = default) =>
        KeyRules.IsValidKey(productId)
            ? (await Table.FindAsync<PriceEntity>(WholesaleKeys.Account(accountId), WholesaleKeys.PriceRow(accountId, productId), cancellationToken))?.ToRecord()
            : null;

    internal async Task<CustomPrice> SetPriceAsync(string accountId, string productId, long priceCents, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var row = new PriceEntity
        {
            PartitionKey = WholesaleKeys.Account(accountId), RowKey = WholesaleKeys.PriceRow(accountId, productId), ProductId = productId, PriceCents = priceCents, UpdatedAt = now,
        };
        await Table.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken);
        return row.ToRecord();
    }

    internal async Task<bool> DeletePriceAsync(string accountId, string productId, CancellationToken cancellationToken)
    {
        var response = await Table.DeleteEntityAsync(WholesaleKeys.Account(accountId), WholesaleKeys.PriceRow(accountId, productId), ETag.All, cancellationToken);
        return response.Status != 404;
    }

    public async Task<Storage.Page<CustomPrice>> ListPricesAsync(string accountId, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        var page = await Table.QueryPageAsync<PriceEntity>(
            WholesaleKeys.Prefixed(WholesaleKeys.Account(accountId), WholesaleKeys.PriceRow(accountId, "")), limit, cursor, cancellationToken);
        return page.Select(p => p.ToRecord());
    }

    /// <summary>The account's custom prices for the given products (one partition query for all of them).</summary>
    internal async Task<Dictionary<string, long>> PricesForAsync(string accountId, IReadOnlyCollection<string> productIds, CancellationToken cancellationToken)
    {
        var wanted = productIds.ToHashSet(StringComparer.Ordinal);
        var prices = new Dictionary<string, long>(StringComparer.Ordinal);
        await foreach (var row in Table.QueryAsync<PriceEntity>(WholesaleKeys.Prefixed(WholesaleKeys.Account(accountId), WholesaleKeys.PriceRow(accountId, "")), cancellationToken: cancellationToken))
        {
            if (wanted.Contains(row.ProductId))
            {
                prices[row.ProductId] = row.PriceCents;
            }
        }
        return prices;
    }

    /// <summary>Adds the order and replaces the account row (its open orders) in one transaction, under the account's ETag.</summary>
    internal async Task<WholesaleAccount> AddOrderAsync(AccountEntity account, WholesaleOrderEntity order, CancellationToken cancellationToken)
    {
        await Table.SubmitClaimingAsync(
            [new(TableTransactionActionType.Add, order), new(TableTransactionActionType.UpdateReplace, account, account.ETag)],
            $"The order '{order.OrderId}' exists already.", cancellationToken);
        return await RefreshListRowAsync(account.AccountId, cancellationToken);
    }

    /// <summary>Adds the payment and replaces the order and the account row in one transaction, under both ETags.</summary>
    internal async Task<WholesaleAccount> AddPaymentAsync(AccountEntity account, WholesaleOrderEntity order, WholesalePaymentEntity payment, CancellationToken cancellationToken)
    {
        await Table.SubmitClaimingAsync(
            [new(TableTransactionActionType.Add, payment), new(TableTransactionActionType.UpdateReplace, order, order.ETag), new(TableTransactionActionType.UpdateReplace, account, account.ETag)],
            $"The payment '{payment.PaymentId}' exists already.", cancellationToken);
        return await RefreshListRowAsync(account.AccountId, cancellationToken);
    }

    private async Task<WholesaleAccount> RefreshListRowAsync(string accountId, CancellationToken cancellationToken)
    {
        var account = await GetAccountRowAsync(accountId, cancellationToken);
        await Table.UpsertEntityAsync(account.AsListRow(), TableUpdateMode.Replace, cancellationToken);
        return account.ToRecord();
    }

    internal async Task<WholesaleOrderEntity?> FindOrderRowAsync(string accountId, string orderId, CancellationToken cancellationToken) =>
        KeyRules.IsValidKey(orderId) ? await Table.FindAsync<WholesaleOrderEntity>(WholesaleKeys.Account(accountId), WholesaleKeys.OrderRow(orderId), cancellationToken) : null;

    /// <summary>One page of an account's orders, oldest first; <paramref name="overdueAt"/> keeps those unpaid past their due date then.</summary>
    public async Task<Storage.Page<WholesaleOrder>> ListOrdersAsync(
        string accountId, PaymentStatus? status, DateTimeOffset? overdueAt, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        var filter = WholesaleKeys.Prefixed(WholesaleKeys.Account(accountId), WholesaleKeys.OrderPrefix);
        if (status is not null)
        {
            filter += " and " + TableClient.CreateQueryFilter($"PaymentStatus eq {status.Value.ToString()}");
        }
        if (overdueAt is { } at)
        {
            filter += " and " + TableClient.CreateQueryFilter($"DueAt lt {at} and PaymentStatus ne {nameof(PaymentStatus.Paid)}");
        }
        var page = await Table.QueryPageAsync<WholesaleOrderEntity>(filter, limit, cursor, cancellationToken);
        return page.Select(o => o.ToRecord());
    }

    /// <summary>The payments of one order (an account's payments are few; read from its partition).</summary>
    public async Task<IReadOnlyList<WholesalePayment>> PaymentsAsync(string accountId, string orderId, CancellationToken cancellationToken = default)
    {
        var filter = WholesaleKeys.Prefixed(WholesaleKeys.Account(accountId), WholesaleKeys.PaymentPrefix) + " and " + TableClient.CreateQueryFilter($"OrderId eq {orderId}");
        var payments = new List<WholesalePayment>();
        await foreach (var row in Table.QueryAsync<WholesalePaymentEntity>(filter, cancellationToken: cancellationToken))
        {
            payments.Add(row.ToRecord());
        }
        return payments.OrderBy(p => p.PaidAt).ToList();
    }
}
