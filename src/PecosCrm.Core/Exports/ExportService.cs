using System.Runtime.CompilerServices;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Orders;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Exports;

/// <summary>
/// Exports customers, orders or the members of a segment to a blob as a job: the request is checked
/// and recorded, a queue message runs it, progress (rows written) is saved as it goes, and the
/// finished file is handed out as a short-lived download link. Every run stays in the export
/// history; runs started by a schedule are also listed under their schedule.
/// </summary>
public sealed class ExportService(StorageAccount storage, CustomerStore customers, CustomerCards cards, OrderStore orders, Segments.SegmentStore segments, BlobFiles blobs, StoreTime storeTime, TimeProvider time)
{
    private const int ProgressEvery = 1000;

    /// <summary>Point reads in flight at once while a page of segment members is read.</summary>
    private const int PointReadsAtOnce = 64;

    /// <summary>Segment members read per query page: the size of a customer export's pages.</summary>
    private const int MembersPerPage = Storage.Page<CustomerSummary>.MaxLimit;

    /// <summary>
    /// A scheduled run's job that is still queued this long after it was recorded is taken to have
    /// lost its queue message (the start died between the two writes), and the message is sent again.
    /// </summary>
    private static readonly TimeSpan ResendAfter = TimeSpan.FromMinutes(1);

    private TableClient Jobs => storage.Table(StorageNames.Tables.Jobs);

    private TableClient Runs => storage.Table(StorageNames.Tables.ExportSchedules);

    /// <summary>
    /// Checks and records an export, and queues it. With an <paramref name="origin"/> (a schedule's
    /// occurrence) the job id is made from the schedule and the occurrence, so starting the same
    /// occurrence again returns the job already started.
    /// </summary>
    public async Task<ExportJob> StartAsync(ExportRequest request, string createdBy, ExportOrigin? origin = null, CancellationToken cancellationToken = default) =>
        (await StartOrFindAsync(request, createdBy, origin, cancellationToken)).Job;

    /// <summary>As <see cref="StartAsync"/>; <c>Started</c> is false when the occurrence had been started before.</summary>
    internal async Task<(ExportJob Job, bool Started)> StartOrFindAsync(
        ExportRequest request, string createdBy, ExportOrigin? origin, CancellationToken cancellationToken)
    {
        var check = new Validation();
        var (fields, segmentName) = await CheckAsync(check, request.Kind, request.Format, request.Fields, request.SegmentId, true, cancellationToken);
        if (request.From is { } from && request.To is { } to && from > to)
        {
            check.Add("from", "must not be after to.");
        }
        check.ThrowIfInvalid();

        var now = time.GetUtcNow();
        var entity = new ExportEntity
        {
            RowKey = origin is null ? ExportKeys.NewJob(now) : RunId(origin),
            Kind = request.Kind!.Value.ToString(),
            Format = request.Format!.Value.ToString(),
            Fields = string.Join(',', fields),
            From = request.From,
            To = request.To,
            State = nameof(JobState.Queued),
            CreatedBy = createdBy,
            CreatedAt = now,
            SegmentId = request.Kind == ExportKind.Segment ? request.SegmentId : null,
            SegmentName = segmentName,
            ScheduleId = origin?.ScheduleId,
        };
        try
        {
            await Jobs.AddEntityAsync(entity, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409 && origin is not null)
        {
            var existing = await Jobs.FindAsync<ExportEntity>(ExportEntity.Partition, entity.RowKey, cancellationToken)
                ?? throw new InvalidOperationException($"Export '{entity.RowKey}' exists and cannot be read.", ex);
            await RecordRunAsync(origin, existing.RowKey, cancellationToken);
            if (existing.State == nameof(JobState.Queued) && now - existing.CreatedAt > ResendAfter)
            {
                await SendAsync(existing.RowKey, cancellationToken);
            }
            return (existing.ToRecord(), false);
        }
        if (origin is not null)
        {
            await RecordRunAsync(origin, entity.RowKey, cancellationToken);
        }
        await SendAsync(entity.RowKey, cancellationToken);
        return (entity.ToRecord(), true);
    }

    /// <summary>
    /// Checks the kind, format, fields and segment of an export (or of a schedule's exports), adding
    /// an error per bad field. Returns the fields to write (all of the kind's when none are chosen)
    /// and the name of the segment, which is looked up (and must exist) when <paramref name="lookUpSegment"/> is set.
    /// </summary>
    internal async Task<(IReadOnlyList<string> Fields, string? SegmentName)> CheckAsync(
        Validation check, ExportKind? kind, ExportFormat? format, IReadOnlyList<string>? fields, string? segmentId, bool lookUpSegment,
        CancellationToken cancellationToken)
    {
        if (kind is null)
        {
            check.Add("kind", "is required: customers, orders or segment.");
        }
        if (format is null)
        {
            check.Add("format", "is required: csv, xlsx or json.");
        }
        var chosen = fields is { Count: > 0 } some ? some.Distinct().ToList() : kind is { } k ? ExportFields.For(k).ToList() : [];
        if (kind is { } known)
        {
            foreach (var unknown in chosen.Where(f => !ExportFields.For(known).Contains(f)))
            {
                check.Add("fields", $"'{unknown}' is not a field of {known.ToString().ToLowerInvariant()}: {string.Join(", ", ExportFields.For(known))}.");
            }
        }

        string? segmentName = null;
        if (kind == ExportKind.Segment)
        {
            if (string.IsNullOrWhiteSpace(segmentId))
            {
                check.Add("segmentId", "is required for a segment export.");
            }
            else if (lookUpSegment && (segmentName = await FindSegmentNameAsync(segmentId, cancellationToken)) is null)
            {
                check.Add("segmentId", $"no such segment: '{segmentId}'.");
            }
        }
        else if (segmentId is not null && kind is not null)
        {
            check.Add("segmentId", $"is only for a segment export, not for {kind.Value.ToString().ToLowerInvariant()}.");
        }
        return (chosen, segmentName);
    }

    public async Task<ExportJob> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        var entity = KeyRules.IsValidKey(id) ? await Jobs.FindAsync<ExportEntity>(ExportEntity.Partition, id, cancellationToken) : null;
        return entity?.ToRecord() ?? throw new NotFoundException("Export", id);
    }

