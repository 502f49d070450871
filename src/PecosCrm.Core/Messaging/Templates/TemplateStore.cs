using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Messaging.Templates;

/// <summary>
/// Email templates in the <c>templates</c> table: the current version of each in partition
/// <c>template</c>, every version in <c>v|{id}</c>, and <c>seeded</c> markers for the defaults.
/// The current row is the concurrency gate: a change is written there with the ETag it was read
/// with, and only then as a version row. The two partitions cannot share a transaction, so a crash
/// in between can leave the newest version row missing; every path that needs it (reading versions,
/// the next change) writes it back from the current row first.
/// </summary>
public sealed class TemplateStore(StorageAccount storage)
{
    private TableClient Table => storage.Table(StorageNames.Tables.Templates);

    internal async Task<TemplateEntity?> FindEntityAsync(string id, CancellationToken cancellationToken)
    {
        if (!KeyRules.IsValidKey(id))
        {
            return null;
        }
        var row = await Table.FindAsync<TableEntity>(TemplateEntity.CurrentPartition, id, cancellationToken);
        return row is null ? null : TemplateEntity.From(row);
    }

    internal async Task<TemplateEntity> GetEntityAsync(string id, CancellationToken cancellationToken) =>
        await FindEntityAsync(id, cancellationToken) ?? throw new NotFoundException("Template", id);

    public async Task<EmailTemplate?> FindAsync(string id, CancellationToken cancellationToken = default) =>
        (await FindEntityAsync(id, cancellationToken))?.ToRecord();

    public async Task<EmailTemplate> GetAsync(string id, CancellationToken cancellationToken = default) =>
        (await GetEntityAsync(id, cancellationToken)).ToRecord();

    /// <summary>Templates in id order, optionally of one category and active or not.</summary>
    public async Task<Storage.Page<TemplateSummary>> ListAsync(
        TemplateCategory? category, bool? active, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {TemplateEntity.CurrentPartition}");
        if (category is { } c)
        {
            filter += " and " + TableClient.CreateQueryFilter($"Category eq {c.ToString()}");
        }
        if (active is { } a)
        {
            filter += " and " + TableClient.CreateQueryFilter($"Active eq {a}");
        }
        var page = await Table.QueryPageAsync<TableEntity>(filter, limit, cursor, cancellationToken);
        return page.Select(row => TemplateSummary.From(TemplateEntity.From(row).ToRecord()));
    }

    /// <summary>Every version of a template, oldest first.</summary>
    public async Task<Storage.Page<TemplateVersionSummary>> VersionsAsync(string id, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        await EnsureVersionRowAsync(await GetEntityAsync(id, cancellationToken), cancellationToken);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {TemplateEntity.VersionPartition(id)}");
        var page = await Table.QueryPageAsync<TableEntity>(filter, limit, cursor, cancellationToken);
        return page.Select(row => TemplateVersionSummary.From(TemplateEntity.From(row).ToVersion()));
    }

    public async Task<TemplateVersion> GetVersionAsync(string id, int version, CancellationToken cancellationToken = default)
    {
        var current = await GetEntityAsync(id, cancellationToken);
        if (version == current.Version)
        {
            await EnsureVersionRowAsync(current, cancellationToken);
            return current.ToVersion();
        }
        var row = version is > 0 and < 1_000_000
            ? await Table.FindAsync<TableEntity>(TemplateEntity.VersionPartition(id), TemplateEntity.VersionKey(id, version), cancellationToken)
            : null;
        return row is null ? throw new NotFoundException($"Version {version} of template", id) : TemplateEntity.From(row).ToVersion();
    }

    /// <summary>Writes a new template and its version 1. Throws <see cref="ConflictException"/> when the id is taken.</summary>
    internal async Task<EmailTemplate> AddAsync(TemplateEntity template, CancellationToken cancellationToken)
    {
        try
        {
            var response = await Table.AddEntityAsync(template.ToCurrentRow(), cancellationToken);
            template.ETag = response.Headers.ETag ?? default;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            throw new ConflictException($"Template '{template.Id}' already exists.");
        }
        await Table.UpsertEntityAsync(template.ToVersionRow(), TableUpdateMode.Replace, cancellationToken);
        return template.ToRecord();
    }

    /// <summary>
    /// Replaces the current row with the ETag it was read with (a change made meanwhile fails with
    /// a concurrency error); with <paramref name="newVersion"/>, records the new version as well.
    /// <paramref name="previous"/> is the row as read, whose version is made sure to be on record first.
    /// </summary>
    internal async Task<EmailTemplate> ReplaceAsync(TemplateEntity previous, TemplateEntity template, bool newVersion, CancellationToken cancellationToken)
    {
        if (newVersion)
        {
            await EnsureVersionRowAsync(previous, cancellationToken);
        }
        try
        {
            var response = await Table.UpdateEntityAsync(template.ToCurrentRow(), template.ETag, TableUpdateMode.Replace, cancellationToken);
            template.ETag = response.Headers.ETag ?? default;
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 404)
        {
            throw new ConcurrencyException();
        }
        if (newVersion)
        {
            await Table.UpsertEntityAsync(template.ToVersionRow(), TableUpdateMode.Replace, cancellationToken);
        }
        return template.ToRecord();
    }

    /// <summary>Deletes the template (with the ETag it was read with), then its versions.</summary>
    internal async Task DeleteAsync(TemplateEntity template, CancellationToken cancellationToken)
    {
        try
        {
            await Table.DeleteEntityAsync(TemplateEntity.CurrentPartition, template.Id, template.ETag, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            throw new ConcurrencyException();
        }
        var versions = new List<TableTransactionAction>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {TemplateEntity.VersionPartition(template.Id)}");
        await foreach (var row in Table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            versions.Add(new TableTransactionAction(TableTransactionActionType.Delete, row, ETag.All));
        }
        await Table.SubmitChunkedAsync(versions, cancellationToken);
    }

    /// <summary>Whether a default template was seeded once (and so is left as staff made it).</summary>
    internal async Task<bool> WasSeededAsync(string id, CancellationToken cancellationToken) =>
        await Table.FindAsync<TableEntity>(TemplateEntity.SeededPartition, TemplateKeys.Seeded(id), cancellationToken) is not null;

    internal Task MarkSeededAsync(string id, CancellationToken cancellationToken) =>
        Table.UpsertEntityAsync(new TableEntity(TemplateEntity.SeededPartition, TemplateKeys.Seeded(id)), TableUpdateMode.Replace, cancellationToken);

    private async Task EnsureVersionRowAsync(TemplateEntity current, CancellationToken cancellationToken)
    {
        var row = current.ToVersionRow();
        var existing = await Table.GetEntityIfExistsAsync<TableEntity>(row.PartitionKey, row.RowKey, ["RowKey"], cancellationToken);
        if (!existing.HasValue)
        {
            row.ETag = default;
            await Table.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken);
        }
    }
}
