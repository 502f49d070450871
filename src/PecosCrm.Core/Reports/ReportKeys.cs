using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Reports;

/// <summary>
/// Keys of the report rows.
/// <list type="bullet">
/// <item><c>reports</c> table, partition <c>reports</c>: one row per definition, RowKey
/// <c>report|{reportId}</c> (a store has dozens, so the schedule sweep reads one small partition).</item>
/// <item><c>reportsnapshots</c> table, partition <c>snap|{reportId}</c>: one row per run, RowKey
/// <c>snap|{reportId}|{snapshotId}</c>; a snapshot id starts with the inverted ticks of its run
/// time, so a partition lists newest first. A scheduled run's id is made from the occurrence
/// (<c>{inverted ticks}s</c>), the same every time that occurrence is tried.</item>
/// <item>Blob <c>reports/{reportId}/{snapshotId}.json</c>: the snapshot in full (definition as run, rows, totals, as-of).</item>
/// </list>
/// No two rows of either table share a RowKey.
/// </summary>
internal static class ReportKeys
{
    public const string Partition = "reports";
    public const string ReportPrefix = "report|";

    public static string Report(string reportId) => ReportPrefix + reportId;

    public static string IdOf(string rowKey) => rowKey[ReportPrefix.Length..];

    public static string SnapshotPartition(string reportId) => "snap|" + reportId;

    public static string Snapshot(string reportId, string snapshotId) => $"snap|{reportId}|{snapshotId}";

    public static string SnapshotIdOf(string rowKey) => rowKey[(rowKey.LastIndexOf('|') + 1)..];

    public static string NewSnapshotId(DateTimeOffset now) => KeyRules.InvertedTicks(now) + Guid.NewGuid().ToString("N")[..8];

    public static string ScheduledSnapshotId(DateTimeOffset occurrence) => KeyRules.InvertedTicks(occurrence) + "s";

    public static string Blob(string reportId, string snapshotId) => $"{reportId}/{snapshotId}.json";
}