    /// <summary>The export history, newest first.</summary>
    public async Task<Storage.Page<ExportJob>> ListAsync(int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        var page = await Jobs.QueryPageAsync<ExportEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {ExportEntity.Partition}"), limit, cursor, cancellationToken);
        return page.Select(e => e.ToRecord());
    }

    /// <summary>
    /// The runs of one schedule, newest first: a page of its run rows, then each run's job read by
    /// its id, in parallel. Runs stay listed after their schedule is deleted, as the rest of the history does.
    /// </summary>
    public async Task<Storage.Page<ExportJob>> ListRunsAsync(string scheduleId, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        if (!KeyRules.IsValidKey(scheduleId))
        {
            throw new ValidationFailedException("scheduleId", "is not a schedule id.");
        }
        var page = await Runs.QueryPageAsync<ExportRunEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {RunPartition(scheduleId)}"), limit, cursor, cancellationToken);
        var jobs = await Task.WhenAll(page.Items.Select(r => Jobs.FindAsync<ExportEntity>(ExportEntity.Partition, r.RowKey, cancellationToken)));
        return new Storage.Page<ExportJob>(jobs.OfType<ExportEntity>().Select(e => e.ToRecord()).ToList(), page.NextCursor);
    }

    /// <summary>A download link for a finished export, valid for 15 minutes; null until it has succeeded.</summary>
    public Uri? DownloadLink(ExportJob job) =>
        job is { State: JobState.Succeeded, BlobName: { } name }
            ? blobs.GetDownloadLink(StorageNames.Containers.Exports, name, BlobFiles.DefaultLinkLifetime, Path.GetFileName(name))
            : null;

