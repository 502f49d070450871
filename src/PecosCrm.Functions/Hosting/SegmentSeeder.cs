using PecosCrm.Core.Segments;
using PecosCrm.Core.Storage;

namespace PecosCrm.Functions.Hosting;

/// <summary>At start-up, creates the pre-built segments that were never seeded (their members come with the first refresh).</summary>
public sealed partial class SegmentSeeder(SegmentService segments, StorageAccount storage, ILogger<SegmentSeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (await PrebuiltSegments.SeedAsync(segments, storage, cancellationToken) is > 0 and var created)
            {
                LogSeeded(logger, created);
            }
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException or HttpRequestException or AggregateException)
        {
            LogFailed(logger, ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(1, LogLevel.Information, "{Count} pre-built segments seeded")]
    private static partial void LogSeeded(ILogger logger, int count);

    [LoggerMessage(2, LogLevel.Error, "Pre-built segments could not be seeded: storage unavailable; the next start tries again")]
    private static partial void LogFailed(ILogger logger, Exception ex);
}
