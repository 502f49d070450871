using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using PecosCrm.Core.Storage;

namespace PecosCrm.Bench.Scenarios;

/// <summary>
/// Profile rows of customers who consented to marketing email, written straight into the app's
/// customers table as the customer store writes them: seeding tens of thousands through the API
/// would take longer than what the scenarios measure. No time zone, so the store's applies.
/// </summary>
public static class ConsentingCustomers
{
    public static async Task SeedAsync(CrmServer server, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        using var bench = StorageCallCounter.Bench();
        var table = server.Services.GetRequiredService<StorageAccount>().Table(StorageNames.Tables.Customers);
        var now = DateTimeOffset.UtcNow;
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = cancellationToken }, async (id, ct) =>
            await table.UpsertEntityAsync(new TableEntity(id, "profile")
            {
                ["FirstName"] = "Rider",
                ["LastName"] = id,
                ["Email"] = id + "@bench.example",
                ["Addresses"] = "[]",
                ["ConsentEmail"] = true,
                ["ConsentEmailAt"] = now,
                ["ConsentSms"] = false,
                ["Tier"] = "Bronze",
                ["CustomerSince"] = now,
                ["CreatedAt"] = now,
                ["UpdatedAt"] = now,
            }, TableUpdateMode.Replace, ct));
    }
}
