using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Customers;

/// <summary>Customer profiles and the indexes that find them by email, phone, name and tier.</summary>
public sealed class CustomerStore(StorageAccount storage, TimeProvider time)
{
    private readonly CustomerPartition _partition = new(storage);

    private TableClient Customers => storage.Table(StorageNames.Tables.Customers);
    private TableClient Index => storage.Table(StorageNames.Tables.CustomerIndex);

    public async Task<Customer> CreateAsync(CustomerFields fields, string actor, CancellationToken cancellationToken = default)
    {
        var check = new Validation();
        CustomerRules.Validate(fields, creating: true, check);
        check.ThrowIfInvalid();
        if (await FindAsync(fields.Id!, cancellationToken) is not null)
        {
            throw new ConflictException($"Customer '{fields.Id}' already exists.");
        }
        var customer = Build(null, fields, time.GetUtcNow());
        var entry = AccountEntry(customer.Id, "Customer created", actor, customer.CreatedAt);
        await WriteAsync(null, customer, default, null, [entry], null, cancellationToken);
        return await GetAsync(customer.Id, cancellationToken);
    }

    public async Task<Customer?> FindAsync(string id, CancellationToken cancellationToken = default)
    {
        if (!KeyRules.IsValidKey(id))
        {
            return null;
        }
        return (await Customers.FindAsync<CustomerEntity>(id, CustomerKeys.Profile, cancellationToken))?.ToRecord();
    }

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

