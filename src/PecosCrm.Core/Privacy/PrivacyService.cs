using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PecosCrm.Core.Analytics;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Privacy;

/// <summary>
/// GDPR requests for one customer: an archive of everything held about them, and erasure. Every
/// feature that keeps personal data answers for its own rows as an <see cref="IPersonalData"/>; this
/// class only reads the profile, asks each holder in <see cref="ErasureStage"/> order, writes the
/// report and the ZIP, and refreshes the analytical copy. Orders stay in the store-wide figures under
/// a random pseudonym, so revenue and order counts do not change.
/// </summary>
public sealed class PrivacyService(StorageAccount storage, IEnumerable<IPersonalData> holders, CustomerCards cards, AnalyticsCopy analytics, TimeProvider time)
{
    /// <summary>A ZIP archive: one JSON file per kind of record, as stored.</summary>
    public async Task<byte[]> ExportAsync(string customerId, CancellationToken cancellationToken = default)
    {
        await RequireAsync(customerId, cancellationToken);
        var archive = new PersonalDataArchive();
        foreach (var holder in holders)
        {
            await holder.ExportAsync(customerId, archive, cancellationToken);
        }
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in archive.Files)
            {
                var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
                await using var stream = entry.Open();
                await JsonSerializer.SerializeAsync(stream, content, new JsonSerializerOptions(CrmJson.Options) { WriteIndented = true }, cancellationToken);
            }
        }
        return buffer.ToArray();
    }

    /// <summary>
    /// Erases the customer everywhere; returns what was done, without any of the erased data. The
    /// profile is read once, before anything is erased, so every holder knows the email it may have
    /// kept the customer under.
    /// </summary>
    public async Task<ErasureReport> EraseAsync(string customerId, CancellationToken cancellationToken = default)
    {
        var card = await RequireAsync(customerId, cancellationToken);
        var context = new ErasureContext(customerId, "erased-" + Guid.NewGuid().ToString("N")[..16], card.HasProfile ? card.ToCustomer() : null);
        var rows = 0;
        foreach (var holder in holders.OrderBy(h => h.Stage))
        {
            rows += await holder.EraseAsync(context, cancellationToken);
        }

        // The analytical copy drops the customer's features row and carries the orders under the pseudonym.
        await CustomerFeatures.MarkChangedAsync(storage, [customerId], cancellationToken);
        await analytics.RebuildChangedAsync(cancellationToken: cancellationToken);
        var tally = context.Tally;
        return new ErasureReport(Reference(customerId), context.Pseudonym, rows, tally.IndexRows, tally.OrdersPseudonymised, tally.AuditEntries, tally.StoreEvents, tally.ExportFiles, time.GetUtcNow());
    }

    /// <summary>
    /// A one-way reference to an erased customer id: whoever still has the id can check that it
    /// was erased, and the log itself no longer says whose data it was.
    /// </summary>
    public static string Reference(string customerId) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(customerId)))[..32];

    private async Task<CardEntity> RequireAsync(string customerId, CancellationToken cancellationToken) =>
        await cards.FindAsync(customerId, cancellationToken) ?? throw new NotFoundException("Customer", customerId);
}

/// <summary>
/// What an erasure did, in counts; it names the customer only by <see cref="PrivacyService.Reference"/>.
/// <c>RowsDeleted</c> counts the table rows deleted or rewritten by every feature (index rows and
/// pseudonymised order rows included).
/// </summary>
public sealed record ErasureReport(
    string Reference, string OrdersKeptAs, int RowsDeleted, int IndexRowsDeleted, int OrdersPseudonymised, int AuditEntriesScrubbed, int StoreEventsRemoved, int ExportFilesDeleted, DateTimeOffset At);
