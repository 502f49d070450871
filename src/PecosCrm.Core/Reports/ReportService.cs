using System.Text.Json;
using PecosCrm.Core.Segments;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Reports;

/// <summary>
/// Saved reports: create, read, replace and delete definitions (checked as a whole first, so a bad
/// one changes nothing), run them on demand (each run kept as a snapshot) and preview unsaved ones.
/// </summary>
public sealed class ReportService(ReportStore store, ReportRunner runner, SegmentStore segments, StoreTime storeTime, TimeProvider time)
{
    public async Task<Report> CreateAsync(ReportDefinition request, string createdBy, CancellationToken cancellationToken = default)
    {
        var definition = await CheckAsync(request, cancellationToken);
        var now = time.GetUtcNow();
        var entity = new ReportEntity { RowKey = ReportKeys.Report(Ids.New(time)), CreatedBy = createdBy, CreatedAt = now };
        Apply(entity, definition, createdBy, now);
        entity.ETag = await store.AddAsync(entity, cancellationToken);
        return ToRecord(entity);
    }

    public async Task<Report> GetAsync(string id, CancellationToken cancellationToken = default) =>
        ToRecord(await store.GetEntityAsync(id, cancellationToken));

    public async Task<Page<Report>> ListAsync(int limit, string? cursor, CancellationToken cancellationToken = default) =>
        (await store.ListAsync(limit, cursor, cancellationToken)).Select(ToRecord);

    /// <summary>
    /// Replaces the definition if <paramref name="ifMatch"/> (when given) is still current. The next
    /// run is worked out again from now; an occurrence already claimed by the sweep still goes out.
    /// </summary>
    public async Task<(Report Before, Report After)> ReplaceAsync(
        string id, ReportDefinition request, string? ifMatch, string updatedBy, CancellationToken cancellationToken = default)
    {
        var entity = await store.GetEntityAsync(id, cancellationToken);
        TableClientExtensions.CheckIfMatch(ifMatch, entity.ETag);
        var definition = await CheckAsync(request, cancellationToken);
        var before = ToRecord(entity);
        Apply(entity, definition, updatedBy, time.GetUtcNow());
        entity.ETag = await store.ReplaceAsync(entity, cancellationToken);
        return (before, ToRecord(entity));
    }

    /// <summary>Deletes the definition; its snapshots stay readable.</summary>
    public async Task<Report> DeleteAsync(string id, string? ifMatch, CancellationToken cancellationToken = default)
    {
        var entity = await store.GetEntityAsync(id, cancellationToken);
        TableClientExtensions.CheckIfMatch(ifMatch, entity.ETag);
        await store.DeleteAsync(entity, cancellationToken);
        return ToRecord(entity);
    }

    /// <summary>Runs the saved report now and keeps the result as a snapshot.</summary>
    public async Task<ReportSnapshot> RunAsync(string id, string ranBy, CancellationToken cancellationToken = default)
    {
        var report = await GetAsync(id, cancellationToken);
        var now = time.GetUtcNow();
        var result = await runner.RunAsync(report.Definition, now, cancellationToken);
        var snapshot = new ReportSnapshot(ReportKeys.NewSnapshotId(now), id, report.Definition.Name, ReportTriggers.Manual, ranBy, now, report.Definition, result);
        await store.AddSnapshotAsync(snapshot, cancellationToken);
        return snapshot;
    }

    /// <summary>Runs an unsaved definition; nothing is stored.</summary>
    public async Task<ReportResult> PreviewAsync(ReportDefinition request, CancellationToken cancellationToken = default)
    {
        var definition = await CheckAsync(request, cancellationToken);
        return await runner.RunAsync(definition, time.GetUtcNow(), cancellationToken);
    }

    public Task<Page<ReportSnapshotSummary>> ListSnapshotsAsync(string id, int limit, string? cursor, CancellationToken cancellationToken = default) =>
        KeyRules.IsValidKey(id) ? store.ListSnapshotsAsync(id, limit, cursor, cancellationToken) : throw new NotFoundException("Report", id);

    public async Task<ReportSnapshot> GetSnapshotAsync(string id, string snapshotId, CancellationToken cancellationToken = default) =>
        await store.FindSnapshotAsync(id, snapshotId, cancellationToken) ?? throw new NotFoundException("Report snapshot", snapshotId);

    /// <summary>The definition's own checks, then that every segment a filter names exists.</summary>
    private async Task<ReportDefinition> CheckAsync(ReportDefinition request, CancellationToken cancellationToken)
    {
        var definition = ReportRules.Check(request);
        var check = new Validation();
        for (var i = 0; i < definition.Filters.Count; i++)
        {
            if (definition.Filters[i].Field != ReportCatalog.SegmentFilter)
            {
                continue;
            }
            foreach (var segmentId in definition.Filters[i].Values)
            {
                if (await segments.FindEntityAsync(segmentId, cancellationToken) is null)
                {
                    check.Add($"filters[{i}].values", $"'{segmentId}': no such segment.");
                }
            }
        }
        check.ThrowIfInvalid();
        return definition;
    }

    private void Apply(ReportEntity entity, ReportDefinition definition, string by, DateTimeOffset now)
    {
        entity.Name = definition.Name;
        entity.Definition = JsonSerializer.Serialize(definition, CrmJson.Options);
        entity.UpdatedBy = by;
        entity.UpdatedAt = now;
        entity.Scheduled = definition.Schedule is { Active: true };
        entity.NextRunAt = definition.Schedule is { Active: true } schedule ? ReportScheduleTiming.Next(schedule, storeTime.Zone, now) : null;
    }

    internal static ReportDefinition DefinitionOf(ReportEntity entity) =>
        JsonSerializer.Deserialize<ReportDefinition>(entity.Definition, CrmJson.Options) ?? throw new InvalidOperationException($"Report {entity.RowKey} has no definition.");

    private static Report ToRecord(ReportEntity e) => new(
        ReportKeys.IdOf(e.RowKey), DefinitionOf(e), e.CreatedBy, e.CreatedAt, e.UpdatedBy, e.UpdatedAt,
        e.NextRunAt, e.LastRunAt, e.LastSnapshotId, e.LastError, e.ETag.ToString());
}
