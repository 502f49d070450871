using Azure;
using Azure.Data.Tables;

namespace PecosCrm.Core.Exports;

/// <summary>
/// A schedule in the <c>exportschedules</c> table, partition <c>schedules</c> (a store has a few
/// dozen at most, so the timer's query for due schedules reads one small partition). Its runs are
/// <see cref="ExportRunEntity"/> rows in partition <c>runs|{id}</c> of the same table.
/// </summary>
internal sealed class ExportScheduleEntity : ITableEntity
{
    public const string Partition = ExportKeys.SchedulePartition;

    public string PartitionKey { get; set; } = Partition;
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Name { get; set; } = "";
    public string Kind { get; set; } = "";
    public string? SegmentId { get; set; }
    public string Format { get; set; } = "";

    /// <summary>Comma-separated; empty means every field of the kind, so a change of kind keeps it valid.</summary>
    public string Fields { get; set; } = "";

    public string Frequency { get; set; } = "";
    public string? DayOfWeek { get; set; }
    public string TimeOfDay { get; set; } = ExportScheduleTiming.DefaultTimeOfDay;
    /// <summary>IANA id; a schedule made without one takes the store's (<c>Store:TimeZone</c>).</summary>
    public string TimeZone { get; set; } = "";

    /// <summary>As given; null means the frequency's default.</summary>
    public int? OrdersLookbackDays { get; set; }

    public bool Active { get; set; }
    public DateTimeOffset? NextRunAt { get; set; }

    /// <summary>
    /// An occurrence claimed (NextRunAt moved past it) whose export has not been recorded as started
    /// yet. Set in the same write that claims it and cleared once the export is started, so an
    /// occurrence whose start was cut short is started by the next sweep instead of being lost.
    /// </summary>
    public DateTimeOffset? PendingOccurrence { get; set; }

    public DateTimeOffset? LastRunAt { get; set; }
    public string? LastExportId { get; set; }
    public string? LastError { get; set; }
    public string CreatedBy { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public ExportKind ParsedKind() => Enum.Parse<ExportKind>(Kind);

    public ExportFrequency ParsedFrequency() => Enum.Parse<ExportFrequency>(Frequency);

    public System.DayOfWeek? ParsedDayOfWeek() => DayOfWeek is null ? null : Enum.Parse<System.DayOfWeek>(DayOfWeek);

    /// <summary>The fields as chosen, or null for every field of the kind.</summary>
    public IReadOnlyList<string>? ChosenFields() => Fields.Length == 0 ? null : Fields.Split(',');

    /// <summary>The days an orders export covers; null for other kinds.</summary>
    public int? LookbackDays() =>
        ParsedKind() == ExportKind.Orders ? OrdersLookbackDays ?? ExportScheduleTiming.DefaultLookbackDays(ParsedFrequency()) : null;

    public ExportSchedule ToRecord() => new(
        RowKey, Name, ParsedKind(), SegmentId, Enum.Parse<ExportFormat>(Format), ChosenFields() ?? ExportFields.For(ParsedKind()),
        ParsedFrequency(), ParsedDayOfWeek(), TimeOfDay, TimeZone, LookbackDays(), Active, NextRunAt, LastRunAt, LastExportId, LastError,
        CreatedBy, CreatedAt, UpdatedAt, ETag.ToString());
}
