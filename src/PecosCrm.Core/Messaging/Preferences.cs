using Azure.Data.Tables;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Privacy;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Messaging;

/// <summary>
/// A customer's subscriptions. Marketing email and SMS are the profile's consent flags (one truth
/// for segments, campaigns and automations); transactional email (order, service and account
/// messages) can be turned off here too, and is on unless the customer says otherwise.
/// </summary>
public sealed record SubscriptionPreferences(bool MarketingEmail, bool MarketingSms, bool TransactionalEmail);

/// <summary>Reads and changes subscription preferences; the transactional flag lives in the customer's <c>prefs</c> row.</summary>
public sealed class Preferences(StorageAccount storage, CustomerStore customers, TimeProvider time) : IPersonalData
{

    private TableClient Customers => storage.Table(StorageNames.Tables.Customers);

    public async Task<SubscriptionPreferences> GetAsync(string customerId, CancellationToken cancellationToken = default)
    {
        var customer = await customers.GetAsync(customerId, cancellationToken);
        return new SubscriptionPreferences(customer.Consent.Email, customer.Consent.Sms, await TransactionalAsync(customerId, cancellationToken));
    }

    public async Task<bool> TransactionalAsync(string customerId, CancellationToken cancellationToken = default) =>
        (await Customers.FindAsync<TableEntity>(customerId, MessagingKeys.PreferencesRow(customerId), cancellationToken))?.GetBoolean("TransactionalEmail") ?? true;

    /// <summary>The customer's preferences row, as stored (GDPR export).</summary>
    public async Task ExportAsync(string customerId, PersonalDataArchive archive, CancellationToken cancellationToken) =>
        archive.AddRows("preferences.json", await PersonalRows.ReadAsync(Customers, TableClient.CreateQueryFilter($"PartitionKey eq {customerId} and RowKey eq {MessagingKeys.PreferencesRow(customerId)}"), cancellationToken));

    /// <summary>Deletes the customer's preferences row (GDPR erasure).</summary>
    public Task<int> EraseAsync(ErasureContext context, CancellationToken cancellationToken) =>
        PersonalRows.DeleteWhereAsync(Customers, TableClient.CreateQueryFilter($"PartitionKey eq {context.CustomerId} and RowKey eq {MessagingKeys.PreferencesRow(context.CustomerId)}"), cancellationToken);

    /// <summary>Changes what is given; returns the preferences after.</summary>
    public async Task<SubscriptionPreferences> SetAsync(string customerId, bool? marketingEmail, bool? marketingSms, bool? transactionalEmail, string actor, CancellationToken cancellationToken = default)
    {
        var customer = await customers.GetAsync(customerId, cancellationToken);
        if ((marketingEmail is { } email && email != customer.Consent.Email) || (marketingSms is { } sms && sms != customer.Consent.Sms))
        {
            await customers.UpdateAsync(customerId, new CustomerFields(Consent: new MarketingConsentFields(marketingEmail, marketingSms, time.GetUtcNow())), null, actor, cancellationToken);
        }
        if (transactionalEmail is { } transactional)
        {
            await Customers.UpsertEntityAsync(new TableEntity(customerId, MessagingKeys.PreferencesRow(customerId)) { ["TransactionalEmail"] = transactional, ["At"] = time.GetUtcNow() }, TableUpdateMode.Replace, cancellationToken);
        }
        return await GetAsync(customerId, cancellationToken);
    }
}
