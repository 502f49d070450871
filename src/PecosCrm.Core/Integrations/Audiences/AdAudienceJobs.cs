using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Integrations.Connectors;
using PecosCrm.Core.Segments;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Integrations.Audiences;

public enum AdAudienceJobStatus
{
    Queued,
    Running,
    Done,
    Failed,
}

/// <summary>An audience file made by a queued job: its state, and when done the file's rows and blob.</summary>
public sealed record AdAudienceJob(
    string Id, string SegmentId, string SegmentName, AdPlatform Platform, AdAudienceJobStatus Status, int? Rows, int? Skipped, string? BlobName,
    string? Error, string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt);

/// <summary>
/// Audience files of any size. A segment up to <see cref="AdAudienceOptions.MaxMembersOnRequest"/>
/// members is written on the request, as before; a larger one (by its last counted size, or found
/// larger while writing) is handed to a queued job on the <c>integrations</c> queue, whose state the
/// caller polls; when done, the job answers a short-lived link to the file in the exports container.
/// </summary>
public sealed class AdAudienceJobs(StorageAccount storage, AdAudiences audiences, SegmentStore segments, IOptions<AdAudienceOptions> options, TimeProvider time)
{
    private TableClient Table => storage.Table(StorageNames.Tables.AdAudiences);

    /// <summary>Writes the file now, or queues a job for a large segment: exactly one of the two comes back.</summary>
    public async Task<(AdAudienceFile? File, AdAudienceJob? Job)> CreateAsync(string segmentId, AdPlatform platform, string actor, CancellationToken cancellationToken = default)
    {
        var segment = await segments.GetAsync(segmentId, cancellationToken);
        var max = options.Value.MaxMembersOnRequest;
        if (segment.MemberCount is not > 0 || segment.MemberCount <= max)
        {
            try
            {
                return (await audiences.WriteAsync(segmentId, platform, max, cancellationToken), null);
            }
            catch (AudienceTooLargeException)
            {
            }
        }
        return (null, await QueueAsync(segment, platform, actor, cancellationToken));
    }

    public async Task<AdAudienceJob> GetAsync(string id, CancellationToken cancellationToken = default) =>
        (KeyRules.IsValidKey(id) ? (await Table.FindAsync<AdAudienceJobEntity>(AdAudienceKeys.JobPartition, AdAudienceKeys.Job(id), cancellationToken))?.ToRecord() : null)
        ?? throw new NotFoundException("Audience job", id);

    /// <summary>Writes a queued job's file (the queue job). A job done already is left alone.</summary>
    public async Task RunAsync(string id, CancellationToken cancellationToken = default)
    {
        var entity = await Table.FindAsync<AdAudienceJobEntity>(AdAudienceKeys.JobPartition, AdAudienceKeys.Job(id), cancellationToken);
        if (entity is null || entity.Status is nameof(AdAudienceJobStatus.Done) or nameof(AdAudienceJobStatus.Failed))
        {
            return;
        }
        entity.Status = nameof(AdAudienceJobStatus.Running);
        entity.ETag = await Table.ReplaceIfMatchAsync(entity, cancellationToken);
        try
        {
            var file = await audiences.WriteAsync(entity.SegmentId, Enum.Parse<AdPlatform>(entity.Platform), null, cancellationToken);
            entity.Rows = file.Rows;
            entity.Skipped = file.Skipped;
            entity.BlobName = file.BlobName;
            entity.Status = nameof(AdAudienceJobStatus.Done);
        }
        catch (NotFoundException ex)
        {
            entity.Status = nameof(AdAudienceJobStatus.Failed);
            entity.Error = ex.Message;
        }
        entity.FinishedAt = time.GetUtcNow();
        await Table.ReplaceIfMatchAsync(entity, cancellationToken);
    }

    /// <summary>A link to a finished job's file, valid 15 minutes; null until it is done.</summary>
    public Uri? DownloadLink(AdAudienceJob job) =>
        job is { Status: AdAudienceJobStatus.Done, BlobName: { } blob } ? audiences.DownloadLink(new AdAudienceFile(job.SegmentId, job.SegmentName, job.Platform, blob, 0, 0, job.CreatedAt)) : null;

    private async Task<AdAudienceJob> QueueAsync(Segment segment, AdPlatform platform, string actor, CancellationToken cancellationToken)
    {
        var id = Ids.New(time);
        var entity = new AdAudienceJobEntity
        {
            PartitionKey = AdAudienceKeys.JobPartition, RowKey = AdAudienceKeys.Job(id), Id = id, SegmentId = segment.Id, SegmentName = segment.Name,
            Platform = platform.ToString(), Status = nameof(AdAudienceJobStatus.Queued), CreatedBy = actor, CreatedAt = time.GetUtcNow(),
        };
        await Table.AddEntityAsync(entity, cancellationToken);
        await storage.Queue(StorageNames.Queues.Integrations).SendMessageAsync(
            JsonSerializer.Serialize(new IntegrationWork(IntegrationWork.Audience, id), CrmJson.Options), cancellationToken);
        return entity.ToRecord();
    }
}

internal sealed class AdAudienceJobEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Id { get; set; } = "";
    public string SegmentId { get; set; } = "";
    public string SegmentName { get; set; } = "";
    public string Platform { get; set; } = "";
    public string Status { get; set; } = "";
    public int? Rows { get; set; }
    public int? Skipped { get; set; }
    public string? BlobName { get; set; }
    public string? Error { get; set; }
    public string CreatedBy { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }

    public AdAudienceJob ToRecord() => new(
        Id, SegmentId, SegmentName, Enum.Parse<AdPlatform>(Platform), Enum.Parse<AdAudienceJobStatus>(Status), Rows, Skipped, BlobName, Error, CreatedBy, CreatedAt, FinishedAt);
}