        var entity = KeyRules.IsValidKey(id) ? await Customers.FindAsync<CustomerEntity>(id, CustomerKeys.Profile, cancellationToken) : null;
        if (entity is null)
        {
            throw new NotFoundException("Customer", id);
        }
        TableClientExtensions.CheckIfMatch(ifMatch, entity.ETag);
        var before = entity.ToRecord();
        var after = Build(before, patch, time.GetUtcNow());
        var changed = ChangedFields(before, after);
        if (changed.Count == 0)
        {
            return (before, before);
        }
        var entry = AccountEntry(id, "Profile updated: " + string.Join(", ", changed), actor, after.UpdatedAt);
        await WriteAsync(before, after, entity.ETag, entity.LastEventAt, [entry], null, cancellationToken);
        return (before, await GetAsync(id, cancellationToken));
    }

    /// <summary>
    /// Applies a <c>customer.created</c> or <c>customer.updated</c> store event: creates the profile, or
    /// updates it when the event is newer than the last one applied (an older event changes nothing
    /// but is recorded as applied). Returns false when the event had been applied already.
    /// </summary>
    internal async Task<bool> ApplyEventAsync(CustomerFields fields, string eventId, DateTimeOffset occurredAt, CancellationToken cancellationToken)
    {
        var id = fields.Id!;
        var marker = new TableTransactionAction(TableTransactionActionType.Add,
            new EventMarkerEntity { PartitionKey = id, RowKey = CustomerKeys.Event(eventId), Type = "customer", OccurredAt = occurredAt });
        var entity = await Customers.FindAsync<CustomerEntity>(id, CustomerKeys.Profile, cancellationToken);
        var now = time.GetUtcNow();
        if (entity is null)
        {
            var created = Build(null, fields with { CustomerSince = fields.CustomerSince ?? occurredAt }, now);
            var entry = AccountEntry(id, "Customer created", "store", occurredAt, eventId);
            return await WriteAsync(null, created, default, occurredAt, [entry], marker, cancellationToken, fromEvent: true);
        }
        if (entity.LastEventAt is { } last && occurredAt < last)
        {
            return await _partition.SubmitAsync([marker], cancellationToken) == PartitionWrite.Applied;
        }
        var before = entity.ToRecord();
        var after = Build(before, fields, now);
        var changed = ChangedFields(before, after);
        var entries = changed.Count == 0 ? [] : new[] { AccountEntry(id, "Profile updated: " + string.Join(", ", changed), "store", occurredAt, eventId) };
        return await WriteAsync(before, after, entity.ETag, occurredAt, entries, marker, cancellationToken, fromEvent: true);
    }

    /// <summary>All customers, or those of one tier, in id order.</summary>
    public async Task<Storage.Page<CustomerSummary>> ListAsync(LoyaltyTier? tier, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        var partition = tier is null ? CustomerIndexEntity.All : CustomerIndexEntity.TierPartition(tier.Value);
        var page = await Index.QueryPageAsync<CustomerIndexEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), limit, cursor, cancellationToken);
        return page.Select(e => e.ToSummary());
    }

    /// <summary>The customer with this email, ignoring case, or null.</summary>
    public async Task<CustomerSummary?> FindByEmailAsync(string email, CancellationToken cancellationToken = default)
    {
        var row = await Index.FindAsync<CustomerIndexEntity>(CustomerIndexEntity.EmailPartition(email), "", cancellationToken);
        return row?.ToSummary();
    }

    /// <summary>Customers with this phone number, whatever its formatting.</summary>
    public async Task<Storage.Page<CustomerSummary>> FindByPhoneAsync(string phone, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        if (CustomerRules.NormalizePhone(phone).Length == 0)
        {
            throw new ValidationFailedException("phone", "must contain digits.");
        }
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {CustomerIndexEntity.PhonePartition(phone)}");
        var page = await Index.QueryPageAsync<CustomerIndexEntity>(filter, limit, cursor, cancellationToken);
        return page.Select(e => e.ToSummary());
    }

    /// <summary>
    /// Customers whose first name, last name or full name starts with <paramref name="prefix"/>
    /// (at least two letters, case-insensitive), in name order. A customer matching on more than one
    /// name appears once per name.
    /// </summary>
    public async Task<Storage.Page<CustomerSummary>> SearchByNameAsync(string prefix, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        var token = CustomerIndexEntity.NameToken(prefix);
        if (token.Length < 2)
        {
            throw new ValidationFailedException("name", "must have at least two letters.");
        }
        var escaped = KeyRules.Escape(token);
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {CustomerIndexEntity.NamePartition(token)} and RowKey ge {escaped} and RowKey lt {escaped + "~"}");
        var page = await Index.QueryPageAsync<CustomerIndexEntity>(filter, limit, cursor, cancellationToken);
        return page.Select(e => e.ToSummary());
    }

    /// <summary>Other customers with one of this customer's shipping addresses.</summary>
    public async Task<IReadOnlyList<CustomerSummary>> SharingAddressAsync(Customer customer, CancellationToken cancellationToken = default)
    {
        var found = new Dictionary<string, CustomerSummary>();
        foreach (var address in customer.Addresses.Where(a => a.Kind == AddressKind.Shipping))
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {CustomerIndexEntity.AddressPartition(CustomerRules.AddressKey(address))}");
            await foreach (var row in Index.QueryAsync<CustomerIndexEntity>(filter, 100, cancellationToken: cancellationToken))
            {
                if (row.CustomerId != customer.Id)
                {
                    found.TryAdd(row.CustomerId, row.ToSummary());
                }
            }
        }
        return found.Values.ToList();
    }

    private static TimelineEntry AccountEntry(string customerId, string title, string actor, DateTimeOffset at, string? id = null) =>
        new(id ?? Guid.CreateVersion7(at).ToString("N"), customerId, TimelineType.Account, title, at, actor, $"/api/customers/{customerId}", null);

    private static Customer Build(Customer? before, CustomerFields f, DateTimeOffset now)
    {
        var consent = before?.Consent ?? MarketingConsent.None;
        if (f.Consent is { } c)
        {
            var at = c.At ?? now;
            consent = new MarketingConsent(
                c.Email ?? consent.Email, c.Email is not null && c.Email != consent.Email ? at : consent.EmailAt ?? (c.Email is not null ? at : null),
                c.Sms ?? consent.Sms, c.Sms is not null && c.Sms != consent.Sms ? at : consent.SmsAt ?? (c.Sms is not null ? at : null));
        }
        return new Customer(
            before?.Id ?? f.Id!,
            f.FirstName?.Trim() ?? before?.FirstName ?? "",
            f.LastName?.Trim() ?? before?.LastName ?? "",
            f.Email is null ? before?.Email : f.Email.Trim(),
            f.Phone is null ? before?.Phone : f.Phone.Trim(),
            f.Addresses ?? before?.Addresses ?? [],
            f.Birthday ?? before?.Birthday,
            f.TimeZone ?? before?.TimeZone,
            consent,
            f.Tier ?? before?.Tier ?? LoyaltyTier.Bronze,
            f.CustomerSince ?? before?.CustomerSince ?? now,
            f.Source ?? before?.Source,
            before?.CreatedAt ?? now,
            now,
            before?.ETag ?? "");
    }

    private static List<string> ChangedFields(Customer a, Customer b)
    {
        var changed = new List<string>();
        void Check(string name, object? x, object? y)
        {
            if (!Equals(x, y))
            {
                changed.Add(name);
            }
        }
        Check("first name", a.FirstName, b.FirstName);
        Check("last name", a.LastName, b.LastName);
        Check("email", a.Email, b.Email);
        Check("phone", a.Phone, b.Phone);
        Check("birthday", a.Birthday, b.Birthday);
        Check("time zone", a.TimeZone, b.TimeZone);
        Check("consent", a.Consent, b.Consent);
        Check("tier", a.Tier, b.Tier);
        Check("customer since", a.CustomerSince, b.CustomerSince);
        Check("source", a.Source, b.Source);
        if (!a.Addresses.SequenceEqual(b.Addresses))
        {
            changed.Add("addresses");
        }
        return changed;
    }

    /// <summary>
    /// Claims the new email (its index row is the lock that keeps emails unique), writes the profile,
    /// its timeline entries and the event marker in one transaction, then brings the indexes in line.
    /// A crash before the last step leaves an index stale, never a profile wrong; the next write of
    /// the profile repairs it.
    /// </summary>
    private async Task<bool> WriteAsync(
        Customer? before, Customer after, ETag etag, DateTimeOffset? lastEventAt, IEnumerable<TimelineEntry> entries,
        TableTransactionAction? marker, CancellationToken cancellationToken, bool fromEvent = false)
    {
        var claimed = false;
        var emailChanged = after.Email is not null
            && (before?.Email is null || CustomerRules.NormalizeEmail(before.Email) != CustomerRules.NormalizeEmail(after.Email));
        if (emailChanged)
        {
            var owner = await ClaimEmailAsync(after, cancellationToken);
            if (owner is not null)
            {
                if (!fromEvent)
                {
                    throw new ConflictException($"Another customer ('{owner}') already has the email '{after.Email}'.");
                }
                // A store event cannot be refused: keep the old email and say why on the timeline.
                entries = entries.Append(new TimelineEntry(Guid.CreateVersion7().ToString("N"), after.Id, TimelineType.Account,
                    "Email change not applied: the address belongs to another customer", after.UpdatedAt, "system", $"/api/customers/{owner}", null));
                after = after with { Email = before?.Email };
            }
            else
            {
                claimed = true;
            }
        }

        var profile = CustomerEntity.From(after, lastEventAt);
        var actions = new List<TableTransactionAction>();
        if (marker is not null)
        {
            actions.Add(marker);
        }
        actions.Add(before is null
            ? new TableTransactionAction(TableTransactionActionType.Add, profile)
            : new TableTransactionAction(TableTransactionActionType.UpdateReplace, profile, etag));
        actions.AddRange(entries.SelectMany(TimelineEntity.RowsFor).Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r)));

        PartitionWrite result;
        try
        {
            result = await _partition.SubmitAsync(actions, cancellationToken);
        }
        catch (ConcurrencyException) when (before is null && !fromEvent)
        {
            if (claimed)
            {
                await ReleaseEmailAsync(after.Email!, after.Id, cancellationToken);
            }
            throw new ConflictException($"Customer '{after.Id}' already exists.");
        }
        catch
        {
            if (claimed)
            {
                await ReleaseEmailAsync(after.Email!, after.Id, cancellationToken);
            }
            throw;
        }
        if (result == PartitionWrite.Duplicate)
        {
            return false;
        }

        var newKeys = CustomerIndexEntity.KeysFor(after);
        var oldKeys = before is null ? new HashSet<(string, string)>() : CustomerIndexEntity.KeysFor(before);
        // A freshly claimed email row already holds the new summary; every other row is (re)written.
        var toWrite = claimed ? newKeys.Where(k => k.Item1 != CustomerIndexEntity.EmailPartition(after.Email!)) : newKeys;
        await Task.WhenAll(toWrite.Select(k => Index.UpsertEntityAsync(CustomerIndexEntity.For(after, k), TableUpdateMode.Replace, cancellationToken)));
        foreach (var (partition, row) in oldKeys.Except(newKeys))
        {
            if (partition.StartsWith("email|", StringComparison.Ordinal))
            {
                await ReleaseEmailAsync(before!.Email!, after.Id, cancellationToken);
            }
            else
            {
                await Index.DeleteEntityAsync(partition, row, ETag.All, cancellationToken);
            }
        }
        return true;
    }

    /// <summary>Claims an email for a customer; returns the other owner's id when it is taken.</summary>
    private async Task<string?> ClaimEmailAsync(Customer customer, CancellationToken cancellationToken)
    {
        var row = CustomerIndexEntity.For(customer, (CustomerIndexEntity.EmailPartition(customer.Email!), ""));
        try
        {
            await Index.AddEntityAsync(row, cancellationToken);
            return null;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            var existing = await Index.FindAsync<CustomerIndexEntity>(row.PartitionKey, "", cancellationToken);
            return existing is null || existing.CustomerId == customer.Id ? null : existing.CustomerId;
        }
    }

    /// <summary>Releases an email index row, but only while it still belongs to this customer.</summary>
    private async Task ReleaseEmailAsync(string email, string customerId, CancellationToken cancellationToken)
    {
        var row = await Index.FindAsync<CustomerIndexEntity>(CustomerIndexEntity.EmailPartition(email), "", cancellationToken);
        if (row is not null && row.CustomerId == customerId)
        {
            try
            {
                await Index.DeleteEntityAsync(row.PartitionKey, row.RowKey, row.ETag, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 412)
            {
                // Already released or claimed anew meanwhile.
            }
        }
    }
}
