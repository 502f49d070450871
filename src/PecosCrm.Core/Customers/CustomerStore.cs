using Azure.Data.Tables;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Customers;

/// <summary>Customer profiles (on the customer's card) and the indexes that find them by email, phone, name and tier.</summary>
public sealed class CustomerStore(StorageAccount storage, CustomerCards cards, TimeProvider time)
{
    private readonly CustomerIndex _index = new(storage);

    public async Task<Customer> CreateAsync(CustomerFields fields, string actor, CancellationToken cancellationToken = default)
    {
        var check = new Validation();
        CustomerRules.Validate(fields, creating: true, check);
        check.ThrowIfInvalid();
        var existing = await cards.FindAsync(fields.Id!, cancellationToken);
        if (existing is { HasProfile: true })
        {
            throw new ConflictException($"Customer '{fields.Id}' already exists.");
        }
        var customer = ProfileChanges.Build(null, fields, time.GetUtcNow());
        var entry = ProfileChanges.AccountEntry(customer.Id, "Customer created", actor, customer.CreatedAt);
        return await WriteAsync(null, customer, null, entry, cancellationToken);
    }

    public async Task<Customer?> FindAsync(string id, CancellationToken cancellationToken = default) =>
        await cards.FindAsync(id, cancellationToken) is { HasProfile: true } card ? card.ToCustomer() : null;

    public async Task<Customer> GetAsync(string id, CancellationToken cancellationToken = default) =>
        await FindAsync(id, cancellationToken) ?? throw new NotFoundException("Customer", id);

    /// <summary>Changes the given fields; with <paramref name="ifMatch"/>, only if nobody changed the profile since.</summary>
    public async Task<(Customer Before, Customer After)> UpdateAsync(
        string id, CustomerFields patch, string? ifMatch, string actor, CancellationToken cancellationToken = default)
    {
        var check = new Validation();
        CustomerRules.Validate(patch, creating: false, check);
        if (patch.Id is not null && patch.Id != id)
        {
            check.Add("id", "cannot be changed.");
        }
        check.ThrowIfInvalid();

        var before = await GetAsync(id, cancellationToken);
        if (!string.IsNullOrEmpty(ifMatch) && ifMatch != "*" && ifMatch != before.ETag)
        {
            throw new ConcurrencyException();
        }
        var after = ProfileChanges.Build(before, patch, time.GetUtcNow());
        var changed = ProfileChanges.ChangedFields(before, after);
        if (changed.Count == 0)
        {
            return (before, before);
        }
        var entry = ProfileChanges.AccountEntry(id, "Profile updated: " + string.Join(", ", changed), actor, after.UpdatedAt);
        return (before, await WriteAsync(before, after, before.ETag, entry, cancellationToken));
    }

    /// <summary>A customer's purchase metrics as last written (no time-dependent parts), or empty when nothing is known of them.</summary>
    public async Task<CustomerMetrics> MetricsAsync(string id, CancellationToken cancellationToken = default) =>
        (await cards.FindAsync(id, cancellationToken))?.ToMetrics() ?? CustomerMetrics.Empty;

    /// <summary>All customers, or those of one tier, in id order.</summary>
    public Task<Storage.Page<CustomerSummary>> ListAsync(LoyaltyTier? tier, int limit, string? cursor, CancellationToken cancellationToken = default) =>
        _index.ListAsync(tier is null ? CustomerIndexEntity.All : CustomerIndexEntity.TierPartition(tier.Value), null, limit, cursor, cancellationToken);

    /// <summary>The customer with this email, ignoring case, or null.</summary>
    public Task<CustomerSummary?> FindByEmailAsync(string email, CancellationToken cancellationToken = default) =>
        _index.FindByEmailAsync(email, cancellationToken);

    /// <summary>Customers with this phone number, whatever its formatting.</summary>
    public Task<Storage.Page<CustomerSummary>> FindByPhoneAsync(string phone, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        if (CustomerRules.NormalizePhone(phone).Length == 0)
        {
            throw new ValidationFailedException("phone", "must contain digits.");
        }
        return _index.ListAsync(CustomerIndexEntity.PhonePartition(phone), null, limit, cursor, cancellationToken);
    }

    /// <summary>
    /// Customers whose first name, last name or full name starts with <paramref name="prefix"/>
    /// (at least two letters, case-insensitive), in name order. A customer matching on more than one
    /// name appears once per name.
    /// </summary>
    public Task<Storage.Page<CustomerSummary>> SearchByNameAsync(string prefix, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        var token = CustomerIndexEntity.NameToken(prefix);
        if (token.Length < 2)
        {
            throw new ValidationFailedException("name", "must have at least two letters.");
        }
        return _index.ListAsync(CustomerIndexEntity.NamePartition(token), KeyRules.Escape(token), limit, cursor, cancellationToken);
    }

    /// <summary>Other customers with one of this customer's shipping addresses.</summary>
    public async Task<IReadOnlyList<CustomerSummary>> SharingAddressAsync(Customer customer, CancellationToken cancellationToken = default)
    {
        var found = new Dictionary<string, CustomerSummary>();
        foreach (var address in customer.Addresses.Where(a => a.Kind == AddressKind.Shipping))
        {
            await foreach (var row in _index.InPartitionAsync(CustomerIndexEntity.AddressPartition(CustomerRules.AddressKey(address)), cancellationToken))
            {
                if (row.Id != customer.Id)
                {
                    found.TryAdd(row.Id, row);
                }
            }
        }
        return found.Values.ToList();
    }

    /// <summary>
    /// Claims the new email (its index row is the lock that keeps emails unique), writes the profile
    /// onto the card with its timeline entry, then brings the indexes in line. A crash before the
    /// last step leaves an index stale, never a profile wrong; the next write of the profile repairs it.
    /// </summary>
    private async Task<Customer> WriteAsync(Customer? before, Customer after, string? etag, TimelineEntry entry, CancellationToken cancellationToken)
    {
        var claimed = false;
        if (ProfileChanges.EmailChanged(before, after))
        {
            if (await _index.ClaimEmailAsync(after, cancellationToken) is { } owner)
            {
                throw new ConflictException($"Another customer ('{owner}') already has the email '{after.Email}'.");
            }
            claimed = true;
        }
        CardEntity written;
        try
        {
            written = await cards.ChangeAsync(after.Id, card =>
            {
                if (before is null ? card.HasProfile : !card.HasProfile || card.ProfileETag != etag)
                {
                    throw before is null ? new ConflictException($"Customer '{after.Id}' already exists.") : new ConcurrencyException();
                }
                card.SetProfile(after, card.LastEventAt);
                return CardChange.Card(featuresChanged: true, entry);
            }, cancellationToken);
        }
        catch when (claimed)
        {
            await _index.ReleaseEmailAsync(after.Email!, after.Id, cancellationToken);
            throw;
        }
        var saved = written.ToCustomer();
        await _index.SyncAsync(before, saved, cancellationToken);
        return saved;
    }
}
