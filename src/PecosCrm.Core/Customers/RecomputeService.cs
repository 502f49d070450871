using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using PecosCrm.Core.Analytics;
using PecosCrm.Core.Segments;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Customers;

/// <summary>
/// The nightly recompute of what changes with time alone, and of RFM. It reads no customer rows to
/// find its work: the analytical copy is brought up to date first (RFM and the customer-features
/// file), then the features file is streamed once and <see cref="RecomputeDecision"/> picks, per
/// customer, those whose health score, churn risk, auto-tags or RFM code would change. Only those
/// are queued, in shards of up to 500 ids with their RFM codes; each shard refreshes its customers
/// in parallel (one card read each, and a write only when something changed). Customers without a
/// row in the file (created after its build) are skipped: the event path that created them keeps
/// their card current. A finished shard leaves a marker, so a shard redelivered after a crash is
/// skipped and the job resumes without redoing finished work. When the last shard is done, the
/// analytical copy is brought up to date (the changed customers' features) and every dynamic
/// segment is queued for a membership refresh; the job ends when each has reported. Progress is on
/// the job row: customers scanned in the file, queued, changed, errors.
/// </summary>
public sealed partial class RecomputeService(
    StorageAccount storage, CustomerFeatures features, CustomerActivity activity, AnalyticsCopy analytics, RfmAnalysis rfm, SegmentService segments,
    TimeProvider time, ILogger<RecomputeService> logger)
{
    public const int ShardSize = 500;

    private TableClient Jobs => storage.Table(StorageNames.Tables.Jobs);

    public async Task<RecomputeJob> StartAsync(string startedBy, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var job = new RecomputeEntity { RowKey = KeyRules.InvertedTicks(now) + Guid.NewGuid().ToString("N")[..8], State = "running", StartedBy = startedBy, StartedAt = now, ShardsTotal = -1, SegmentsTotal = -1 };
        await Jobs.AddEntityAsync(job, cancellationToken);
        // RFM and the features file come from the analytical copy, brought up to date first; each shard carries its customers' codes.
        await analytics.RebuildChangedAsync(cancellationToken: cancellationToken);
        var codes = await rfm.GetAllCodesAsync(cancellationToken);
        var queue = storage.Queue(StorageNames.Queues.Recompute);
        var shards = 0;
        long scanned = 0;
        long queued = 0;
        var ids = new List<string>(ShardSize);
        var shardCodes = new List<string?>(ShardSize);
        async Task SendAsync()
        {
            await queue.SendMessageAsync(JsonSerializer.Serialize(new RecomputeShard(job.RowKey, shards++, ids, shardCodes), CrmJson.Options), cancellationToken);
            queued += ids.Count;
            ids = new List<string>(ShardSize);
            shardCodes = new List<string?>(ShardSize);
        }
        await foreach (var row in features.ReadRecomputeFactsAsync(cancellationToken))
        {
            scanned++;
            var code = codes.GetValueOrDefault(row.CustomerId);
            if (RecomputeDecision.NeedsRefresh(row, code, now))
            {
                ids.Add(row.CustomerId);
                shardCodes.Add(code);
                if (ids.Count == ShardSize)
                {
                    await SendAsync();
                }
            }
        }
        if (ids.Count > 0)
        {
            await SendAsync();
        }
        if (await UpdateAsync(job.RowKey, j =>
        {
            j.ShardsTotal = shards;
            j.CustomersProcessed = scanned;
            j.CustomersQueued = queued;
        }, cancellationToken))
        {
            await QueueSegmentsAsync(job.RowKey, cancellationToken);
        }
        return await GetAsync(job.RowKey, cancellationToken);
    }

    public async Task<RecomputeJob> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        var row = KeyRules.IsValidKey(id) ? await Jobs.FindAsync<RecomputeEntity>(RecomputeKeys.JobPartition, id, cancellationToken) : null;
        return row?.ToRecord() ?? throw new NotFoundException("Job", id);
    }

    public async Task ProcessShardAsync(RecomputeShard shard, CancellationToken cancellationToken = default)
    {
        var marker = new TableEntity(RecomputeKeys.MarkerPartition(shard.Job), RecomputeKeys.ShardDone(shard.Job, shard.Shard));
        if (await Jobs.FindAsync<TableEntity>(marker.PartitionKey, marker.RowKey, cancellationToken) is not null)
        {
            return;
        }
        long changed = 0;
        var errors = 0;
        await Parallel.ForEachAsync(shard.CustomerIds.Select((id, i) => (Id: id, Rfm: shard.RfmCodes?.ElementAtOrDefault(i))),
            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (customer, ct) =>
        {
            try
            {
                if (await activity.RefreshAsync(customer.Id, customer.Rfm, ct))
                {
                    Interlocked.Increment(ref changed);
                }
            }
            catch (Exception ex) when (ex is RequestFailedException or ConcurrencyException)
            {
                Interlocked.Increment(ref errors);
                LogCustomerFailed(logger, shard.Job, ex);
            }
        });
        try
        {
            await Jobs.AddEntityAsync(marker, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return;
        }
        if (await UpdateAsync(shard.Job, j =>
        {
            j.ShardsDone++;
            j.CustomersChanged += changed;
            j.Errors += errors;
        }, cancellationToken))
        {
            await QueueSegmentsAsync(shard.Job, cancellationToken);
        }
    }

    /// <summary>A dynamic segment of the job has been refreshed (or could not be); counted once per segment.</summary>
    public async Task SegmentRefreshedAsync(string jobId, string segmentId, bool failed, CancellationToken cancellationToken = default)
    {
        try
        {
            await Jobs.AddEntityAsync(new TableEntity(RecomputeKeys.MarkerPartition(jobId), RecomputeKeys.SegmentRefreshed(jobId, segmentId)), cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return;
        }
        await UpdateAsync(jobId, j =>
        {
            j.SegmentsRefreshed++;
            j.Errors += failed ? 1 : 0;
        }, cancellationToken);
    }

    /// <summary>Once every shard is done: the copy is brought up to date, then each dynamic segment is queued for a refresh.</summary>
    private async Task QueueSegmentsAsync(string jobId, CancellationToken cancellationToken)
    {
        await analytics.RebuildChangedAsync(cancellationToken: cancellationToken);
        var ids = await segments.DynamicIdsAsync(cancellationToken);
        await UpdateAsync(jobId, j => j.SegmentsTotal = ids.Count, cancellationToken);
        foreach (var id in ids)
        {
            await segments.QueueRefreshAsync(id, jobId, cancellationToken);
        }
    }

    private void Finish(RecomputeEntity job)
    {
        if (job.ShardsTotal >= 0 && job.ShardsDone >= job.ShardsTotal && job.SegmentsTotal >= 0 && job.SegmentsRefreshed >= job.SegmentsTotal && job.EndedAt is null)
        {
            job.State = job.Errors == 0 ? "succeeded" : "completed_with_errors";
            job.EndedAt = time.GetUtcNow();
        }
    }

    /// <summary>Applies a change to the job row; returns true when this change completed the shards (the segments come next).</summary>
    private async Task<bool> UpdateAsync(string id, Action<RecomputeEntity> change, CancellationToken cancellationToken)
    {
        while (true)
        {
            var job = await Jobs.FindAsync<RecomputeEntity>(RecomputeKeys.JobPartition, id, cancellationToken) ?? throw new NotFoundException("Job", id);
            var shardsWereDone = job.ShardsTotal >= 0 && job.ShardsDone >= job.ShardsTotal;
            change(job);
            var shardsDone = job.ShardsTotal >= 0 && job.ShardsDone >= job.ShardsTotal;
            Finish(job);
            try
            {
                await Jobs.UpdateEntityAsync(job, job.ETag, TableUpdateMode.Replace, cancellationToken);
                return shardsDone && !shardsWereDone;
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                // Another shard reported at the same moment: read again and re-apply.
            }
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "Recompute {Job}: a customer could not be refreshed")]
    private static partial void LogCustomerFailed(ILogger logger, string job, Exception ex);
}

/// <summary>One queue message of a recompute job.</summary>
public sealed record RecomputeShard(string Job, int Shard, IReadOnlyList<string> CustomerIds, IReadOnlyList<string?>? RfmCodes = null);

internal sealed class RecomputeEntity : ITableEntity
{
    public string PartitionKey { get; set; } = RecomputeKeys.JobPartition;
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string State { get; set; } = "";
    public int ShardsTotal { get; set; }
    public int ShardsDone { get; set; }
    /// <summary>Customers scanned in the features file.</summary>
    public long CustomersProcessed { get; set; }
    public long CustomersQueued { get; set; }
    public long CustomersChanged { get; set; }
    public int Errors { get; set; }
    public int SegmentsTotal { get; set; }
    public int SegmentsRefreshed { get; set; }
    public string StartedBy { get; set; } = "";
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }

    public RecomputeJob ToRecord() => new(
        RowKey, State, ShardsTotal < 0 ? null : ShardsTotal, ShardsDone, CustomersProcessed, CustomersQueued, CustomersChanged,
        SegmentsTotal < 0 ? null : SegmentsTotal, SegmentsRefreshed, Errors, StartedBy, StartedAt, EndedAt);
}
