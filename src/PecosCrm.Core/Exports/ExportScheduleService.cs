using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Exports;

/// <summary>
/// Exports that run daily or weekly. Each schedule keeps its next run (UTC, from its local time and
/// time zone); the <c>ScheduledExports</c> timer calls <see cref="RunDueAsync"/>, which starts the
/// export of every schedule that is due. Each run is an ordinary export job that carries the
/// schedule's id, listed in the export history and under the schedule.
/// </summary>
public sealed partial class ExportScheduleService(
    StorageAccount storage, ExportService exports, AuditLog audit, StoreTime storeTime, TimeProvider time, ILogger<ExportScheduleService> logger)
{
    private const int MaxNameLength = 200;
    private const int MaxTimeZoneLength = 100;
    private const int MaxLookbackDays = 366;
    private const int MaxRecordAttempts = 5;

    private TableClient Table => storage.Table(StorageNames.Tables.ExportSchedules);

    public async Task<ExportSchedule> CreateAsync(ExportScheduleRequest request, string createdBy, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var entity = new ExportScheduleEntity { RowKey = Ids.New(time), CreatedBy = createdBy, CreatedAt = now, UpdatedAt = now };
        await ApplyAsync(entity, null, request, now, cancellationToken);
        entity.ETag = (await Table.AddEntityAsync(entity, cancellationToken)).Headers.ETag ?? default;
        return entity.ToRecord();
    }

    public async Task<ExportSchedule?> FindAsync(string id, CancellationToken cancellationToken = default) =>
        (await FindEntityAsync(id, cancellationToken))?.ToRecord();

    public async Task<ExportSchedule> GetAsync(string id, CancellationToken cancellationToken = default) =>
        await FindAsync(id, cancellationToken) ?? throw new NotFoundException("Export schedule", id);

    /// <summary>Every schedule, oldest first.</summary>
    public async Task<Storage.Page<ExportSchedule>> ListAsync(int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        var page = await Table.QueryPageAsync<ExportScheduleEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {ExportScheduleEntity.Partition}"), limit, cursor, cancellationToken);
        return page.Select(e => e.ToRecord());
    }

    /// <summary>
    /// Changes what the request names, if <paramref name="ifMatch"/> (when given) is still current.
    /// The next run is worked out again when the timing or the active flag changes.
    /// </summary>
    public async Task<(ExportSchedule Before, ExportSchedule After)> UpdateAsync(
        string id, ExportScheduleRequest patch, string? ifMatch, CancellationToken cancellationToken = default)
    {
        var entity = await FindEntityAsync(id, cancellationToken) ?? throw new NotFoundException("Export schedule", id);
        TableClientExtensions.CheckIfMatch(ifMatch, entity.ETag);
        var before = entity.ToRecord();
        var now = time.GetUtcNow();
        await ApplyAsync(entity, before, patch, now, cancellationToken);
        entity.UpdatedAt = now;
        entity.ETag = await Table.ReplaceIfMatchAsync(entity, cancellationToken);
        return (before, entity.ToRecord());
    }

    /// <summary>Deletes a schedule; the exports it ran stay in the history.</summary>
    public async Task<ExportSchedule> DeleteAsync(string id, string? ifMatch, CancellationToken cancellationToken = default)
    {
        var entity = await FindEntityAsync(id, cancellationToken) ?? throw new NotFoundException("Export schedule", id);
        TableClientExtensions.CheckIfMatch(ifMatch, entity.ETag);
        try
        {
            await Table.DeleteEntityAsync(entity.PartitionKey, entity.RowKey, entity.ETag, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            throw new ConcurrencyException();
        }
        return entity.ToRecord();
    }

    /// <summary>Starts the schedule's export now, whether or not it is active; the next run stays as it was.</summary>
    public async Task<ExportJob> RunNowAsync(string id, string startedBy, CancellationToken cancellationToken = default)
    {
        var entity = await FindEntityAsync(id, cancellationToken) ?? throw new NotFoundException("Export schedule", id);
        var now = time.GetUtcNow();
        var job = await exports.StartAsync(RequestFor(entity, now), startedBy, new ExportOrigin(entity.RowKey, now), cancellationToken);
        await RecordRunAsync(entity.RowKey, null, job, null, cancellationToken);
        return job;
    }

    /// <summary>
    /// Starts the export of every active schedule whose next run has come, and returns the exports it
    /// started. Each occurrence is first claimed by moving the schedule's next run on with an
    /// ETag-guarded write: when two timer firings or instances race, the one whose write fails
    /// leaves the occurrence to the other. The claim also records the occurrence as pending, and the
    /// export's job id is made from the schedule and the occurrence; so if the process stops between
    /// the claim and the start, the next call finds the pending occurrence and starts it then, and a
    /// start that had got through is found instead of repeated. An occurrence is never run twice,
    /// and one missed while the app was down runs once when it is back (the ones in between are skipped).
    /// </summary>
    public async Task<IReadOnlyList<ExportJob>> RunDueAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        // Missing properties compare false, so pending claims match the second clause whatever NextRunAt says.
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {ExportScheduleEntity.Partition} and ((Active eq true and NextRunAt le {now}) or PendingOccurrence ge {DateTimeOffset.UnixEpoch})");
        var due = new List<ExportScheduleEntity>();
        await foreach (var entity in Table.QueryAsync<ExportScheduleEntity>(filter, cancellationToken: cancellationToken))
        {
            due.Add(entity);
        }

        // One schedule's failure (storage trouble, say) must not hold up the others.
        return await DueRuns.EachAsync(due, entity => RunOccurrenceAsync(entity, now, cancellationToken), "due export schedules");
    }

    private async Task<ExportJob?> RunOccurrenceAsync(ExportScheduleEntity entity, DateTimeOffset now, CancellationToken cancellationToken)
    {
        DateTimeOffset occurrence;
        if (entity.PendingOccurrence is { } pending)
        {
            occurrence = pending;
            LogResuming(logger, entity.RowKey, occurrence);
        }
        else
        {
            occurrence = entity.NextRunAt!.Value;
            entity.PendingOccurrence = occurrence;
            entity.NextRunAt = NextRun(entity, occurrence > now ? occurrence : now);
            try
            {
                entity.ETag = await Table.ReplaceIfMatchAsync(entity, cancellationToken);
            }
            catch (ConcurrencyException)
            {
                LogTaken(logger, entity.RowKey, occurrence);
                return null;
            }
        }

        ExportJob? job = null;
        string? error = null;
        var isNew = false;
        try
        {
            (job, isNew) = await exports.StartOrFindAsync(
                RequestFor(entity, occurrence), AuditActor.System.Name, new ExportOrigin(entity.RowKey, occurrence), cancellationToken);
        }
        catch (ValidationFailedException ex)
        {
            // The schedule no longer describes a valid export (its segment was deleted, say): this
            // occurrence is recorded as failed on the schedule and the next one is tried as usual.
            error = string.Join(" ", ex.Errors.Select(e => e.Key + ": " + string.Join(" ", e.Value)));
            LogNotStarted(logger, entity.RowKey, occurrence, error);
        }
        if (job is not null && isNew)
        {
            await audit.RecordAsync(AuditActor.System, "export.started", "export", job.Id, null, job, cancellationToken: cancellationToken);
            LogStarted(logger, entity.RowKey, job.Id, occurrence);
        }
        await RecordRunAsync(entity.RowKey, occurrence, job, error, cancellationToken);
        return isNew ? job : null;
    }

    /// <summary>
    /// Notes the run on the schedule and clears the claim it came from. Read and written again when
    /// the schedule changed in between (a PATCH), so neither change is lost.
    /// </summary>
    private async Task RecordRunAsync(string id, DateTimeOffset? claimed, ExportJob? job, string? error, CancellationToken cancellationToken)
    {
        await OptimisticRetry.RunAsync(async _ =>
        {
            var entity = await Table.FindAsync<ExportScheduleEntity>(ExportScheduleEntity.Partition, id, cancellationToken);
            if (entity is null)
            {
                return;
            }
            if (claimed is not null && entity.PendingOccurrence == claimed)
            {
                entity.PendingOccurrence = null;
            }
            entity.LastRunAt = time.GetUtcNow();
            entity.LastExportId = job?.Id ?? entity.LastExportId;
            entity.LastError = error;
            await Table.ReplaceIfMatchAsync(entity, cancellationToken);
        }, MaxRecordAttempts, cancellationToken);
    }

    /// <summary>The export one run of the schedule starts; an orders export covers the lookback period up to the run time.</summary>
    private static ExportRequest RequestFor(ExportScheduleEntity entity, DateTimeOffset runTime)
    {
        var lookback = entity.LookbackDays();
        return new ExportRequest(
            entity.ParsedKind(), Enum.Parse<ExportFormat>(entity.Format), entity.ChosenFields(),
            lookback is { } days ? runTime.AddDays(-days) : null, lookback is null ? null : runTime, entity.SegmentId);
    }

    private DateTimeOffset NextRun(ExportScheduleEntity entity, DateTimeOffset after)
    {
        ExportScheduleTiming.TryParseTimeOfDay(entity.TimeOfDay, out var at);
        return ExportScheduleTiming.Next(entity.ParsedFrequency(), entity.ParsedDayOfWeek(), at, storeTime.For(entity.TimeZone), after);
    }

    private async Task<ExportScheduleEntity?> FindEntityAsync(string id, CancellationToken cancellationToken) =>
        KeyRules.IsValidKey(id) ? await Table.FindAsync<ExportScheduleEntity>(ExportScheduleEntity.Partition, id, cancellationToken) : null;

    /// <summary>
    /// Checks a new schedule, or <paramref name="current"/> with the patch applied, as a whole, and
    /// only then writes it to <paramref name="entity"/>, so a bad request changes nothing. Values
    /// that only fit the old kind or frequency (a segment, a lookback, a day) fall away when it changes.
    /// </summary>
    private async Task ApplyAsync(
        ExportScheduleEntity entity, ExportSchedule? current, ExportScheduleRequest request, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var check = new Validation();
        var name = request.Name ?? current?.Name;
        check.Required("name", name, MaxNameLength);

        var kind = request.Kind ?? current?.Kind;
        var kindChanged = current is not null && kind != current.Kind;
        var format = request.Format ?? current?.Format;
        var fields = request.Fields ?? (current is null || kindChanged ? null : entity.ChosenFields());
        var segmentId = request.SegmentId ?? (kind == ExportKind.Segment && !kindChanged ? current?.SegmentId : null);
        var segmentIsNew = current is null || kindChanged || segmentId != current.SegmentId;

        var frequency = request.Frequency ?? current?.Frequency;
        var day = request.DayOfWeek ?? (frequency == ExportFrequency.Weekly ? current?.DayOfWeek : null);
        if (frequency is null)
        {
            check.Add("frequency", "is required: daily or weekly.");
        }
        else if (frequency == ExportFrequency.Weekly && day is null)
        {
            check.Add("dayOfWeek", "is required for a weekly schedule: monday to sunday.");
        }
        else if (frequency == ExportFrequency.Daily && request.DayOfWeek is not null)
        {
            check.Add("dayOfWeek", "is only for a weekly schedule; a daily one runs every day.");
        }

        var timeOfDay = request.TimeOfDay ?? current?.TimeOfDay ?? ExportScheduleTiming.DefaultTimeOfDay;
        if (!ExportScheduleTiming.TryParseTimeOfDay(timeOfDay, out var at))
        {
            check.Add("timeOfDay", "must be a time of day as HH:mm, from 00:00 to 23:59.");
        }
        var zoneId = request.TimeZone ?? (current?.TimeZone is { Length: > 0 } kept ? kept : storeTime.Zone.Id);
        TimeZoneInfo? zone = null;
        if (zoneId.Length is 0 or > MaxTimeZoneLength || !TimeZoneInfo.TryFindSystemTimeZoneById(zoneId, out zone))
        {
            check.Add("timeZone", $"'{zoneId}' is not a known time zone; use an IANA id such as America/Denver.");
        }

        var lookback = request.OrdersLookbackDays ?? (kind == ExportKind.Orders && !kindChanged ? entity.OrdersLookbackDays : null);
        if (request.OrdersLookbackDays is { } days)
        {
            if (kind is not null && kind != ExportKind.Orders)
            {
                check.Add("ordersLookbackDays", "is only for an orders schedule.");
            }
            else if (days is < 1 or > MaxLookbackDays)
            {
                check.Add("ordersLookbackDays", $"must be between 1 and {MaxLookbackDays}.");
            }
        }
        var active = request.Active ?? current?.Active ?? true;

        await exports.CheckAsync(check, kind, format, fields, segmentId, segmentIsNew, cancellationToken);
        check.ThrowIfInvalid();

        entity.Name = name!.Trim();
        entity.Kind = kind!.Value.ToString();
        entity.SegmentId = kind == ExportKind.Segment ? segmentId : null;
        entity.Format = format!.Value.ToString();
        entity.Fields = fields is { Count: > 0 } ? string.Join(',', fields.Distinct()) : "";
        entity.Frequency = frequency!.Value.ToString();
        entity.DayOfWeek = frequency == ExportFrequency.Weekly ? day!.Value.ToString() : null;
        entity.TimeOfDay = at.ToString("HH:mm", CultureInfo.InvariantCulture);
        entity.TimeZone = zoneId;
        entity.OrdersLookbackDays = kind == ExportKind.Orders ? lookback : null;
        entity.Active = active;

        var timingChanged = current is null || current.Active != active || current.Frequency != frequency || current.DayOfWeek != day
            || current.TimeOfDay != entity.TimeOfDay || current.TimeZone != zoneId;
        if (timingChanged)
        {
            entity.NextRunAt = active ? ExportScheduleTiming.Next(frequency.Value, day, at, zone!, now) : null;
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Export schedule {ScheduleId} started export {ExportId} for {Occurrence:o}")]
    private static partial void LogStarted(ILogger logger, string scheduleId, string exportId, DateTimeOffset occurrence);

    [LoggerMessage(2, LogLevel.Information, "Export schedule {ScheduleId}: the run for {Occurrence:o} was claimed by another instance")]
    private static partial void LogTaken(ILogger logger, string scheduleId, DateTimeOffset occurrence);

    [LoggerMessage(3, LogLevel.Warning, "Export schedule {ScheduleId}: the run for {Occurrence:o} is resumed after an interrupted start")]
    private static partial void LogResuming(ILogger logger, string scheduleId, DateTimeOffset occurrence);

    [LoggerMessage(4, LogLevel.Warning, "Export schedule {ScheduleId}: the run for {Occurrence:o} could not start: {Reason}")]
    private static partial void LogNotStarted(ILogger logger, string scheduleId, DateTimeOffset occurrence, string reason);
}
