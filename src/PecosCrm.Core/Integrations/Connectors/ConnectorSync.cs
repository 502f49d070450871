using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Integrations.Connectors;

/// <summary>A message of the <c>integrations</c> queue: a connector's sync, or a large ad-audience file.</summary>
public sealed record IntegrationWork(string Kind, string Id)
{
    public const string Sync = "sync";
    public const string Audience = "audience";
    public static readonly string[] Kinds = [Sync, Audience];
}

/// <summary>The outcome of a connection test: whether it worked, why not, and the calls it made.</summary>
public sealed record ConnectorTestResult(bool Ok, string? Error, IReadOnlyList<ConnectorCall> Calls);

/// <summary>
/// Runs connectors: tests a connection, queues a sync ("sync now", the schedule, a retry), and runs
/// one from the queue. A run reads what changed after the connector's cursor (at most
/// <see cref="ChangesPerRun"/> events; more queues the next run at once), hands it to the connector,
/// and on success moves the cursors. A failed run keeps its cursors (the next one sends the same
/// changes again: every call is an upsert), records its error, and is due again after a backoff
/// that doubles with each failure in a row; the queue message itself succeeds, so a failing outside
/// API never ends in the poison queue. Every call of a run is written to the connector's log.
/// </summary>
public sealed partial class ConnectorSync(
    IEnumerable<IConnector> connectors, ConnectorStore store, ConnectorChanges changes, ConnectorData data, StorageAccount storage,
    IOptions<ConnectorOptions> options, TimeProvider time, ILogger<ConnectorSync> logger)
{
    public const int ChangesPerRun = 1_000;

    private readonly Dictionary<string, IConnector> _connectors = connectors.ToDictionary(c => c.Name, StringComparer.Ordinal);

    public IReadOnlyList<IConnector> All => [.. _connectors.Values.OrderBy(c => c.Name, StringComparer.Ordinal)];

    public IConnector Get(string name) => _connectors.GetValueOrDefault(name) ?? throw new NotFoundException("Connector", name);

    /// <summary>Checks a configuration change against what the connector knows; every bad field is named.</summary>
    public async Task CheckAsync(IConnector connector, ConnectorConfigRequest request, CancellationToken cancellationToken)
    {
        var check = new Validation();
        foreach (var (name, value) in request.Settings ?? new Dictionary<string, string>())
        {
            if (connector.Settings.All(s => s.Name != name))
            {
                check.Add($"settings.{name}", $"is not a setting of {connector.Title}; known: {string.Join(", ", connector.Settings.Select(s => s.Name))}.");
            }
            else if (string.IsNullOrWhiteSpace(value) || value.Length > 200)
            {
                check.Add($"settings.{name}", "must be 1 to 200 characters.");
            }
        }
        var segments = request.Segments ?? [];
        if (segments.Count > 50)
        {
            check.Add("segments", "may name at most 50 segments.");
        }
        for (var i = 0; i < segments.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(segments[i]?.SegmentId) || !KeyRules.IsValidKey(segments[i].SegmentId))
            {
                check.Add($"segments[{i}].segmentId", "is required.");
            }
            else if (!await SegmentExistsAsync(segments[i].SegmentId, cancellationToken))
            {
                check.Add($"segments[{i}].segmentId", $"no segment '{segments[i].SegmentId}'.");
            }
            check.MaxLength($"segments[{i}].target", segments[i]?.Target, 100);
        }
        if (!connector.HasFieldMapping && (request.FieldMapping is not null || request.ConflictRule is not null))
        {
            check.Add(request.FieldMapping is not null ? "fieldMapping" : "conflictRule", $"{connector.Title} has no field mapping.");
        }
        var mapping = request.FieldMapping ?? [];
        for (var i = 0; i < mapping.Count; i++)
        {
            if (mapping[i] is null || !FieldMapping.Fields.Contains(mapping[i].Field))
            {
                check.Add($"fieldMapping[{i}].field", $"must be one of {string.Join(", ", FieldMapping.Fields)}.");
            }
            if (string.IsNullOrWhiteSpace(mapping[i]?.Property) || mapping[i].Property.Length > 100)
            {
                check.Add($"fieldMapping[{i}].property", "is required (the outside system's property name).");
            }
        }
        if (mapping.Where(m => m is not null).GroupBy(m => m.Field).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            check.Add("fieldMapping", $"maps '{twice.Key}' twice.");
        }
        check.ThrowIfInvalid();
    }

    /// <summary>Makes the connector's cheapest authenticated call; the calls go to its log.</summary>
    public async Task<ConnectorTestResult> TestAsync(string name, CancellationToken cancellationToken = default)
    {
        var connector = Get(name);
        var config = await store.GetAsync(name, cancellationToken);
        ConnectorHttp? http = null;
        try
        {
            http = new ConnectorHttp(name, "test-" + Ids.New(time), connector.Endpoint(), options.Value, time);
            await connector.TestAsync(http, config, cancellationToken);
            return new ConnectorTestResult(true, null, http.Calls);
        }
        catch (ConnectorFailedException ex)
        {
            return new ConnectorTestResult(false, ex.Message, http?.Calls ?? []);
        }
        finally
        {
            if (http is { Calls.Count: > 0 })
            {
                await store.AppendCallsAsync(http.Calls, cancellationToken);
            }
        }
    }

    /// <summary>Queues a sync of the connector ("sync now"); a disabled connector is refused.</summary>
    public async Task<ConnectorConfig> EnqueueAsync(string name, CancellationToken cancellationToken = default)
    {
        var connector = Get(name);
        var config = await store.GetAsync(name, cancellationToken);
        if (!config.Enabled)
        {
            throw new ConflictException($"The {connector.Title} connector is disabled; enable it first.");
        }
        return await QueueAsync(name, cancellationToken);
    }

    /// <summary>Queues the enabled connectors whose scheduled sync or retry is due (the timer).</summary>
    public async Task<int> EnqueueDueAsync(CancellationToken cancellationToken = default)
    {
        var due = await store.DueAsync(time.GetUtcNow(), cancellationToken);
        foreach (var config in due.Where(c => _connectors.ContainsKey(c.Name)))
        {
            await QueueAsync(config.Name, cancellationToken);
        }
        return due.Count;
    }

    /// <summary>Runs one sync of the connector (the queue job). A disabled connector is left alone.</summary>
    public async Task RunAsync(string name, CancellationToken cancellationToken = default)
    {
        var connector = Get(name);
        var now = time.GetUtcNow();
        var config = await store.UpdateStateAsync(name, e =>
        {
            if (e.Enabled)
            {
                e.Status = nameof(SyncStatus.Running);
                e.LastRunAt = now;
            }
        }, cancellationToken);
        if (!config.Enabled)
        {
            return;
        }
        var cursor = config.State.Cursor ?? ConnectorChanges.StartCursor(now);
        var runId = Ids.New(time);
        ConnectorHttp? http = null;
        try
        {
            http = new ConnectorHttp(name, runId, connector.Endpoint(), options.Value, time);
            var changed = await changes.ReadAsync(cursor, now - options.Value.SettleTime, ChangesPerRun, cancellationToken);
            var run = new ConnectorRun(config, http, changed, data, now);
            await connector.SyncAsync(run, cancellationToken);
            await store.UpdateStateAsync(name, e =>
            {
                e.Status = nameof(SyncStatus.Succeeded);
                e.LastSuccessAt = now;
                e.Cursor = changed.Cursor;
                e.PullCursor = run.PullCursor;
                e.SegmentsSyncedAt = JsonSerializer.Serialize(run.SegmentsSyncedAt, CrmJson.Options);
                e.Counts = JsonSerializer.Serialize(run.Counts, CrmJson.Options);
                e.FailuresInARow = 0;
                e.NextRunAt = changed.More ? now : now + options.Value.SyncInterval;
            }, cancellationToken);
            if (changed.More)
            {
                await QueueAsync(name, cancellationToken);
            }
        }
        catch (ConnectorFailedException ex)
        {
            LogFailed(logger, name, ex.GetType().Name);
            await store.UpdateStateAsync(name, e =>
            {
                e.Status = nameof(SyncStatus.Failed);
                e.LastError = ex.Message;
                e.LastErrorAt = now;
                e.FailuresInARow++;
                var wait = ConnectorBackoff.AfterFailedSync(e.FailuresInARow, options.Value.FailedSyncDelay, options.Value.MaxFailedSyncDelay);
                e.NextRunAt = now + (ex is ConnectorRateLimitedException limited && limited.RetryAfter > wait ? limited.RetryAfter : wait);
            }, cancellationToken);
        }
        finally
        {
            if (http is { Calls.Count: > 0 })
            {
                await store.AppendCallsAsync(http.Calls, cancellationToken);
            }
        }
    }

    private async Task<ConnectorConfig> QueueAsync(string name, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var config = await store.UpdateStateAsync(name, e =>
        {
            e.Status = nameof(SyncStatus.Queued);
            e.QueuedAt = now;
            // The run sets the real next time; until then the timer must not queue it again.
            e.NextRunAt = now + options.Value.SyncInterval;
        }, cancellationToken);
        await storage.Queue(StorageNames.Queues.Integrations).SendMessageAsync(
            JsonSerializer.Serialize(new IntegrationWork(IntegrationWork.Sync, name), CrmJson.Options), cancellationToken);
        return config;
    }

    private async Task<bool> SegmentExistsAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            await data.Segments.GetAsync(id, cancellationToken);
            return true;
        }
        catch (NotFoundException)
        {
            return false;
        }
    }

    [LoggerMessage(EventId = 9301, Level = LogLevel.Warning, Message = "Connector {Connector} sync failed ({Kind}); the error is in its sync state")]
    private static partial void LogFailed(ILogger logger, string connector, string kind);
}
