using System.Text.Json;
using Azure.Data.Tables;
using PecosCrm.Core.Shared;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Integrations.Connectors;

/// <summary>
/// The <c>connectors</c> table: each connector's configuration and sync state (one row), and the log
/// of its calls. The list of enabled connectors is kept in memory for 30 s (dropped at once by a
/// change in this process): the event processor asks it for every batch.
/// </summary>
public sealed class ConnectorStore(StorageAccount storage, TimeProvider time)
{
    private static readonly TimeSpan EnabledCache = TimeSpan.FromSeconds(30);
    private volatile CachedList? _enabled;

    private sealed record CachedList(IReadOnlyList<string> Names, DateTimeOffset Until);

    private TableClient Table => storage.Table(StorageNames.Tables.Connectors);

    /// <summary>The connector's row; an unsaved, disabled configuration when it was never configured.</summary>
    public async Task<ConnectorConfig> GetAsync(string name, CancellationToken cancellationToken = default) =>
        (await FindEntityAsync(name, cancellationToken) ?? New(name)).ToRecord();

    /// <summary>Changes the configuration under the caller's <c>If-Match</c>; returns before and after.</summary>
    public async Task<(ConnectorConfig Before, ConnectorConfig After)> ConfigureAsync(
        string name, ConnectorConfigRequest request, string? ifMatch, string actor, CancellationToken cancellationToken = default)
    {
        var entity = await FindEntityAsync(name, cancellationToken);
        var before = (entity ?? New(name)).ToRecord();
        if (entity is not null)
        {
            TableClientExtensions.CheckIfMatch(ifMatch, entity.ETag);
        }
        entity ??= New(name);
        if (request.Settings is not null)
        {
            entity.Settings = JsonSerializer.Serialize(request.Settings, CrmJson.Options);
        }
        if (request.Segments is not null)
        {
            entity.Segments = JsonSerializer.Serialize(request.Segments, CrmJson.Options);
        }
        if (request.FieldMapping is not null)
        {
            entity.FieldMapping = JsonSerializer.Serialize(request.FieldMapping, CrmJson.Options);
        }
        if (request.ConflictRule is { } rule)
        {
            entity.ConflictRule = rule.ToString();
        }
        return (before, await SaveAsync(entity, actor, cancellationToken));
    }

    /// <summary>
    /// Turns a connector on or off. The first time it is turned on, its change cursor starts now: it
    /// syncs what changes from then on, and the members of its segments.
    /// </summary>
    public async Task<(ConnectorConfig Before, ConnectorConfig After)> SetEnabledAsync(
        string name, bool enabled, string? ifMatch, string actor, CancellationToken cancellationToken = default)
    {
        var entity = await FindEntityAsync(name, cancellationToken);
        if (entity is not null)
        {
            TableClientExtensions.CheckIfMatch(ifMatch, entity.ETag);
        }
        entity ??= New(name);
        var before = entity.ToRecord();
        entity.Enabled = enabled;
        var now = time.GetUtcNow();
        entity.Cursor ??= enabled ? ConnectorChanges.StartCursor(now) : null;
        entity.PullCursor ??= enabled ? now : null;
        if (enabled)
        {
            entity.NextRunAt = now;
        }
        return (before, await SaveAsync(entity, actor, cancellationToken));
    }

    /// <summary>Changes the sync state (never the configuration), retrying a lost race from a fresh read.</summary>
    internal Task<ConnectorConfig> UpdateStateAsync(string name, Action<ConnectorEntity> change, CancellationToken cancellationToken = default) =>
        OptimisticRetry.RunAsync(async _ =>
        {
            var entity = await FindEntityAsync(name, cancellationToken) ?? New(name);
            change(entity);
            if (entity.ETag == default)
            {
                entity.ETag = (await Table.AddEntityAsync(entity, cancellationToken)).Headers.ETag ?? default;
            }
            else
            {
                entity.ETag = await Table.ReplaceIfMatchAsync(entity, cancellationToken);
            }
            return entity.ToRecord();
        }, cancellationToken: cancellationToken);

    /// <summary>The names of the enabled connectors, from memory when read lately.</summary>
    public async Task<IReadOnlyList<string>> EnabledAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        if (_enabled is { } cached && cached.Until > now)
        {
            return cached.Names;
        }
        var names = new List<string>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {ConnectorKeys.ConfigPartition} and Enabled eq true");
        await foreach (var entity in Table.QueryAsync<ConnectorEntity>(filter, select: ["Name"], cancellationToken: cancellationToken))
        {
            names.Add(entity.Name);
        }
        _enabled = new CachedList(names, now + EnabledCache);
        return names;
    }

    /// <summary>The enabled connectors whose next run is due (scheduled, or a retry after a failure).</summary>
    public async Task<IReadOnlyList<ConnectorConfig>> DueAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var due = new List<ConnectorConfig>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {ConnectorKeys.ConfigPartition} and Enabled eq true and NextRunAt le {now}");
        await foreach (var entity in Table.QueryAsync<ConnectorEntity>(filter, cancellationToken: cancellationToken))
        {
            due.Add(entity.ToRecord());
        }
        return due;
    }

    /// <summary>Writes the calls of a run, 100 to a transaction.</summary>
    public Task AppendCallsAsync(IReadOnlyList<ConnectorCall> calls, CancellationToken cancellationToken = default) =>
        Table.SubmitChunkedAsync(calls.Select(c => new TableTransactionAction(TableTransactionActionType.UpsertReplace, ConnectorCallEntity.From(c))), cancellationToken);

    /// <summary>The connector's calls, newest first.</summary>
    public async Task<Storage.Page<ConnectorCall>> ListCallsAsync(string name, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        var page = await Table.QueryPageAsync<ConnectorCallEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {ConnectorKeys.LogPartition(name)}"), limit, cursor, cancellationToken);
        return page.Select(e => e.ToRecord());
    }

    private async Task<ConnectorConfig> SaveAsync(ConnectorEntity entity, string actor, CancellationToken cancellationToken)
    {
        entity.UpdatedBy = actor;
        entity.UpdatedAt = time.GetUtcNow();
        if (entity.ETag == default)
        {
            entity.ETag = (await Table.AddEntityAsync(entity, cancellationToken)).Headers.ETag ?? default;
        }
        else
        {
            entity.ETag = await Table.ReplaceIfMatchAsync(entity, cancellationToken);
        }
        _enabled = null;
        return entity.ToRecord();
    }

    private Task<ConnectorEntity?> FindEntityAsync(string name, CancellationToken cancellationToken) =>
        Table.FindAsync<ConnectorEntity>(ConnectorKeys.ConfigPartition, ConnectorKeys.Config(name), cancellationToken);

    private static ConnectorEntity New(string name) => new() { RowKey = ConnectorKeys.Config(name), Name = name };
}
