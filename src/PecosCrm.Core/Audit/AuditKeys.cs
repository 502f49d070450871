using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Audit;

/// <summary>
/// Keys of the <c>audit</c> table. Each entry is written three times, once per access path:
/// partitions <c>all</c>, <c>actor|{actorId}</c> and <c>entity|{type}|{id}</c> (ids escaped, so no id
/// can break a key). The RowKey is the partition, then inverted ticks, then the entry id: newest
/// first inside each partition, a time range is a RowKey range, and no two rows of the table share
/// a RowKey (Azurite finds a point read by RowKey first, then walks every row sharing it).
/// </summary>
internal static class AuditKeys
{
    public const string AllPartition = "all";

    public static string ActorPartition(string actorId) => "actor|" + KeyRules.Escape(actorId);

    public static string EntityPartition(string type, string id) => "entity|" + KeyRules.Escape(type) + "|" + KeyRules.Escape(id);

    public static string Row(string partition, DateTimeOffset at, string entryId) => TimePrefix(partition, at) + "|" + entryId;

    /// <summary>Where the entries of one moment begin in a partition; later moments sort before it.</summary>
    public static string TimePrefix(string partition, DateTimeOffset at) => partition + "|" + KeyRules.InvertedTicks(at);
}
