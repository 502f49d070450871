using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Audit;

/// <summary>
/// Reads of customer data (a profile or 360 view) for the audit log, without a storage call on the
/// request: <see cref="Record"/> only stamps the entry and adds it to a buffer in memory;
/// <see cref="AuditReadFlusher"/> writes the buffer every <see cref="AuditOptions.FlushInterval"/>
/// (sooner once <see cref="AuditOptions.FlushAtCount"/> wait) and when the app stops. A flush writes
/// each entry to the same three partitions as every audit entry, as entity-group transactions of up
/// to 100 upserts per partition, so many views cost a few storage calls, and a flush repeated after
/// a partial failure writes no duplicates. A process that dies without stopping loses what was
/// buffered since the last flush.
/// </summary>
public sealed partial class AuditReads(StorageAccount storage, TimeProvider time, IOptions<AuditOptions> options, ILogger<AuditReads> logger)
{
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _wake = new(0, 1);
    private List<AuditEntity> _pending = [];

    private TableClient Table => storage.Table(StorageNames.Tables.Audit);

    /// <summary>Entries waiting to be written.</summary>
    public int Pending
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Buffers a read of <paramref name="entityType"/> <paramref name="entityId"/>; returns the entry as it will be stored.</summary>
    public AuditEntry Record(AuditActor actor, string action, string entityType, string entityId, object? details, string? ip, string? userAgent)
    {
        var entity = AuditLog.NewEntity(time, actor, action, entityType, entityId, null, details, ip, userAgent);
        int count;
        lock (_gate)
        {
            _pending.Add(entity);
            count = _pending.Count;
        }
        if (count >= options.Value.FlushAtCount && _wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another request woke the flusher first.
            }
        }
        return entity.ToRecord();
    }

    /// <summary>Waits until the next flush is due: the interval has passed or enough entries wait.</summary>
    internal async Task WaitForFlushAsync(CancellationToken cancellationToken)
    {
        using var interval = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        interval.CancelAfter(options.Value.FlushInterval);
        try
        {
            await _wake.WaitAsync(interval.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The interval passed.
        }
    }

    /// <summary>Writes every buffered entry. On failure the entries go back to the buffer for the next flush.</summary>
    public async Task<int> FlushAsync(CancellationToken cancellationToken = default)
    {
        List<AuditEntity> batch;
        lock (_gate)
        {
            if (_pending.Count == 0)
            {
                return 0;
            }
            (batch, _pending) = (_pending, []);
        }
        try
        {
            var rows = batch.SelectMany(e => AuditLog.Partitions(e).Select(p => e.MemberwiseCloneFor(p)));
            await Table.SubmitChunkedAsync(rows.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r)), cancellationToken);
            return batch.Count;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Requeue(batch);
            LogFlushFailed(logger, batch.Count, ex);
            return 0;
        }
        catch
        {
            Requeue(batch);
            throw;
        }
    }

    private void Requeue(List<AuditEntity> batch)
    {
        lock (_gate)
        {
            batch.AddRange(_pending);
            var over = batch.Count - options.Value.MaxBuffered;
            if (over > 0)
            {
                batch.RemoveRange(0, over);
                LogDropped(logger, over);
            }
            _pending = batch;
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "Could not write {Count} buffered audit entries; they are kept for the next flush")]
    private static partial void LogFlushFailed(ILogger logger, int count, Exception ex);

    [LoggerMessage(2, LogLevel.Error, "Dropped the {Count} oldest buffered audit entries: storage has been unreachable for too long")]
    private static partial void LogDropped(ILogger logger, int count);
}
