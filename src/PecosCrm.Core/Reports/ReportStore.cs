using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Reports;

/// <summary>
/// The rows and blobs of reports (<see cref="ReportKeys"/>): definitions in <c>reports</c>,
/// snapshot rows in <c>reportsnapshots</c> and each snapshot in full as a JSON blob. A snapshot's
/// blob is written before its row, so a listed snapshot can always be read; a blob left without a
/// row (a crash between the two) is overwritten by the retry of a scheduled run and unseen otherwise.
/// </summary>
public sealed class ReportStore(StorageAccount storage, BlobFiles blobs)
{
    private TableClient Reports => storage.Table(StorageNames.Tables.Reports);
    private TableClient Snapshots => storage.Table(StorageNames.Tables.ReportSnapshots);

    internal async Task<ReportEntity?> FindEntityAsync(string id, CancellationToken cancellationToken) =>
        KeyRules.IsValidKey(id) ? await Reports.FindAsync<ReportEntity>(ReportKeys.Partition, ReportKeys.Report(id), cancellationToken) : null;

    internal async Task<ReportEntity> GetEntityAsync(string id, CancellationToken cancellationToken) =>
        await FindEntityAsync(id, cancellationToken) ?? throw new NotFoundException("Report", id);

    internal async Task<ETag> AddAsync(ReportEntity entity, CancellationToken cancellationToken) =>
        (await Reports.AddEntityAsync(entity, cancellationToken)).Headers.ETag ?? default;

    /// <summary>Writes the row with the ETag it was read with; a change made meanwhile throws <see cref="ConcurrencyException"/>.</summary>
    internal Task<ETag> ReplaceAsync(ReportEntity entity, CancellationToken cancellationToken) => Reports.ReplaceIfMatchAsync(entity, cancellationToken);

    internal async Task DeleteAsync(ReportEntity entity, CancellationToken cancellationToken)
    {
        try
        {
            await Reports.DeleteEntityAsync(entity.PartitionKey, entity.RowKey, entity.ETag, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            throw new ConcurrencyException();
        }
    }

    internal Task<Storage.Page<ReportEntity>> ListAsync(int limit, string? cursor, CancellationToken cancellationToken) =>
        Reports.QueryPageAsync<ReportEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {ReportKeys.Partition}"), limit, cursor, cancellationToken);

    /// <summary>Scheduled reports whose next run has come, and those with a claimed occurrence not finished.</summary>
    internal async Task<List<ReportEntity>> DueAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Missing properties compare false, so claimed rows match the second clause whatever NextRunAt says.
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {ReportKeys.Partition} and ((Scheduled eq true and NextRunAt le {now}) or PendingOccurrence ge {DateTimeOffset.UnixEpoch})");
        var due = new List<ReportEntity>();
        await foreach (var entity in Reports.QueryAsync<ReportEntity>(filter, cancellationToken: cancellationToken))
        {
            due.Add(entity);
        }
        return due;
    }

    /// <summary>
    /// Keeps a snapshot: the blob, then the row. False when a row with its id is already there (a
    /// scheduled occurrence tried again after its snapshot was stored): the stored one stands.
    /// </summary>
    internal async Task<bool> AddSnapshotAsync(ReportSnapshot snapshot, CancellationToken cancellationToken)
    {
        if (await FindSnapshotRowAsync(snapshot.ReportId, snapshot.Id, cancellationToken) is not null)
        {
            return false;
        }
        var json = JsonSerializer.SerializeToUtf8Bytes(snapshot, CrmJson.Options);
        using (var content = new MemoryStream(json))
        {
            await blobs.UploadAsync(StorageNames.Containers.Reports, ReportKeys.Blob(snapshot.ReportId, snapshot.Id), content, "application/json", cancellationToken);
        }
        var result = snapshot.Result;
        var row = new ReportSnapshotEntity
        {
            PartitionKey = ReportKeys.SnapshotPartition(snapshot.ReportId),
            RowKey = ReportKeys.Snapshot(snapshot.ReportId, snapshot.Id),
            ReportId = snapshot.ReportId,
            ReportName = snapshot.ReportName,
            Metric = result.Metric,
            Trigger = snapshot.Trigger,
            RanBy = snapshot.RanBy,
            RanAt = snapshot.RanAt,
            From = result.From,
            To = result.To,
            AsOf = result.Freshness.AsOf,
            Rows = result.Rows.Count,
            Total = result.Total.ToString(CultureInfo.InvariantCulture),
        };
        try
        {
            await Snapshots.AddEntityAsync(row, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }

    internal async Task<ReportSnapshotEntity?> FindSnapshotRowAsync(string reportId, string snapshotId, CancellationToken cancellationToken) =>
        KeyRules.IsValidKey(reportId) && KeyRules.IsValidKey(snapshotId)
            ? await Snapshots.FindAsync<ReportSnapshotEntity>(ReportKeys.SnapshotPartition(reportId), ReportKeys.Snapshot(reportId, snapshotId), cancellationToken)
            : null;

    /// <summary>A snapshot in full, as stored when it ran; null when there is none.</summary>
    public async Task<ReportSnapshot?> FindSnapshotAsync(string reportId, string snapshotId, CancellationToken cancellationToken = default)
    {
        var row = await FindSnapshotRowAsync(reportId, snapshotId, cancellationToken);
        if (row is null)
        {
            return null;
        }
        await using var stream = await blobs.OpenReadIfExistsAsync(StorageNames.Containers.Reports, ReportKeys.Blob(reportId, snapshotId), cancellationToken)
            ?? throw new InvalidOperationException($"Snapshot {snapshotId} of report {reportId} has a row but no blob.");
        var snapshot = await JsonSerializer.DeserializeAsync<ReportSnapshot>(stream, CrmJson.Options, cancellationToken)
            ?? throw new InvalidOperationException($"Snapshot {snapshotId} of report {reportId} is empty.");
        return snapshot with { EmailedAt = row.EmailedAt };
    }

    /// <summary>The report's snapshots, newest first.</summary>
    public async Task<Storage.Page<ReportSnapshotSummary>> ListSnapshotsAsync(string reportId, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        var page = await Snapshots.QueryPageAsync<ReportSnapshotEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {ReportKeys.SnapshotPartition(reportId)}"), limit, cursor, cancellationToken);
        return page.Select(r => new ReportSnapshotSummary(
            ReportKeys.SnapshotIdOf(r.RowKey), r.ReportId, r.ReportName, r.Metric, r.Trigger, r.RanBy, r.RanAt, r.From, r.To, r.AsOf, r.Rows,
            decimal.Parse(r.Total, CultureInfo.InvariantCulture), r.EmailedAt));
    }

    /// <summary>Notes that a scheduled snapshot's email has gone, so a retry of its occurrence does not send it again.</summary>
    internal async Task MarkEmailedAsync(string reportId, string snapshotId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var row = await FindSnapshotRowAsync(reportId, snapshotId, cancellationToken) ?? throw new NotFoundException("Report snapshot", snapshotId);
        row.EmailedAt = at;
        await Snapshots.UpdateEntityAsync(row, ETag.All, TableUpdateMode.Replace, cancellationToken);
    }
}
