using System.Collections.Concurrent;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Integrations.Usage;

/// <summary>One key's use of one endpoint on one day (UTC).</summary>
/// <param name="Errors">Answers of 400 and above: <paramref name="ClientErrors"/> (4xx, 429 included) plus <paramref name="ServerErrors"/> (5xx).</param>
public sealed record ApiUsageRow(
    DateOnly Day, string Endpoint, long Requests, long Errors, long ClientErrors, long ServerErrors, long RateLimited, double AverageLatencyMs, long MaxLatencyMs);

public sealed class ApiUsageOptions
{
    public const string SectionName = "ApiUsage";

    /// <summary>How often the counts kept in memory are added to the table.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Counts requests per API key, endpoint and day. A request costs no storage call: counts are
/// summed in memory and added to the day's row every <see cref="ApiUsageOptions.FlushInterval"/>
/// (a read and an ETag-guarded write per key, endpoint and day that saw traffic), and when the app
/// stops. Several instances add to the same rows; the ETag makes their additions safe.
/// </summary>
public sealed class ApiUsage(StorageAccount storage, TimeProvider time)
{
    private sealed class Counter
    {
        public long Requests;
        public long ClientErrors;
        public long ServerErrors;
        public long RateLimited;
        public long TotalMs;
        public long MaxMs;
    }

    private readonly record struct Slot(string KeyId, DateOnly Day, string Endpoint);

    private ConcurrentDictionary<Slot, Counter> _pending = new();
    private readonly SemaphoreSlim _flushing = new(1, 1);

    private TableClient Table => storage.Table(StorageNames.Tables.ApiUsage);

    public void Record(string keyId, string endpoint, int status, long elapsedMs)
    {
        var counter = _pending.GetOrAdd(new Slot(keyId, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime), endpoint), _ => new Counter());
        Interlocked.Increment(ref counter.Requests);
        if (status >= 500)
        {
            Interlocked.Increment(ref counter.ServerErrors);
        }
        else if (status >= 400)
        {
            Interlocked.Increment(ref counter.ClientErrors);
        }
        if (status == 429)
        {
            Interlocked.Increment(ref counter.RateLimited);
        }
        Interlocked.Add(ref counter.TotalMs, elapsedMs);
        Raise(ref counter.MaxMs, elapsedMs);
    }

    /// <summary>Adds the counts kept in memory to the table.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        await _flushing.WaitAsync(cancellationToken);
        try
        {
            var pending = Interlocked.Exchange(ref _pending, new ConcurrentDictionary<Slot, Counter>());
            // A request recorded while the swap happened may land in the old dictionary a moment later: give it that moment.
            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
            foreach (var (slot, counter) in pending)
            {
                try
                {
                    await AddAsync(slot, counter, cancellationToken);
                    pending.TryRemove(slot, out _);
                }
                catch
                {
                    foreach (var (left, count) in pending)
                    {
                        PutBack(left, count);
                    }
                    throw;
                }
            }
        }
        finally
        {
            _flushing.Release();
        }
    }

    private void PutBack(Slot slot, Counter count)
    {
        var counter = _pending.GetOrAdd(slot, _ => new Counter());
        Interlocked.Add(ref counter.Requests, count.Requests);
        Interlocked.Add(ref counter.ClientErrors, count.ClientErrors);
        Interlocked.Add(ref counter.ServerErrors, count.ServerErrors);
        Interlocked.Add(ref counter.RateLimited, count.RateLimited);
        Interlocked.Add(ref counter.TotalMs, count.TotalMs);
        Raise(ref counter.MaxMs, count.MaxMs);
    }

    private static void Raise(ref long max, long value)
    {
        long seen;
        while (value > (seen = Interlocked.Read(ref max)) && Interlocked.CompareExchange(ref max, value, seen) != seen)
        {
        }
    }

    private Task AddAsync(Slot slot, Counter counter, CancellationToken cancellationToken) =>
                OptimisticRetry.RunAsync(async _ =>
                {
                    var rowKey = ApiUsageKeys.Row(slot.KeyId, slot.Day, slot.Endpoint);
                    var row = await Table.FindAsync<ApiUsageEntity>(slot.KeyId, rowKey, cancellationToken)
                        ?? new ApiUsageEntity { PartitionKey = ApiUsageKeys.PartitionOf(slot.KeyId), RowKey = rowKey, Day = ApiUsageKeys.Day(slot.Day), Endpoint = slot.Endpoint };
                    row.Requests += counter.Requests;
                    row.ClientErrors += counter.ClientErrors;
                    row.ServerErrors += counter.ServerErrors;
                    row.RateLimited += counter.RateLimited;
                    row.TotalLatencyMs += counter.TotalMs;
                    row.MaxLatencyMs = Math.Max(row.MaxLatencyMs, counter.MaxMs);
                    if (row.ETag == default)
                    {
                        await Table.AddEntityAsync(row, cancellationToken);
                    }
                    else
                    {
                        await Table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken);
                    }
                }, cancellationToken: cancellationToken);

    /// <summary>A key's usage by day and endpoint, oldest day first, between two UTC days (both included).</summary>
    public async Task<Storage.Page<ApiUsageRow>> ListAsync(string keyId, DateOnly from, DateOnly to, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        var page = await Table.QueryPageAsync<ApiUsageEntity>(ApiUsageKeys.RangeFilter(keyId, from, to), limit, cursor, cancellationToken);
        return page.Select(r => r.ToRecord());
    }
}
