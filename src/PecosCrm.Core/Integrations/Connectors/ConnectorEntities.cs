using System.Text.Json;
using Azure;
using Azure.Data.Tables;

namespace PecosCrm.Core.Integrations.Connectors;

/// <summary>A connector's configuration and sync state, one row (<c>cfg|{connector}</c>). No credential is ever stored here.</summary>
internal sealed class ConnectorEntity : ITableEntity
{
    public string PartitionKey { get; set; } = ConnectorKeys.ConfigPartition;
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Name { get; set; } = "";
    public bool Enabled { get; set; }
    public string Settings { get; set; } = "{}";
    public string Segments { get; set; } = "[]";
    public string FieldMapping { get; set; } = "[]";
    public string ConflictRule { get; set; } = nameof(Connectors.ConflictRule.Newest);
    public string? UpdatedBy { get; set; }
    public DateTimeOffset? UpdatedAt { get; set; }

    public string Status { get; set; } = nameof(SyncStatus.Never);
    public DateTimeOffset? QueuedAt { get; set; }
    public DateTimeOffset? LastRunAt { get; set; }
    public DateTimeOffset? LastSuccessAt { get; set; }
    public string? Cursor { get; set; }
    public DateTimeOffset? PullCursor { get; set; }
    public string Counts { get; set; } = "{}";
    public string? LastError { get; set; }
    public DateTimeOffset? LastErrorAt { get; set; }
    public int FailuresInARow { get; set; }
    public DateTimeOffset? NextRunAt { get; set; }
    public string SegmentsSyncedAt { get; set; } = "{}";

    public ConnectorConfig ToRecord() => new(
        Name, Enabled,
        JsonSerializer.Deserialize<Dictionary<string, string>>(Settings, CrmJson.Options) ?? [],
        JsonSerializer.Deserialize<List<ConnectorSegment>>(Segments, CrmJson.Options) ?? [],
        JsonSerializer.Deserialize<List<FieldMap>>(FieldMapping, CrmJson.Options) ?? [],
        Enum.Parse<ConflictRule>(ConflictRule), UpdatedBy, UpdatedAt,
        new ConnectorState(
            Enum.Parse<SyncStatus>(Status), QueuedAt, LastRunAt, LastSuccessAt, Cursor, PullCursor,
            JsonSerializer.Deserialize<Dictionary<string, int>>(Counts, CrmJson.Options) ?? [], LastError, LastErrorAt, FailuresInARow, NextRunAt,
            JsonSerializer.Deserialize<Dictionary<string, DateTimeOffset>>(SegmentsSyncedAt, CrmJson.Options) ?? []),
        ETag.ToString());
}

/// <summary>One call to an outside API (<c>log|{connector}|{inverted ticks}|{id}</c>).</summary>
internal sealed class ConnectorCallEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Id { get; set; } = "";
    public string Connector { get; set; } = "";
    public DateTimeOffset At { get; set; }
    public string Method { get; set; } = "";
    public string Path { get; set; } = "";
    public int? Status { get; set; }
    public long DurationMs { get; set; }
    public int Attempt { get; set; }
    public string? Error { get; set; }
    public string? RunId { get; set; }

    public ConnectorCall ToRecord() => new(Id, Connector, At, Method, Path, Status, DurationMs, Attempt, Error, RunId);

    public static ConnectorCallEntity From(ConnectorCall call) => new()
    {
        PartitionKey = ConnectorKeys.LogPartition(call.Connector), RowKey = ConnectorKeys.Log(call.Connector, call.At, call.Id),
        Id = call.Id, Connector = call.Connector, At = call.At, Method = call.Method, Path = call.Path, Status = call.Status,
        DurationMs = call.DurationMs, Attempt = call.Attempt, Error = call.Error, RunId = call.RunId,
    };
}
