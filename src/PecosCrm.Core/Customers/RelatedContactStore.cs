using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Customers;

/// <summary>
/// Links between customers: a <c>rel|{other}</c> row in each customer's partition. The two rows
/// are upserted one after the other (two partitions cannot share a transaction); both writes are
/// idempotent, so repeating a link or an unlink after a failure completes it.
/// </summary>
public sealed class RelatedContactStore(StorageAccount storage, CustomerStore customers, TimeProvider time)
{
    private TableClient Customers => storage.Table(StorageNames.Tables.Customers);

    public async Task<RelatedContact> LinkAsync(string customerId, string? otherId, Relationship? relationship, string? note, string actor, CancellationToken cancellationToken = default)
    {
        var check = new Validation();
        if (string.IsNullOrWhiteSpace(otherId))
        {
            check.Add("customerId", "is required: the customer to link.");
        }
        else if (otherId == customerId)
        {
            check.Add("customerId", "cannot link a customer to themselves.");
        }
        if (relationship is null or Relationship.GiftGiver)
        {
            check.Add("relationship", "is required: family, business_associate, gift_recipient or other.");
        }
        check.MaxLength("note", note, 500).ThrowIfInvalid();

        var self = await customers.GetAsync(customerId, cancellationToken);
        var other = await customers.FindAsync(otherId!, cancellationToken)
            ?? throw new ValidationFailedException("customerId", $"Customer '{otherId}' does not exist.");
        var now = time.GetUtcNow();
        var inverse = relationship == Relationship.GiftRecipient ? Relationship.GiftGiver : relationship!.Value;
        await Customers.UpsertEntityAsync(Row(self.Id, other, relationship.Value, note, actor, now), TableUpdateMode.Replace, cancellationToken);
        await Customers.UpsertEntityAsync(Row(other.Id, self, inverse, note, actor, now), TableUpdateMode.Replace, cancellationToken);
        return new RelatedContact(other.Id, other.FullName, other.Email, relationship.Value, note, actor, now);
    }

    public async Task<bool> UnlinkAsync(string customerId, string otherId, CancellationToken cancellationToken = default)
    {
        await customers.GetAsync(customerId, cancellationToken);
        if (!KeyRules.IsValidKey(otherId))
        {
            return false;
        }
        var existed = await Customers.FindAsync<RelatedEntity>(customerId, CustomerKeys.Related(otherId), cancellationToken) is not null;
        await DeleteIfExistsAsync(customerId, otherId, cancellationToken);
        await DeleteIfExistsAsync(otherId, customerId, cancellationToken);
        return existed;
    }

    public async Task<IReadOnlyList<RelatedContact>> ListAsync(string customerId, CancellationToken cancellationToken = default)
    {
        await customers.GetAsync(customerId, cancellationToken);
        return await ReadAsync(customerId, cancellationToken);
    }

    internal async Task<IReadOnlyList<RelatedContact>> ReadAsync(string customerId, CancellationToken cancellationToken)
    {
        var list = new List<RelatedContact>();
        await foreach (var row in Customers.QueryAsync<RelatedEntity>(CustomerKeys.PrefixFilter(customerId, CustomerKeys.RelatedPrefix), cancellationToken: cancellationToken))
        {
            list.Add(row.ToRecord());
        }
        return list;
    }

    /// <summary>Customers who share a shipping address with this one and are not linked yet.</summary>
    public async Task<IReadOnlyList<CustomerSummary>> SuggestAsync(string customerId, CancellationToken cancellationToken = default)
    {
        var customer = await customers.GetAsync(customerId, cancellationToken);
        var linked = (await ReadAsync(customerId, cancellationToken)).Select(r => r.CustomerId).ToHashSet();
        return (await customers.SharingAddressAsync(customer, cancellationToken)).Where(s => !linked.Contains(s.Id)).ToList();
    }

    private async Task DeleteIfExistsAsync(string partition, string other, CancellationToken cancellationToken)
    {
        try
        {
            await Customers.DeleteEntityAsync(partition, CustomerKeys.Related(other), ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Already gone.
        }
    }

    private static RelatedEntity Row(string partition, Customer other, Relationship relationship, string? note, string actor, DateTimeOffset at) => new()
    {
        PartitionKey = partition,
        RowKey = CustomerKeys.Related(other.Id),
        OtherId = other.Id,
        Name = other.FullName,
        Email = other.Email,
        Relationship = relationship.ToString(),
        Note = note,
        LinkedBy = actor,
        LinkedAt = at,
    };
}

internal sealed class RelatedEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string OtherId { get; set; } = "";
    public string Name { get; set; } = "";
    public string? Email { get; set; }
    public string Relationship { get; set; } = "";
    public string? Note { get; set; }
    public string LinkedBy { get; set; } = "";
    public DateTimeOffset LinkedAt { get; set; }

    public RelatedContact ToRecord() => new(OtherId, Name, Email, Enum.Parse<Relationship>(Relationship), Note, LinkedBy, LinkedAt);
}
