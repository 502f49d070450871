using Azure;
using Azure.Data.Tables;

namespace PecosCrm.Core.Audit;

/// <summary>
/// An audit entry as stored, three times, once per access path, each partition newest first (keys
/// in <see cref="AuditKeys"/>). A time range is a RowKey range inside one partition.
/// </summary>
internal sealed class AuditEntity : ITableEntity
{
    public const string AllPartition = AuditKeys.AllPartition;

    /// <summary>Table Storage caps a string property at 64 KiB (32K UTF-16 characters).</summary>
    public const int MaxValuesLength = 30_000;

    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string EntryId { get; set; } = "";
    public DateTimeOffset At { get; set; }
    public string ActorType { get; set; } = "";
    public string ActorId { get; set; } = "";
    public string ActorName { get; set; } = "";
    public string Action { get; set; } = "";
    public string EntityType { get; set; } = "";
    public string EntityId { get; set; } = "";
    public string? OldValues { get; set; }
    public string? NewValues { get; set; }
    public string? Ip { get; set; }
    public string? UserAgent { get; set; }

    /// <summary>Ids come from outside (a store's order id, a month and channel): escaped, so no id can break a key.</summary>
    public static string ActorPartition(string actorId) => AuditKeys.ActorPartition(actorId);

    public static string EntityPartition(string type, string id) => AuditKeys.EntityPartition(type, id);

    /// <summary>The entry's copy for one partition, with that partition's RowKey.</summary>
    public AuditEntity MemberwiseCloneFor(string partitionKey)
    {
        var copy = (AuditEntity)MemberwiseClone();
        copy.PartitionKey = partitionKey;
        copy.RowKey = AuditKeys.Row(partitionKey, At, EntryId);
        return copy;
    }

    public AuditEntry ToRecord() => new(
        EntryId, At, new AuditActor(ActorType, ActorId, ActorName), Action, EntityType, EntityId, OldValues, NewValues, Ip, UserAgent);
}
