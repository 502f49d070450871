using System.Globalization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Cronos;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Storage;

namespace PecosCrm.Functions.Hosting;

/// <summary>
/// Standalone mode's timers. Each occurrence is claimed under a blob lease: the instance that holds
/// the lease and finds the occurrence unclaimed in the blob's metadata records it and runs the job,
/// so with several instances exactly one fires. Like Azure Functions timers, a run that fails is not
/// retried. The schedules are the <c>[TimerTrigger]</c> attributes of the app's functions.
/// </summary>
public sealed partial class TimerRunner(
    FunctionCatalog catalog,
    StorageAccount storage,
    IServiceScopeFactory scopes,
    TimeProvider time,
    IConfiguration configuration,
    IOptions<HostingOptions> options,
    ILogger<TimerRunner> logger) : BackgroundService
{
    private const string LastOccurrenceKey = "lastoccurrence";

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.RunTimers)
        {
            return Task.CompletedTask;
        }
        var zone = ScheduleTimeZone(configuration);
        return Task.WhenAll(catalog.Timers.Select(f => RunScheduleAsync(f, zone, stoppingToken)));
    }

    /// <summary>Schedules are UTC unless WEBSITE_TIME_ZONE names a zone, as in Azure Functions.</summary>
    public static TimeZoneInfo ScheduleTimeZone(IConfiguration configuration) =>
        configuration[HostingOptions.TimeZoneKey] is { Length: > 0 } id ? TimeZoneInfo.FindSystemTimeZoneById(id) : TimeZoneInfo.Utc;

    private async Task RunScheduleAsync(FunctionTrigger function, TimeZoneInfo zone, CancellationToken stoppingToken)
    {
        var cron = CronExpression.Parse(function.Schedule!, CronFormat.IncludeSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            var next = cron.GetNextOccurrence(now, zone);
            if (next is null)
            {
                return;
            }
            try
            {
                await Task.Delay(next.Value - now, time, stoppingToken);
                await FireAsync(function, next.Value, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogTimerFailed(logger, function.Name, ex);
            }
        }
    }

    /// <summary>Claims and runs one occurrence; returns false when another instance already claimed it.</summary>
    public async Task<bool> FireAsync(FunctionTrigger function, DateTimeOffset occurrence, CancellationToken cancellationToken)
    {
        if (!await ClaimAsync(function.Name, occurrence, cancellationToken))
        {
            return false;
        }
        await using var scope = scopes.CreateAsyncScope();
        var isPastDue = time.GetUtcNow() - occurrence > TimeSpan.FromMinutes(1);
        LogTimerFiring(logger, function.Name, occurrence);
        await FunctionInvoker.InvokeTimerAsync(function, scope.ServiceProvider, isPastDue, cancellationToken);
        return true;
    }

    private async Task<bool> ClaimAsync(string name, DateTimeOffset occurrence, CancellationToken cancellationToken)
    {
        var blob = storage.Container(StorageNames.Containers.Locks).GetBlobClient("timers/" + name);
        try
        {
            await blob.UploadAsync(BinaryData.Empty, new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // The lock blob already exists.
        }

        var lease = blob.GetBlobLeaseClient();
        try
        {
            await lease.AcquireAsync(TimeSpan.FromSeconds(15), cancellationToken: cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
        try
        {
            var properties = await blob.GetPropertiesAsync(cancellationToken: cancellationToken);
            var stamp = occurrence.UtcTicks.ToString("D19", CultureInfo.InvariantCulture);
            if (properties.Value.Metadata.TryGetValue(LastOccurrenceKey, out var last) && string.CompareOrdinal(last, stamp) >= 0)
            {
                return false;
            }
            await blob.SetMetadataAsync(
                new Dictionary<string, string> { [LastOccurrenceKey] = stamp },
                new BlobRequestConditions { LeaseId = lease.LeaseId },
                cancellationToken);
            return true;
        }
        finally
        {
            await lease.ReleaseAsync(cancellationToken: CancellationToken.None);
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Timer {Function} firing for {Occurrence:o}")]
    private static partial void LogTimerFiring(ILogger logger, string function, DateTimeOffset occurrence);

    [LoggerMessage(2, LogLevel.Error, "Timer {Function} failed")]
    private static partial void LogTimerFailed(ILogger logger, string function, Exception ex);
}
