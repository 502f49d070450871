using CsvHelper;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Segments;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Integrations.Audiences;

/// <summary>A written audience file: where it is, how many rows, and who was left out (no consent, nothing to match on, erased).</summary>
public sealed record AdAudienceFile(string SegmentId, string SegmentName, AdPlatform Platform, string BlobName, int Rows, int Skipped, DateTimeOffset CreatedAt);

/// <summary>
/// Writes a segment's members as a platform's customer-match upload file (<see cref="AdAudienceFormat"/>)
/// into the exports container. Ad audiences are marketing: only members who agreed to marketing
/// email are included. Members are read 16 profiles at a time, a page of the segment at a time.
/// </summary>
public sealed class AdAudiences(SegmentStore segments, CustomerStore customers, BlobFiles blobs, TimeProvider time)
{
    private const int PageSize = 500;
    private const int ReadsAtOnce = 16;

    /// <summary>Writes the file; with <paramref name="maxMembers"/>, stops with <see cref="AudienceTooLargeException"/> past that many members.</summary>
    public async Task<AdAudienceFile> WriteAsync(string segmentId, AdPlatform platform, int? maxMembers = null, CancellationToken cancellationToken = default)
    {
        var segment = await segments.GetAsync(segmentId, cancellationToken);
        var now = time.GetUtcNow();
        var blobName = $"audiences/{platform.ToString().ToLowerInvariant()}-{AdAudienceFormat.Slug(segment.Name)}-{now.UtcDateTime:yyyyMMdd-HHmmss}.csv";
        var file = Path.GetTempFileName();
        var rows = 0;
        var skipped = 0;
        var seen = 0;
        try
        {
            await using (var writer = new StreamWriter(file, false, new System.Text.UTF8Encoding(false)))
            await using (var csv = CsvWriter.Create(writer, new CsvWriterOptions(), false))
            {
                foreach (var field in AdAudienceFormat.Header(platform))
                {
                    csv.WriteField(field);
                }
                await csv.EndRecordAsync(cancellationToken);
                await foreach (var ids in segments.MemberIdPagesAsync(segmentId, PageSize, cancellationToken))
                {
                    seen += ids.Count;
                    if (seen > maxMembers)
                    {
                        throw new AudienceTooLargeException();
                    }
                    var read = new Customer?[ids.Count];
                    var reads = new ParallelOptions { MaxDegreeOfParallelism = ReadsAtOnce, CancellationToken = cancellationToken };
                    await Parallel.ForEachAsync(Enumerable.Range(0, ids.Count), reads, async (i, ct) => read[i] = await customers.FindAsync(ids[i], ct));
                    foreach (var customer in read)
                    {
                        if (customer is not { Consent.Email: true } || AdAudienceFormat.Row(platform, customer) is not { } row)
                        {
                            skipped++;
                            continue;
                        }
                        foreach (var value in row)
                        {
                            csv.WriteField(value);
                        }
                        await csv.EndRecordAsync(cancellationToken);
                        rows++;
                    }
                }
            }
            await using var stream = File.OpenRead(file);
            await blobs.UploadAsync(StorageNames.Containers.Exports, blobName, stream, "text/csv", cancellationToken);
        }
        finally
        {
            File.Delete(file);
        }
        return new AdAudienceFile(segmentId, segment.Name, platform, blobName, rows, skipped, now);
    }

    public Uri DownloadLink(AdAudienceFile file) =>
        blobs.GetDownloadLink(StorageNames.Containers.Exports, file.BlobName, downloadFileName: Path.GetFileName(file.BlobName));
}

/// <summary>The segment has more members than a request writes: the file is made by a queued job instead.</summary>
public sealed class AudienceTooLargeException() : Exception("The segment is too large to write on a request.");
