using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Privacy;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Segments;

public enum DiscountKind
{
    Percent,
    Amount,
}

/// <summary>A single-use discount code issued to one customer; a voided code (<paramref name="VoidedAt"/>) must be refused at checkout.</summary>
public sealed record DiscountCode(
    string Code, string CustomerId, DiscountKind Kind, decimal Value, DateTimeOffset ExpiresAt, string Batch, DateTimeOffset IssuedAt,
    DateTimeOffset? VoidedAt = null, string? VoidReason = null);

/// <summary>
/// Single-use discount codes. A code is derived from the batch (the action job) and the customer, so
/// issuing again after a crash gives the same code instead of a second one. The <c>code</c> partition
/// of <c>discountcodes</c> finds a code's owner (the store checks it at checkout); the customer's own
/// partition keeps a <c>dc|{code}</c> row and a timeline entry, so the code shows on the customer.
/// </summary>
public sealed class DiscountCodes(StorageAccount storage, CustomerCards cards) : IPersonalData
{
    private const string CodePartition = "code";
    private const string CustomerRowPrefix = "dc|";
    private const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    private TableClient Codes => storage.Table(StorageNames.Tables.DiscountCodes);

    public static string CodeFor(string prefix, string batch, string customerId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(batch + "\n" + customerId));
        var code = new StringBuilder(prefix);
        for (var i = 0; i < 10; i++)
        {
            code.Append(Alphabet[hash[i] % Alphabet.Length]);
        }
        return code.ToString();
    }

    /// <summary>Issues the customer's code of a batch; issuing it again returns the same code and writes nothing new.</summary>
    public async Task<DiscountCode> IssueAsync(string prefix, string batch, string customerId, DiscountKind kind, decimal value, DateTimeOffset expiresAt, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var code = CodeFor(prefix, batch, customerId);
        var row = new TableEntity(CodePartition, code)
        {
            ["CustomerId"] = customerId,
            ["Kind"] = kind.ToString(),
            ["ValueCents"] = Money.ToCents(value),
            ["ExpiresAt"] = expiresAt,
            ["Batch"] = batch,
            ["IssuedAt"] = now,
            ["Redeemed"] = false,
        };
        try
        {
            await Codes.AddEntityAsync(row, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            var existing = await Codes.FindAsync<TableEntity>(CodePartition, code, cancellationToken);
            if (existing?.GetString("CustomerId") != customerId)
            {
                throw new ConflictException($"Discount code {code} already belongs to another customer.");
            }
        }
        var text = kind == DiscountKind.Percent ? $"{value:0.##}% off" : $"{Money.Format(Money.ToCents(value))} off";
        var onCustomer = new TableEntity(customerId, CustomerRowPrefix + code)
        {
            ["Code"] = code,
            ["Kind"] = kind.ToString(),
            ["ValueCents"] = Money.ToCents(value),
            ["ExpiresAt"] = expiresAt,
            ["Batch"] = batch,
            ["IssuedAt"] = now,
        };
        var entry = new TimelineEntry("dc-" + code, customerId, TimelineType.Account, $"Discount code {code} issued: {text}, until {expiresAt:yyyy-MM-dd}", now, "system", null, null);
        await cards.AppendAsync(customerId, [entry], [new(TableTransactionActionType.UpsertReplace, onCustomer)], cancellationToken);
        return new DiscountCode(code, customerId, kind, value, expiresAt, batch, now);
    }

    /// <summary>
    /// Voids the customer's code: the checkout lookup shows it void with the reason, and the customer's
    /// code row and timeline say so. A code that was never issued, is someone else's or is void already
    /// changes nothing.
    /// </summary>
    public async Task VoidAsync(string code, string customerId, string reason, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var row = await Codes.FindAsync<TableEntity>(CodePartition, code, cancellationToken);
        if (row is null || row.GetString("CustomerId") != customerId || row.GetDateTimeOffset("VoidedAt") is not null)
        {
            return;
        }
        await Codes.UpdateEntityAsync(new TableEntity(CodePartition, code) { ["VoidedAt"] = now, ["VoidReason"] = reason }, row.ETag, TableUpdateMode.Merge, cancellationToken);
        var onCustomer = new TableEntity(customerId, CustomerRowPrefix + code) { ["VoidedAt"] = now, ["VoidReason"] = reason };
        var entry = new TimelineEntry("dcv-" + code, customerId, TimelineType.Account, $"Discount code {code} voided: {reason}", now, "system", null, null);
        await cards.AppendAsync(customerId, [entry], [new(TableTransactionActionType.UpsertMerge, onCustomer)], cancellationToken);
    }

    public async Task<DiscountCode?> FindAsync(string code, CancellationToken cancellationToken = default)
    {
        var row = KeyRules.IsValidKey(code) ? await Codes.FindAsync<TableEntity>(CodePartition, code.Trim().ToUpperInvariant(), cancellationToken) : null;
        return row is null ? null : ToRecord(row.RowKey, row);
    }

    /// <summary>Every code issued (one partition read; for the nightly analysis of how customers answered discounts).</summary>
    public async Task<IReadOnlyList<DiscountCode>> AllAsync(CancellationToken cancellationToken = default)
    {
        var codes = new List<DiscountCode>();
        await foreach (var row in Codes.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {CodePartition}"), cancellationToken: cancellationToken))
        {
            codes.Add(ToRecord(row.RowKey, row));
        }
        return codes;
    }

    /// <summary>The codes issued to a customer, newest batch first.</summary>
    public async Task<IReadOnlyList<DiscountCode>> ForCustomerAsync(string customerId, CancellationToken cancellationToken = default)
    {
        var codes = new List<DiscountCode>();
        await foreach (var row in storage.Table(StorageNames.Tables.Customers).QueryAsync<TableEntity>(CustomerKeys.PrefixFilter(customerId, CustomerRowPrefix), cancellationToken: cancellationToken))
        {
            codes.Add(ToRecord(row.GetString("Code"), row, customerId));
        }
        return codes.OrderByDescending(c => c.IssuedAt).ToList();
    }

    /// <summary>Deletes the lookup rows of a customer's codes (GDPR erasure; the customer's partition goes separately). Returns how many.</summary>
    public async Task<int> EraseCustomerAsync(string customerId, CancellationToken cancellationToken = default)
    {
        var erased = 0;
        foreach (var code in await ForCustomerAsync(customerId, cancellationToken))
        {
            await Codes.DeleteEntityAsync(CodePartition, code.Code, ETag.All, cancellationToken);
            erased++;
        }
        return erased;
    }

    async Task IPersonalData.ExportAsync(string customerId, PersonalDataArchive archive, CancellationToken cancellationToken) =>
        archive.AddRows("discount-codes.json", await PersonalRows.ReadAsync(storage.Table(StorageNames.Tables.Customers), CustomerKeys.PrefixFilter(customerId, CustomerRowPrefix), cancellationToken));

    /// <summary>Deletes the lookup rows of the customer's codes, then their <c>dc|</c> rows.</summary>
    async Task<int> IPersonalData.EraseAsync(ErasureContext context, CancellationToken cancellationToken) =>
        await EraseCustomerAsync(context.CustomerId, cancellationToken)
        + await PersonalRows.DeleteWhereAsync(storage.Table(StorageNames.Tables.Customers), CustomerKeys.PrefixFilter(context.CustomerId, CustomerRowPrefix), cancellationToken);

    private static DiscountCode ToRecord(string code, TableEntity row, string? customerId = null) => new(
        code, customerId ?? row.GetString("CustomerId"), Enum.Parse<DiscountKind>(row.GetString("Kind")),
        Money.ToDecimal(row.GetInt64("ValueCents") ?? 0), row.GetDateTimeOffset("ExpiresAt") ?? default, row.GetString("Batch"), row.GetDateTimeOffset("IssuedAt") ?? default,
        row.GetDateTimeOffset("VoidedAt"), row.GetString("VoidReason"));
}
