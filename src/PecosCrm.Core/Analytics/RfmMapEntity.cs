using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;

namespace PecosCrm.Core.Analytics;

/// <summary>
/// <c>rfmmaps</c>, partition <c>version</c>: one row per saved map, RowKey = the version zero-padded
/// to six digits (so the rows sort by version), and a <c>current</c> row holding a copy of the newest
/// version. Both are written in one transaction, so the current map is one point read and can never
/// disagree with the highest version.
/// </summary>
internal sealed class RfmMapEntity : ITableEntity
{
    public const string Partition = "version";
    public const string CurrentKey = "current";

    public string PartitionKey { get; set; } = Partition;
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public int Version { get; set; }

    /// <summary>The segments as JSON: <c>[{ "name": ..., "codes": [...] }]</c>.</summary>
    public string Segments { get; set; } = "[]";
    public string CreatedBy { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public string? Note { get; set; }

    public static string VersionKey(int version) => version.ToString("D6", CultureInfo.InvariantCulture);

    public static RfmMapEntity From(RfmMapVersion map, string rowKey) => new()
    {
        RowKey = rowKey,
        Version = map.Version,
        Segments = JsonSerializer.Serialize(map.Segments, CrmJson.Options),
        CreatedBy = map.CreatedBy,
        CreatedAt = map.CreatedAt,
        Note = map.Note,
    };

    public RfmMapVersion ToRecord() =>
        new(Version, JsonSerializer.Deserialize<List<RfmSegmentCodes>>(Segments, CrmJson.Options) ?? [], CreatedBy, CreatedAt, Note);
}
