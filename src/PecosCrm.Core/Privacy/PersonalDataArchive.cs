using Azure.Data.Tables;

namespace PecosCrm.Core.Privacy;

/// <summary>The files of a GDPR export, by name; each holder adds its own, and a name is written once.</summary>
public sealed class PersonalDataArchive
{
    private readonly Dictionary<string, object?> files = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, object?> Files => files;

    public void Add(string name, object? content)
    {
        if (!files.TryAdd(name, content))
        {
            throw new InvalidOperationException($"The archive already has {name}.");
        }
    }

    /// <summary>Adds rows as stored: every property and the RowKey, without the partition, ETag and timestamp.</summary>
    public void AddRows(string name, IEnumerable<TableEntity> rows) =>
        Add(name, rows.Select(r => r.Where(kv => kv.Key is not ("odata.etag" or "PartitionKey" or "Timestamp")).ToDictionary(kv => kv.Key, kv => (object?)kv.Value)).ToList());
}
