using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using PecosCrm.Core;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Storage;

namespace PecosCrm.Bench.Scenarios;

/// <summary>
/// Cards of customers who consented to marketing email, profile only, written straight into the
/// app's customers table as the customer store writes them: seeding tens of thousands through the
/// API would take longer than what the scenarios measure. No time zone, so the store's applies.
/// </summary>
public static class ConsentingCustomers
{
    public static async Task SeedAsync(CrmServer server, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        using var bench = StorageCallCounter.Bench();
        var table = server.Services.GetRequiredService<StorageAccount>().Table(StorageNames.Tables.Customers);
        var now = DateTimeOffset.UtcNow;
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = cancellationToken }, async (id, ct) =>
        {
            var card = CardEntity.New(id);
            card.SetProfile(
                new Customer(id, "Rider", id, id + "@bench.example", null, [], null, null, new MarketingConsent(true, now, false, null),
                    LoyaltyTier.Bronze, now, "bench", now, now, ""),
                null);
            card.UpdatedAt = now;
            await table.UpsertEntityAsync(card, TableUpdateMode.Replace, ct);
        });
    }
}
