using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using CsvHelper;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Exports;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Segments;

public enum SegmentActionKind
{
    /// <summary>Put a custom tag on every member.</summary>
    AddTag,

    /// <summary>Take a custom tag off every member.</summary>
    RemoveTag,

    /// <summary>Issue each member a unique single-use discount code; the codes are a CSV for the store.</summary>
    DiscountCodes,

    /// <summary>A CSV of members' normalised, SHA-256-hashed emails for ad platforms' customer-match audiences.</summary>
    Audience,
}

/// <summary>What an action should do. <paramref name="TagId"/> for tags; kind, value, expiry and prefix for codes.</summary>
public sealed record SegmentActionRequest(
    SegmentActionKind? Action, string? TagId = null, DiscountKind? DiscountKind = null, decimal? Value = null, DateTimeOffset? ExpiresAt = null, string? CodePrefix = null);

/// <summary>A segment action run as a job, with progress and, for codes and audiences, a result file.</summary>
public sealed record SegmentAction(
    string Id, string SegmentId, string SegmentName, SegmentActionKind Action, SegmentActionRequest Request, JobState State,
    int? Total, int Processed, int Skipped, string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? EndedAt, string? Error, string? BlobName);

/// <summary>
/// Actions on all members of a segment, each a job on the <c>segments</c> queue. A dynamic segment is
/// refreshed first, so the action reaches the customers who match now. Every step is idempotent
/// (tagging twice changes nothing, a code is derived from the job and the customer), so a job cut
/// short by a crash is redelivered and runs again from the start without doubling anything.
/// </summary>
public sealed class SegmentActions(
    StorageAccount storage, SegmentStore store, SegmentService segments, CustomerStore customers, TagStore tags, DiscountCodes codes, BlobFiles blobs, TimeProvider time)
{
    private const string Partition = "segment-action";

    private TableClient Jobs => storage.Table(StorageNames.Tables.Jobs);

    public async Task<SegmentAction> StartAsync(string segmentId, SegmentActionRequest request, string actor, CancellationToken cancellationToken = default)
    {
        var segment = await store.GetEntityAsync(segmentId, cancellationToken);
        var check = new Validation();
        switch (request.Action)
        {
            case null:
                check.Add("action", "is required: add_tag, remove_tag, discount_codes or audience.");
                break;
            case SegmentActionKind.AddTag or SegmentActionKind.RemoveTag:
                if (string.IsNullOrWhiteSpace(request.TagId))
                {
                    check.Add("tagId", "is required.");
                }
                else if (AutoTags.IsAuto(request.TagId))
                {
                    check.Add("tagId", "is an automatic tag, which the system keeps by itself.");
                }
                else
                {
                    try
                    {
                        await tags.GetAsync(request.TagId, cancellationToken);
                    }
                    catch (NotFoundException)
                    {
                        check.Add("tagId", $"no tag has the id '{request.TagId}'.");
                    }
                }
                break;
            case SegmentActionKind.DiscountCodes:
                if (request.DiscountKind is null)
                {
                    check.Add("discountKind", "is required: percent or amount.");
                }
                if (request.Value is not > 0 || (request.DiscountKind == DiscountKind.Percent && request.Value > 100))
                {
                    check.Add("value", request.DiscountKind == DiscountKind.Percent ? "must be more than 0 and at most 100 (percent)." : "must be an amount more than 0.");
                }
                if (request.ExpiresAt is not { } expires || expires <= time.GetUtcNow())
                {
                    check.Add("expiresAt", "is required and must be in the future.");
                }
                if (request.CodePrefix is { } prefix && (prefix.Length > 12 || !prefix.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')))
                {
                    check.Add("codePrefix", "must be at most 12 letters, digits or hyphens.");
                }
                break;
        }
        check.ThrowIfInvalid();

        var now = time.GetUtcNow();
        var job = new SegmentActionEntity
        {
            PartitionKey = Partition,
            RowKey = KeyRules.InvertedTicks(now) + Guid.NewGuid().ToString("N")[..8],
            SegmentId = segment.RowKey,
            SegmentName = segment.Name,
            Action = request.Action!.Value.ToString(),
            Request = JsonSerializer.Serialize(request with { CodePrefix = request.CodePrefix?.ToUpperInvariant() }, CrmJson.Options),
            State = nameof(JobState.Queued),
            CreatedBy = actor,
            CreatedAt = now,
        };
        await Jobs.AddEntityAsync(job, cancellationToken);
        await storage.Queue(StorageNames.Queues.Segments).SendMessageAsync(
            JsonSerializer.Serialize(new SegmentMessage(SegmentMessage.Action, job.RowKey), CrmJson.Options), cancellationToken);
        return job.ToRecord();
    }

    public async Task<SegmentAction> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        var job = KeyRules.IsValidKey(id) ? await Jobs.FindAsync<SegmentActionEntity>(Partition, id, cancellationToken) : null;
        return job?.ToRecord() ?? throw new NotFoundException("Segment action", id);
    }

    /// <summary>The actions run on a segment (or on all segments), newest first.</summary>
    public async Task<Storage.Page<SegmentAction>> ListAsync(string? segmentId, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        var filter = segmentId is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {Partition}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and SegmentId eq {segmentId}");
        var page = await Jobs.QueryPageAsync<SegmentActionEntity>(filter, limit, cursor, cancellationToken);
        return page.Select(j => j.ToRecord());
    }

    public Uri? DownloadLink(SegmentAction job) =>
        job is { State: JobState.Succeeded, BlobName: { } name } ? blobs.GetDownloadLink(StorageNames.Containers.Exports, name, BlobFiles.DefaultLinkLifetime, Path.GetFileName(name)) : null;

    /// <summary>Runs a queued action (again from the start when redelivered after a crash).</summary>
    public async Task RunAsync(string id, CancellationToken cancellationToken = default)
    {
        var job = await Jobs.FindAsync<SegmentActionEntity>(Partition, id, cancellationToken) ?? throw new NotFoundException("Segment action", id);
        if (job.State is nameof(JobState.Succeeded) or nameof(JobState.Failed))
        {
            return;
        }
        var request = JsonSerializer.Deserialize<SegmentActionRequest>(job.Request, CrmJson.Options)!;
        job.State = nameof(JobState.Running);
        job.StartedAt = time.GetUtcNow();
        (job.Processed, job.Skipped) = (0, 0);
        await SaveAsync(job, cancellationToken);

        var file = Path.Combine(Path.GetTempPath(), $"pecoscrm-action-{id}.csv");
        try
        {
            var segment = await store.GetEntityAsync(job.SegmentId, cancellationToken);
            if (segment.KindValue == SegmentKind.Dynamic)
            {
                job.Total = (await segments.RefreshAsync(segment.RowKey, cancellationToken)).Members;
            }
            else
            {
                job.Total = segment.MemberCount;
            }
            await SaveAsync(job, cancellationToken);

            await using (var writer = new StreamWriter(file, false, new UTF8Encoding(false)))
            await using (var csv = CsvWriter.Create(writer, new CsvWriterOptions(), false))
            {
                var header = request.Action == SegmentActionKind.Audience ? ["email"] : new[] { "code", "customer_id", "email", "first_name", "last_name", "kind", "value", "expires_at" };
                foreach (var h in header)
                {
                    csv.WriteField(h);
                }
                await csv.EndRecordAsync(cancellationToken);
                await foreach (var page in store.MemberIdPagesAsync(segment.RowKey, cancellationToken))
                {
                    var lines = new List<string[]>[page.Count];
                    await Parallel.ForEachAsync(Enumerable.Range(0, page.Count), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (i, ct) =>
                        lines[i] = await ApplyAsync(job, request, page[i], ct));
                    foreach (var line in lines.SelectMany(l => l))
                    {
                        foreach (var field in line)
                        {
                            csv.WriteField(SpreadsheetSafe.Text(field));
                        }
                        await csv.EndRecordAsync(cancellationToken);
                    }
                    job.Processed += page.Count;
                    await SaveAsync(job, cancellationToken);
                }
            }
            if (request.Action is SegmentActionKind.DiscountCodes or SegmentActionKind.Audience)
            {
                var kind = request.Action == SegmentActionKind.Audience ? "audience" : "discount-codes";
                job.BlobName = $"segments/{id}/{kind}-{Slug(segment.Name)}-{job.CreatedAt.UtcDateTime:yyyyMMdd-HHmmss}.csv";
                await using var stream = File.OpenRead(file);
                await blobs.UploadAsync(StorageNames.Containers.Exports, job.BlobName, stream, "text/csv", cancellationToken);
            }
            job.State = nameof(JobState.Succeeded);
        }
        catch (Exception ex) when (ex is ValidationFailedException or NotFoundException or ConflictException)
        {
            // The segment or the tag went away meanwhile: a retry would fail the same way.
            job.State = nameof(JobState.Failed);
            job.Error = ex.Message;
        }
        finally
        {
            job.EndedAt = job.State == nameof(JobState.Running) ? null : time.GetUtcNow();
            await Jobs.UpsertEntityAsync(job, TableUpdateMode.Replace, CancellationToken.None);
            File.Delete(file);
        }
    }

    /// <summary>Applies the action to one member; returns the lines it adds to the result file.</summary>
    private async Task<List<string[]>> ApplyAsync(SegmentActionEntity job, SegmentActionRequest request, string customerId, CancellationToken cancellationToken)
    {
        var profile = await customers.FindAsync(customerId, cancellationToken);
        if (profile is null)
        {
            Interlocked.Increment(ref job.SkippedCount);
            return [];
        }
        switch (request.Action)
        {
            case SegmentActionKind.AddTag:
                await tags.AssignAsync(customerId, request.TagId!, job.CreatedBy, cancellationToken);
                return [];
            case SegmentActionKind.RemoveTag:
                await tags.RemoveAsync(customerId, request.TagId!, job.CreatedBy, cancellationToken);
                return [];
            case SegmentActionKind.DiscountCodes:
                var code = await codes.IssueAsync(request.CodePrefix ?? "PRT-", job.RowKey, customerId, request.DiscountKind!.Value, request.Value!.Value, request.ExpiresAt!.Value, time.GetUtcNow(), cancellationToken);
                return [[code.Code, customerId, profile.Email ?? "", profile.FirstName, profile.LastName, code.Kind.ToString().ToLowerInvariant(),
                    code.Value.ToString(CultureInfo.InvariantCulture), code.ExpiresAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)]];
            default:
                if (profile.Email is not { Length: > 0 } email || !profile.Consent.Email)
                {
                    // Ad audiences are marketing: customers without an email or without consent are left out.
                    Interlocked.Increment(ref job.SkippedCount);
                    return [];
                }
                return [[HashEmail(email)]];
        }
    }

    /// <summary>An email as ad platforms match it: trimmed, lower-cased, SHA-256, lower-case hex.</summary>
    public static string HashEmail(string email) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(email.Trim().ToLowerInvariant())));

    private static string Slug(string name)
    {
        var slug = new string(name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');
        return slug.Length == 0 ? "segment" : slug.Length > 40 ? slug[..40] : slug;
    }

    private async Task SaveAsync(SegmentActionEntity job, CancellationToken cancellationToken)
    {
        job.Skipped = job.SkippedCount;
        await Jobs.UpsertEntityAsync(job, TableUpdateMode.Replace, cancellationToken);
    }
}

internal sealed class SegmentActionEntity : ITableEntity
{
    /// <summary>Counted across parallel workers; saved as <see cref="Skipped"/>.</summary>
    public int SkippedCount;

    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string SegmentId { get; set; } = "";
    public string SegmentName { get; set; } = "";
    public string Action { get; set; } = "";
    public string Request { get; set; } = "{}";
    public string State { get; set; } = "";
    public int? Total { get; set; }
    public int Processed { get; set; }
    public int Skipped { get; set; }
    public string CreatedBy { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public string? Error { get; set; }
    public string? BlobName { get; set; }

    public SegmentAction ToRecord() => new(
        RowKey, SegmentId, SegmentName, Enum.Parse<SegmentActionKind>(Action), JsonSerializer.Deserialize<SegmentActionRequest>(Request, CrmJson.Options)!,
        Enum.Parse<JobState>(State), Total, Processed, Skipped, CreatedBy, CreatedAt, StartedAt, EndedAt, Error, BlobName);
}
