using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Exports;

/// <summary>
/// Keys of the export rows. In the shared <c>jobs</c> table, partition <c>export</c>, RowKey the job
/// id (inverted ticks first, so newest first; a schedule's run is the occurrence's inverted ticks
/// and the schedule id, the same every time it is made). In <c>exportschedules</c>, partition
/// <c>schedules</c>, RowKey the schedule id, and partition <c>runs|{scheduleId}</c>, RowKey the job id
/// of each run. No two rows of either table share a RowKey.
/// </summary>
internal static class ExportKeys
{
    public const string JobPartition = "export";
    public const string SchedulePartition = "schedules";

    public static string NewJob(DateTimeOffset now) => KeyRules.InvertedTicks(now) + Guid.NewGuid().ToString("N")[..8];

    public static string Run(DateTimeOffset occurrence, string scheduleId) => KeyRules.InvertedTicks(occurrence) + scheduleId;

    public static string RunPartition(string scheduleId) => "runs|" + scheduleId;
}
