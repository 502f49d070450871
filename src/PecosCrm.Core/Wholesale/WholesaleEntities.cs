using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;

namespace PecosCrm.Core.Wholesale;

/// <summary>
/// An account row (<c>acct|{id}</c> in the account's partition) and, with other keys, its summary in
/// the <c>list</c> partition: the same columns, so the list row is a copy made after every change.
/// </summary>
internal sealed class AccountEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string AccountId { get; set; } = "";
    public string CustomerId { get; set; } = "";
    public string CompanyName { get; set; } = "";
    public string Tier { get; set; } = nameof(WholesaleTier.Bronze);
    public string PaymentTerms { get; set; } = nameof(Wholesale.PaymentTerms.Net30);
    public long MinimumOrderCents { get; set; }
    public string? AccountManagerId { get; set; }
    public string? DealId { get; set; }
    public string CreatedBy { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public string? CertificateId { get; set; }
    public string? CertificateFileName { get; set; }
    public string? CertificateContentType { get; set; }
    public string? CertificateBlob { get; set; }
    public long CertificateBytes { get; set; }

    /// <summary><c>yyyy-MM-dd</c>, so the list can be filtered by it as text.</summary>
    public string? CertificateExpiresOn { get; set; }
    public DateTimeOffset? CertificateUploadedAt { get; set; }
    public DateTimeOffset? CertificateReminderSentAt { get; set; }

    /// <summary>Orders not paid in full: order id → due date, as JSON. The account's overdue state is read from it.</summary>
    public string OpenOrders { get; set; } = "{}";
    public long OpenBalanceCents { get; set; }
    public DateTimeOffset? EarliestOpenDueAt { get; set; }

    public Dictionary<string, DateTimeOffset> ReadOpenOrders() =>
        JsonSerializer.Deserialize<Dictionary<string, DateTimeOffset>>(OpenOrders) ?? [];

    public void WriteOpenOrders(Dictionary<string, DateTimeOffset> open, long balanceCents)
    {
        OpenOrders = JsonSerializer.Serialize(open);
        OpenBalanceCents = balanceCents;
        EarliestOpenDueAt = open.Count == 0 ? null : open.Values.Min();
    }

    public WholesaleAccount ToRecord() => new(
        AccountId, CustomerId, CompanyName, Enum.Parse<WholesaleTier>(Tier), Enum.Parse<PaymentTerms>(PaymentTerms), MinimumOrderCents,
        AccountManagerId, DealId,
        CertificateId is null ? null : new TaxCertificate(CertificateId, CertificateFileName ?? "", CertificateContentType ?? "", CertificateBytes,
            DateOnly.ParseExact(CertificateExpiresOn!, "yyyy-MM-dd", CultureInfo.InvariantCulture), CertificateUploadedAt ?? CreatedAt, CertificateReminderSentAt),
        OpenBalanceCents, EarliestOpenDueAt, CreatedAt, UpdatedAt, ETag.ToString());

    public AccountEntity AsListRow()
    {
        var copy = (AccountEntity)MemberwiseClone();
        copy.PartitionKey = WholesaleKeys.ListPartition;
        copy.RowKey = WholesaleKeys.ListRow(AccountId);
        copy.OpenOrders = "{}";
        copy.ETag = default;
        return copy;
    }
}

/// <summary>The claim of a customer for an account (<c>cust|{customerId}</c>).</summary>
internal sealed class CustomerClaimEntity : ITableEntity
{
    public string PartitionKey { get; set; } = WholesaleKeys.CustomersPartition;
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string AccountId { get; set; } = "";
}

/// <summary>A custom price of one product for one account.</summary>
internal sealed class PriceEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string ProductId { get; set; } = "";
    public long PriceCents { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public CustomPrice ToRecord() => new(ProductId, PriceCents, UpdatedAt);
}

/// <summary>A wholesale order, its lines as JSON (at most 100, well under a column's limit).</summary>
internal sealed class WholesaleOrderEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string OrderId { get; set; } = "";
    public string AccountId { get; set; } = "";
    public string? Reference { get; set; }
    public DateTimeOffset OrderedAt { get; set; }
    public DateTimeOffset DueAt { get; set; }
    public string PaymentTerms { get; set; } = "";
    public string Lines { get; set; } = "[]";
    public long SubtotalCents { get; set; }
    public long DiscountCents { get; set; }
    public long TotalCents { get; set; }
    public long PaidCents { get; set; }

    /// <summary>Written for the order list's filter: <c>unpaid</c>, <c>partially_paid</c>, <c>paid</c>.</summary>
    public string PaymentStatus { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public string CreatedBy { get; set; } = "";

    public WholesaleOrder ToRecord() => new(
        OrderId, AccountId, Reference, OrderedAt, DueAt, Enum.Parse<PaymentTerms>(PaymentTerms),
        JsonSerializer.Deserialize<List<WholesaleOrderLine>>(Lines, CrmJson.Options) ?? [], SubtotalCents, DiscountCents, TotalCents, PaidCents,
        CreatedAt, CreatedBy, ETag.ToString());
}

/// <summary>A payment against an order, in the account's partition.</summary>
internal sealed class WholesalePaymentEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string PaymentId { get; set; } = "";
    public string OrderId { get; set; } = "";
    public long AmountCents { get; set; }
    public DateTimeOffset PaidAt { get; set; }
    public string? Method { get; set; }
    public string? Reference { get; set; }
    public string RecordedBy { get; set; } = "";

    public WholesalePayment ToRecord() => new(PaymentId, OrderId, AmountCents, PaidAt, Method, Reference, RecordedBy);
}
