using System.Text.Json;
using Azure.Data.Tables;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Support;

/// <summary>A settings list with the ETag it was read with (for <c>If-Match</c>).</summary>
public sealed record Versioned<T>(IReadOnlyList<T> Items, string ETag);

/// <summary>
/// The ordered SLA policies and escalation rules, each kept whole in one row (the order is the
/// meaning, and an edit replaces the list under its ETag). Reads are cached for 15 seconds: the
/// sweep and every ticket write consult them. Before any policy is saved, the store runs on
/// <see cref="SlaPolicies.Default"/>.
/// </summary>
public sealed class SupportSettings(StorageAccount storage, TimeProvider time)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(15);

    private readonly Dictionary<string, (DateTimeOffset At, object Value)> _cache = [];
    private readonly Lock _gate = new();

    private TableClient Table => storage.Table(StorageNames.Tables.SupportSettings);

    public Task<Versioned<SlaPolicy>> PoliciesAsync(CancellationToken cancellationToken = default) =>
        ReadAsync<SlaPolicy>(SupportKeys.PoliciesRow, () => [SlaPolicies.Default], cancellationToken);

    public Task<Versioned<EscalationRule>> EscalationsAsync(CancellationToken cancellationToken = default) =>
        ReadAsync<EscalationRule>(SupportKeys.EscalationsRow, () => [], cancellationToken);

    public Task<Versioned<SlaPolicy>> SavePoliciesAsync(IReadOnlyList<SlaPolicy> policies, string? ifMatch, CancellationToken cancellationToken = default) =>
        SaveAsync(SupportKeys.PoliciesRow, policies, ifMatch, cancellationToken);

    public Task<Versioned<EscalationRule>> SaveEscalationsAsync(IReadOnlyList<EscalationRule> rules, string? ifMatch, CancellationToken cancellationToken = default) =>
        SaveAsync(SupportKeys.EscalationsRow, rules, ifMatch, cancellationToken);

    private async Task<Versioned<T>> ReadAsync<T>(string row, Func<IReadOnlyList<T>> fallback, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (_cache.TryGetValue(row, out var hit) && now - hit.At < CacheFor)
            {
                return (Versioned<T>)hit.Value;
            }
        }
        var entity = await Table.FindAsync<SettingsEntity>(SupportKeys.SettingsPartition, row, cancellationToken);
        var value = entity is null
            ? new Versioned<T>(fallback(), "")
            : new Versioned<T>(JsonSerializer.Deserialize<List<T>>(entity.Json, CrmJson.Options) ?? [], entity.ETag.ToString());
        lock (_gate)
        {
            _cache[row] = (now, value);
        }
        return value;
    }

    private async Task<Versioned<T>> SaveAsync<T>(string row, IReadOnlyList<T> items, string? ifMatch, CancellationToken cancellationToken)
    {
        var entity = await Table.FindAsync<SettingsEntity>(SupportKeys.SettingsPartition, row, cancellationToken);
        var json = JsonSerializer.Serialize(items, CrmJson.Options);
        if (json.Length > 30_000)
        {
            throw new ValidationFailedException(row == SupportKeys.PoliciesRow ? "policies" : "rules", "is too long: keep the whole list under 30,000 characters of JSON.");
        }
        Azure.ETag etag;
        if (entity is null)
        {
            if (!string.IsNullOrEmpty(ifMatch) && ifMatch != "*")
            {
                throw new ConcurrencyException();
            }
            entity = new SettingsEntity { PartitionKey = SupportKeys.SettingsPartition, RowKey = row, Json = json };
            try
            {
                etag = (await Table.AddEntityAsync(entity, cancellationToken)).Headers.ETag ?? default;
            }
            catch (Azure.RequestFailedException ex) when (ex.Status == 409)
            {
                throw new ConcurrencyException();
            }
        }
        else
        {
            TableClientExtensions.CheckIfMatch(ifMatch, entity.ETag);
            entity.Json = json;
            etag = await Table.ReplaceIfMatchAsync(entity, cancellationToken);
        }
        var value = new Versioned<T>(items, etag.ToString());
        lock (_gate)
        {
            _cache[row] = (time.GetUtcNow(), value);
        }
        return value;
    }
}
