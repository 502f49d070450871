using Azure.Data.Tables;

namespace PecosCrm.Core.Wholesale;

/// <summary>
/// Rows of the <c>wholesale</c> table:
/// <list type="bullet">
/// <item>partition <c>w|{accountId}</c>, everything about one account, so an order or a payment and the
/// account's open balance change in one transaction: <c>acct|{accountId}</c> the account;
/// <c>price|{accountId}|{productId}</c> its custom prices; <c>order|{orderId}</c> its orders (lines
/// inside); <c>pay|{paymentId}</c> payments against them.</item>
/// <item>partition <c>customers</c>: <c>cust|{customerId}</c> claims a customer for one account; it is
/// added before the account row, so opening an account twice for a customer finds the first.</item>
/// <item>partition <c>list</c>: <c>list|{accountId}</c> a summary of each account, rewritten after
/// every change of it, so the account list and its filters (tier, manager, overdue, certificate) are
/// one partition query.</item>
/// </list>
/// Ids are time-ordered and unique, so every RowKey is unique across the table.
/// </summary>
public static class WholesaleKeys
{
    public const string CustomersPartition = "customers";
    public const string ListPartition = "list";
    public const string PricePrefix = "price|";
    public const string OrderPrefix = "order|";
    public const string PaymentPrefix = "pay|";

    public static string Account(string accountId) => "w|" + accountId;

    public static string AccountRow(string accountId) => "acct|" + accountId;

    public static string CustomerRow(string customerId) => "cust|" + customerId;

    public static string ListRow(string accountId) => "list|" + accountId;

    public static string PriceRow(string accountId, string productId) => PricePrefix + accountId + "|" + productId;

    public static string OrderRow(string orderId) => OrderPrefix + orderId;

    public static string PaymentRow(string paymentId) => PaymentPrefix + paymentId;

    /// <summary>The blob of an account's certificate: a new name per upload, so a link never serves a replaced file.</summary>
    public static string CertificateBlob(string accountId, string certificateId, string extension) => $"{accountId}/{certificateId}.{extension}";

    public static string Prefixed(string partition, string prefix) =>
        TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {prefix} and RowKey lt {Storage.KeyRules.PrefixEnd(prefix)}");
}
