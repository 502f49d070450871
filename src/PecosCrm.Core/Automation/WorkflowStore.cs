using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Automation;

/// <summary>
/// Workflow definitions in <c>automations</c>: the head row (partition <c>workflow</c>, RowKey the
/// id) says which version is current and whether the workflow runs; every version's definition is
/// kept (partition <c>v|{id}</c>, RowKey <c>v|{id}|{version:D6}</c>) and never changed, so running
/// instances finish on the version they started. Saving always makes a new version. Partition
/// <c>seeded</c> remembers which pre-built workflows were seeded (keys in <see cref="AutomationKeys"/>).
/// </summary>
public sealed class WorkflowStore(StorageAccount storage, TimeProvider time)
{
    private const string HeadPartition = AutomationKeys.HeadPartition;
    private const string SeededPartition = AutomationKeys.SeededPartition;
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(15);

    private readonly Dictionary<(string, int), WorkflowDefinition> _versions = [];
    private readonly Lock _lock = new();
    private (DateTimeOffset At, IReadOnlyList<Workflow> Workflows)? _active;

    private TableClient Table => storage.Table(StorageNames.Tables.Automations);

    public async Task<Workflow> CreateAsync(WorkflowDefinition definition, string actor, bool preBuilt = false, string? id = null, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var workflowId = id ?? Ids.New(time);
        await Table.SubmitTransactionAsync(
        [
            new(TableTransactionActionType.Add, Version(workflowId, 1, definition, actor, now)),
        ], cancellationToken);
        await Table.AddEntityAsync(new TableEntity(HeadPartition, workflowId)
        {
            ["Version"] = 1, ["Active"] = false, ["PreBuilt"] = preBuilt, ["Name"] = definition.Name, ["CreatedBy"] = actor, ["CreatedAt"] = now, ["UpdatedAt"] = now,
        }, cancellationToken);
        return await GetAsync(workflowId, cancellationToken);
    }

    /// <summary>Saves a new version under the head's ETag; instances already running keep theirs.</summary>
    public async Task<(Workflow Before, Workflow After)> SaveVersionAsync(string id, WorkflowDefinition definition, string? ifMatch, string actor, CancellationToken cancellationToken = default)
    {
        var head = await HeadAsync(id, cancellationToken);
        TableClientExtensions.CheckIfMatch(ifMatch, head.ETag);
        var before = await ToRecordAsync(head, cancellationToken);
        var version = (head.GetInt32("Version") ?? 1) + 1;
        var now = time.GetUtcNow();
        try
        {
            await Table.AddEntityAsync(Version(id, version, definition, actor, now), cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            throw new ConcurrencyException();
        }
        head["Version"] = version;
        head["Name"] = definition.Name;
        head["UpdatedAt"] = now;
        await Table.ReplaceIfMatchAsync(head, cancellationToken);
        Forget();
        return (before, await GetAsync(id, cancellationToken));
    }

    public async Task<Workflow> SetActiveAsync(string id, bool active, CancellationToken cancellationToken = default)
    {
        var head = await HeadAsync(id, cancellationToken);
        head["Active"] = active;
        head["UpdatedAt"] = time.GetUtcNow();
        await Table.ReplaceIfMatchAsync(head, cancellationToken);
        Forget();
        return await GetAsync(id, cancellationToken);
    }

    public async Task<Workflow> GetAsync(string id, CancellationToken cancellationToken = default) => await ToRecordAsync(await HeadAsync(id, cancellationToken), cancellationToken);

    public async Task<Workflow?> FindAsync(string id, CancellationToken cancellationToken = default) =>
        KeyRules.IsValidKey(id) && await Table.FindAsync<TableEntity>(HeadPartition, id, cancellationToken) is { } head ? await ToRecordAsync(head, cancellationToken) : null;

    public async Task<IReadOnlyList<Workflow>> ListAsync(CancellationToken cancellationToken = default)
    {
        var all = new List<Workflow>();
        await foreach (var head in Table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {HeadPartition}"), cancellationToken: cancellationToken))
        {
            all.Add(await ToRecordAsync(head, cancellationToken));
        }
        return all.OrderBy(w => w.Definition.Name, StringComparer.OrdinalIgnoreCase).ToList();
    }

    /// <summary>The active workflows, cached for a few seconds: event processing asks for them on every event.</summary>
    public async Task<IReadOnlyList<Workflow>> ActiveAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (_active is { } cached && time.GetUtcNow() - cached.At < CacheFor)
            {
                return cached.Workflows;
            }
        }
        var active = (await ListAsync(cancellationToken)).Where(w => w.Active).ToList();
        lock (_lock)
        {
            _active = (time.GetUtcNow(), active);
        }
        return active;
    }

