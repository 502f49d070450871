using System.Text.Json;
using Azure.Data.Tables;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Orders;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Exports;

/// <summary>
/// Exports customers or orders to a blob as a job: the request is checked and recorded, a queue
/// message runs it, progress (rows written) is saved as it goes, and the finished file is handed
/// out as a short-lived download link. Every run stays in the export history.
/// </summary>
public sealed class ExportService(StorageAccount storage, CustomerStore customers, OrderStore orders, BlobFiles blobs, TimeProvider time)
{
    private const int ProgressEvery = 1000;

    private TableClient Jobs => storage.Table(StorageNames.Tables.Jobs);

    public async Task<ExportJob> StartAsync(ExportRequest request, string createdBy, CancellationToken cancellationToken = default)
    {
        var check = new Validation();
        if (request.Kind is null)
        {
            check.Add("kind", "is required: customers or orders.");
        }
        if (request.Format is null)
        {
            check.Add("format", "is required: csv, xlsx or json.");
        }
        var fields = request.Fields is { Count: > 0 } chosen ? chosen.Distinct().ToList() : request.Kind is { } k ? ExportFields.For(k).ToList() : [];
        if (request.Kind is { } kind)
        {
            foreach (var unknown in fields.Where(f => !ExportFields.For(kind).Contains(f)))
            {
                check.Add("fields", $"'{unknown}' is not a field of {kind.ToString().ToLowerInvariant()}: {string.Join(", ", ExportFields.For(kind))}.");
            }
        }
        if (request.From is { } from && request.To is { } to && from > to)
        {
            check.Add("from", "must not be after to.");
        }
        check.ThrowIfInvalid();

        var now = time.GetUtcNow();
        var entity = new ExportEntity
        {
            RowKey = KeyRules.InvertedTicks(now) + Guid.NewGuid().ToString("N")[..8],
            Kind = request.Kind!.Value.ToString(),
            Format = request.Format!.Value.ToString(),
            Fields = string.Join(',', fields),
            From = request.From,
            To = request.To,
            State = nameof(JobState.Queued),
            CreatedBy = createdBy,
            CreatedAt = now,
        };
        await Jobs.AddEntityAsync(entity, cancellationToken);
        await storage.Queue(StorageNames.Queues.Exports).SendMessageAsync(JsonSerializer.Serialize(new ExportMessage(entity.RowKey), CrmJson.Options), cancellationToken);
        return entity.ToRecord();
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
        entity.State = nameof(JobState.Running);
        entity.StartedAt = time.GetUtcNow();
        entity.Rows = 0;
        entity.ETag = (await Jobs.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, cancellationToken)).Headers.ETag ?? default;

        var file = Path.Combine(Path.GetTempPath(), $"pecoscrm-export-{id}.{ExportWriter.Extension(job.Format)}");
        try
        {
            var rows = job.Kind == ExportKind.Customers ? CustomerRowsAsync(job.Fields, entity, cancellationToken) : OrderRowsAsync(job, entity, cancellationToken);
            var count = await ExportWriter.WriteAsync(file, job.Format, job.Fields, rows, cancellationToken);
            var blobName = $"{id}/{job.Kind.ToString().ToLowerInvariant()}-{job.CreatedAt.UtcDateTime:yyyyMMdd-HHmmss}.{ExportWriter.Extension(job.Format)}";
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

    private async IAsyncEnumerable<IReadOnlyDictionary<string, object?>> CustomerRowsAsync(
        IReadOnlyList<string> fields, ExportEntity progress, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var needMetrics = fields.Any(ExportFields.CustomerMetrics.Contains);
        var table = storage.Table(StorageNames.Tables.Customers);
        string? cursor = null;
        do
        {
            var page = await customers.ListAsync(null, Storage.Page<CustomerSummary>.MaxLimit, cursor, cancellationToken);
            var metrics = needMetrics
                ? await Task.WhenAll(page.Items.Select(c => table.FindAsync<MetricsEntity>(c.Id, CustomerKeys.Metrics, cancellationToken)))
                : new MetricsEntity?[page.Items.Count];
            for (var i = 0; i < page.Items.Count; i++)
            {
                var c = page.Items[i];
                var m = metrics[i];
                yield return new Dictionary<string, object?>
                {
                    ["id"] = c.Id,
                    ["firstName"] = c.FirstName,
                    ["lastName"] = c.LastName,
                    ["email"] = c.Email,
                    ["phone"] = c.Phone,
                    ["tier"] = c.Tier,
                    ["customerSince"] = c.CustomerSince,
                    ["lifetimeValue"] = Money.ToDecimal(m?.LifetimeValueCents ?? 0),
                    ["orderCount"] = m?.OrderCount ?? 0,
                    ["lastOrderAt"] = m?.LastOrderAt,
                };
            }
            await ReportAsync(progress, page.Items.Count, cancellationToken);
            cursor = page.NextCursor;
        }
        while (cursor is not null);
    }

    private async IAsyncEnumerable<IReadOnlyDictionary<string, object?>> OrderRowsAsync(
        ExportJob job, ExportEntity progress, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
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
