using Azure.Data.Tables;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace PecosCrm.Core.Storage;

/// <summary>Creates every table, queue and container at start-up; safe to run on every start.</summary>
public sealed partial class StorageInitializer(StorageAccount storage, ILogger<StorageInitializer> logger) : IHostedService
{
    /// <summary>Storage error codes that mean a table, queue or container is missing and start-up should be repeated.</summary>
    public static readonly IReadOnlySet<string> MissingResourceCodes = new HashSet<string>(StringComparer.Ordinal)
    {
        "TableNotFound", "QueueNotFound", "ContainerNotFound",
    };

    public Task StartAsync(CancellationToken cancellationToken) => EnsureCreatedAsync(cancellationToken);

    /// <summary>
    /// Creates whatever is missing. Called at start-up, and again when a request finds a table
    /// missing (storage was down at start-up, or came back empty), so the app heals without a restart.
    /// </summary>
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken = default)
    {
        var work = new List<Task>();
        work.AddRange(StorageNames.Tables.All.Select(t => storage.Table(t).CreateIfNotExistsAsync(cancellationToken)));
        foreach (var q in StorageNames.Queues.All)
        {
            work.Add(storage.Queue(q).CreateIfNotExistsAsync(cancellationToken: cancellationToken));
            work.Add(storage.Queue(StorageNames.Queues.Poison(q)).CreateIfNotExistsAsync(cancellationToken: cancellationToken));
        }
        work.AddRange(StorageNames.Containers.All.Select(c => storage.Container(c).CreateIfNotExistsAsync(cancellationToken: cancellationToken)));

        try
        {
            await Task.WhenAll(work);
            LogReady(logger, work.Count);
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException or HttpRequestException or AggregateException)
        {
            // The app still starts so that /api/health can say storage is down; requests that need
            // storage fail with 503 until it answers, and the next start creates what is missing.
            LogUnavailable(logger, ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Answers whether table storage is reachable, within a few seconds either way.</summary>
    public async Task<bool> IsStorageReachableAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var _ in storage.ProbeTables.QueryAsync(maxPerPage: 1, cancellationToken: cancellationToken).AsPages(pageSizeHint: 1))
            {
                break;
            }
            return true;
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException or HttpRequestException or TaskCanceledException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Storage ready: {Count} tables, queues and containers checked")]
    private static partial void LogReady(ILogger logger, int count);

    [LoggerMessage(2, LogLevel.Error, "Storage unavailable at start-up; tables, queues and containers not created")]
    private static partial void LogUnavailable(ILogger logger, Exception ex);
}