    /// <summary>One version's definition (versions never change, so they are cached for good).</summary>
    public async Task<WorkflowDefinition> VersionAsync(string id, int version, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (_versions.TryGetValue((id, version), out var known))
            {
                return known;
            }
        }
        var row = await Table.FindAsync<TableEntity>(AutomationKeys.VersionPartition(id), AutomationKeys.Version(id, version), cancellationToken)
            ?? throw new NotFoundException("Workflow version", $"{id} v{version}");
        var definition = JsonSerializer.Deserialize<WorkflowDefinition>(row.GetString("Definition"), CrmJson.Options)!;
        lock (_lock)
        {
            _versions[(id, version)] = definition;
        }
        return definition;
    }

    public async Task<IReadOnlyList<int>> VersionsAsync(string id, CancellationToken cancellationToken = default)
    {
        await HeadAsync(id, cancellationToken);
        var versions = new List<int>();
        await foreach (var row in Table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {AutomationKeys.VersionPartition(id)}"), select: ["RowKey"], cancellationToken: cancellationToken))
        {
            versions.Add(AutomationKeys.VersionOf(id, row.RowKey));
        }
        return versions;
    }

    /// <summary>Whether a pre-built workflow was seeded once (and so is left as staff made it).</summary>
    internal async Task<bool> WasSeededAsync(string id, CancellationToken cancellationToken) =>
        await Table.FindAsync<TableEntity>(SeededPartition, AutomationKeys.Seeded(id), cancellationToken) is not null;

    internal Task MarkSeededAsync(string id, CancellationToken cancellationToken) =>
        Table.UpsertEntityAsync(new TableEntity(SeededPartition, AutomationKeys.Seeded(id)) { ["At"] = time.GetUtcNow() }, TableUpdateMode.Replace, cancellationToken);

    /// <summary>Drops the cached list of active workflows, so a change is seen at once on this instance.</summary>
    public void Forget()
    {
        lock (_lock)
        {
            _active = null;
        }
    }

    private async Task<TableEntity> HeadAsync(string id, CancellationToken cancellationToken) =>
        (KeyRules.IsValidKey(id) ? await Table.FindAsync<TableEntity>(HeadPartition, id, cancellationToken) : null) ?? throw new NotFoundException("Workflow", id);

    private async Task<Workflow> ToRecordAsync(TableEntity head, CancellationToken cancellationToken)
    {
        var version = head.GetInt32("Version") ?? 1;
        return new Workflow(head.RowKey, version, head.GetBoolean("Active") ?? false, head.GetBoolean("PreBuilt") ?? false,
            await VersionAsync(head.RowKey, version, cancellationToken), head.GetString("CreatedBy") ?? "", head.GetDateTimeOffset("CreatedAt") ?? default,
            head.GetDateTimeOffset("UpdatedAt") ?? default, head.ETag.ToString());
    }

    private static TableEntity Version(string id, int version, WorkflowDefinition definition, string actor, DateTimeOffset at) =>
        new(AutomationKeys.VersionPartition(id), AutomationKeys.Version(id, version))
        {
            ["Definition"] = JsonSerializer.Serialize(definition, CrmJson.Options),
            ["CreatedBy"] = actor,
            ["CreatedAt"] = at,
        };
}