    /// <summary>Runs a queued export. Running it again after a crash writes the file again from the start.</summary>
    public async Task RunAsync(string id, CancellationToken cancellationToken = default)
    {
        var entity = await Jobs.FindAsync<ExportEntity>(ExportEntity.Partition, id, cancellationToken) ?? throw new NotFoundException("Export", id);
        if (entity.State == nameof(JobState.Succeeded))
        {
            return;
        }
        var job = entity.ToRecord();
        if (job.Kind == ExportKind.Segment && await FindSegmentNameAsync(job.SegmentId, cancellationToken) is null)
        {
            // A retry cannot bring a deleted segment back, so the job fails without failing the delivery.
            entity.State = nameof(JobState.Failed);
            entity.Error = $"Segment '{job.SegmentId}' was deleted before the export ran.";
            entity.EndedAt = time.GetUtcNow();
            await Jobs.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken);
            return;
        }
        entity.State = nameof(JobState.Running);
        entity.StartedAt = time.GetUtcNow();
        entity.Rows = 0;
        entity.ETag = (await Jobs.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, cancellationToken)).Headers.ETag ?? default;

        var file = Path.Combine(Path.GetTempPath(), $"pecoscrm-export-{id}.{ExportWriter.Extension(job.Format)}");
        try
        {
            var rows = job.Kind switch
            {
                ExportKind.Customers => CustomerRowsAsync(job.Fields, entity, cancellationToken),
                ExportKind.Orders => OrderRowsAsync(job, entity, cancellationToken),
                _ => SegmentRowsAsync(job, entity, cancellationToken),
            };
            var count = await ExportWriter.WriteAsync(file, job.Format, job.Fields, rows, storeTime.Zone, cancellationToken);
            var blobName = ExportFileName.For(job);
            await using (var stream = File.OpenRead(file))
            {
                await blobs.UploadAsync(StorageNames.Containers.Exports, blobName, stream, ExportWriter.ContentType(job.Format), cancellationToken);
            }
            entity.State = nameof(JobState.Succeeded);
            entity.Rows = count;
            entity.BlobName = blobName;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            entity.State = nameof(JobState.Failed);
            entity.Error = ex.GetType().Name + ": " + ex.Message;
            throw;
        }
        finally
        {
            entity.EndedAt = time.GetUtcNow();
            await Jobs.UpsertEntityAsync(entity, TableUpdateMode.Replace, CancellationToken.None);
            File.Delete(file);
        }
    }

    /// <summary>The job id of a schedule's occurrence: newest first like every export, and the same every time it is made.</summary>
    internal static string RunId(ExportOrigin origin) => ExportKeys.Run(origin.Occurrence, origin.ScheduleId);

    internal static string RunPartition(string scheduleId) => ExportKeys.RunPartition(scheduleId);

    private Task RecordRunAsync(ExportOrigin origin, string jobId, CancellationToken cancellationToken) =>
        Runs.UpsertEntityAsync(
            new ExportRunEntity { PartitionKey = RunPartition(origin.ScheduleId), RowKey = jobId, Occurrence = origin.Occurrence },
            TableUpdateMode.Replace, cancellationToken);

    private Task SendAsync(string jobId, CancellationToken cancellationToken) =>
        storage.Queue(StorageNames.Queues.Exports).SendMessageAsync(JsonSerializer.Serialize(new ExportMessage(jobId), CrmJson.Options), cancellationToken);

    /// <summary>The segment's name, or null when there is no such segment.</summary>
    private async Task<string?> FindSegmentNameAsync(string? segmentId, CancellationToken cancellationToken)
    {
        if (!KeyRules.IsValidKey(segmentId))
        {
            return null;
        }
        var row = await storage.Table(StorageNames.Tables.Segments)
            .GetEntityIfExistsAsync<TableEntity>(Segments.SegmentEntity.Partition, segmentId, [nameof(Segments.SegmentEntity.Name)], cancellationToken);
        if (!row.HasValue || row.Value is null)
        {
            return null;
        }
        return row.Value.GetString(nameof(Segments.SegmentEntity.Name)) is { Length: > 0 } name ? name : segmentId;
    }

    private async IAsyncEnumerable<IReadOnlyDictionary<string, object?>> CustomerRowsAsync(
        IReadOnlyList<string> fields, ExportEntity progress, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var needMetrics = fields.Any(ExportFields.CustomerMetrics.Contains);
        string? cursor = null;
        do
        {
            var page = await customers.ListAsync(null, Storage.Page<CustomerSummary>.MaxLimit, cursor, cancellationToken);
            var metrics = needMetrics
                ? await Task.WhenAll(page.Items.Select(c => cards.FindAsync(c.Id, cancellationToken)))
                : new CardEntity?[page.Items.Count];
            for (var i = 0; i < page.Items.Count; i++)
            {
                var c = page.Items[i];
                yield return CustomerRow(c.Id, c.FirstName, c.LastName, c.Email, c.Phone, c.Tier, c.CustomerSince, metrics[i]);
            }
            await ReportAsync(progress, page.Items.Count, cancellationToken);
            cursor = page.NextCursor;
        }
        while (cursor is not null);
    }

    /// <summary>
    /// The members of a segment in member (customer id) order, a page of ids at a time; each member's
    /// card is a point read, made in parallel. Members whose customer no longer
    /// exists (erased since they joined) are left out.
    /// </summary>
    private async IAsyncEnumerable<IReadOnlyDictionary<string, object?>> SegmentRowsAsync(
        ExportJob job, ExportEntity progress, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var needMetrics = job.Fields.Any(ExportFields.CustomerMetrics.Contains);
        await foreach (var ids in segments.MemberIdPagesAsync(job.SegmentId!, MembersPerPage, cancellationToken))
        {
            var read = new CardEntity?[ids.Count];
            var reads = new ParallelOptions { MaxDegreeOfParallelism = PointReadsAtOnce, CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(Enumerable.Range(0, ids.Count), reads, async (i, token) => read[i] = await cards.FindAsync(ids[i], token));
            var written = 0;
            foreach (var p in read)
            {
                if (p is { HasProfile: true })
                {
                    written++;
                    yield return CustomerRow(p.PartitionKey, p.FirstName, p.LastName, p.Email, p.Phone, Enum.Parse<LoyaltyTier>(p.Tier), p.CustomerSince, needMetrics ? p : null);
                }
            }
            await ReportAsync(progress, written, cancellationToken);
        }
    }

    private static Dictionary<string, object?> CustomerRow(
        string id, string firstName, string lastName, string? email, string? phone, LoyaltyTier tier, DateTimeOffset customerSince, CardEntity? m) => new()
    {
        ["id"] = id,
        ["firstName"] = firstName,
        ["lastName"] = lastName,
        ["email"] = email,
        ["phone"] = phone,
        ["tier"] = tier,
        ["customerSince"] = customerSince,
        ["lifetimeValue"] = Money.ToDecimal(m?.LifetimeValueCents ?? 0),
        ["orderCount"] = m?.OrderCount ?? 0,
        ["lastOrderAt"] = m?.LastOrderAt,
    };

    private async IAsyncEnumerable<IReadOnlyDictionary<string, object?>> OrderRowsAsync(
        ExportJob job, ExportEntity progress, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        string? cursor = null;
        do
        {
            var page = await orders.ListAsync(job.From ?? now.AddYears(-10), job.To ?? now, null, Storage.Page<OrderSummary>.MaxLimit, cursor, now, cancellationToken);
            foreach (var o in page.Items)
            {
                yield return new Dictionary<string, object?>
                {
                    ["id"] = o.Id,
                    ["number"] = o.Number,
                    ["customerId"] = o.CustomerId,
                    ["placedAt"] = o.PlacedAt,
                    ["status"] = o.Status,
                    ["currency"] = o.Currency,
                    ["total"] = Money.ToDecimal(o.TotalCents),
                    ["net"] = Money.ToDecimal(o.NetCents),
                    ["couponCode"] = o.CouponCode,
                    ["channel"] = o.Channel,
                };
            }
            await ReportAsync(progress, page.Items.Count, cancellationToken);
            cursor = page.NextCursor;
        }
        while (cursor is not null);
    }

    /// <summary>Saves the running row count every thousand rows, so GET /api/exports/{id} shows progress.</summary>
    private async Task ReportAsync(ExportEntity progress, int added, CancellationToken cancellationToken)
    {
        var before = progress.Rows;
        progress.Rows += added;
        if (progress.Rows / ProgressEvery != before / ProgressEvery)
        {
            await Jobs.UpsertEntityAsync(progress, TableUpdateMode.Replace, cancellationToken);
        }
    }
}

/// <summary>The queue message of an export job.</summary>
public sealed record ExportMessage(string Job);
