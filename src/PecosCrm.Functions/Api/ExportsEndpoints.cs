using Microsoft.AspNetCore.Http.HttpResults;
using PecosCrm.Core.Access;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Exports;
using PecosCrm.Core.Storage;

namespace PecosCrm.Functions.Api;

public static class ExportsEndpoints
{
    /// <summary>
    /// Schedules need the same permission as exports: a schedule only starts, on a clock, the
    /// exports its author may already start by hand.
    /// </summary>
    public static IEndpointRouteBuilder MapExportsEndpoints(this IEndpointRouteBuilder app)
    {
        var exports = app.MapGroup("/api/exports").WithTags("Exports").RequireAuthorization(Permissions.AnalyticsRead);
        exports.MapPost("/", StartAsync).WithName("StartExport")
            .WithSummary("Export customers, orders or a segment's members (chosen fields, csv/xlsx/json) as a job; poll GET /api/exports/{id} for progress and the download link.");
        exports.MapGet("/", ListAsync).WithName("ListExports")
            .WithSummary("The export history, newest first; with scheduleId, the runs of that schedule.");
        exports.MapGet("/fields", () => TypedResults.Ok(new { customers = ExportFields.Customers, orders = ExportFields.Orders, segment = ExportFields.Customers }))
            .WithName("ListExportFields");

        var schedules = exports.MapGroup("/schedules");
        schedules.MapPost("/", CreateScheduleAsync).WithName("CreateExportSchedule")
            .WithSummary("Run an export daily or weekly at a time of day in a time zone.");
        schedules.MapGet("/", ListSchedulesAsync).WithName("ListExportSchedules");
        schedules.MapGet("/{id}", GetScheduleAsync).WithName("GetExportSchedule");
        schedules.MapPatch("/{id}", UpdateScheduleAsync).WithName("UpdateExportSchedule")
            .WithSummary("Change some fields; send If-Match with the ETag you read.");
        schedules.MapDelete("/{id}", DeleteScheduleAsync).WithName("DeleteExportSchedule")
            .WithSummary("Delete a schedule; the exports it ran stay in the history.");
        schedules.MapPost("/{id}/run", RunScheduleAsync).WithName("RunExportSchedule")
            .WithSummary("Start the schedule's export now; its next run stays as it was.");
        schedules.MapGet("/{id}/runs", ListRunsAsync).WithName("ListExportScheduleRuns").WithSummary("The schedule's exports, newest first.");

        exports.MapGet("/{id}", GetAsync).WithName("GetExport");
        return app;
    }

    public static async Task<Accepted<ExportResponse>> StartAsync(ExportRequest request, ExportService exports, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var job = await exports.StartAsync(request, http.Actor().Name, cancellationToken: cancellationToken);
        await audit.RecordAsync(http, "export.started", "export", job.Id, null, job);
        return TypedResults.Accepted($"/api/exports/{job.Id}", ExportResponse.From(job, null));
    }

    public static async Task<Ok<ListResponse<ExportResponse>>> ListAsync(
        ExportService exports, string? scheduleId, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var size = Page<ExportJob>.CheckLimit(limit);
        var page = scheduleId is null
            ? await exports.ListAsync(size, cursor, cancellationToken)
            : await exports.ListRunsAsync(scheduleId, size, cursor, cancellationToken);
        return TypedResults.Ok(ListResponse<ExportResponse>.From(page, j => ExportResponse.From(j, exports.DownloadLink(j))));
    }

    public static async Task<Ok<ExportResponse>> GetAsync(string id, ExportService exports, CancellationToken cancellationToken)
    {
        var job = await exports.GetAsync(id, cancellationToken);
        return TypedResults.Ok(ExportResponse.From(job, exports.DownloadLink(job)));
    }

    public static async Task<Created<ExportScheduleResponse>> CreateScheduleAsync(
        ExportScheduleRequest request, ExportScheduleService schedules, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var schedule = await schedules.CreateAsync(request, http.Actor().Name, cancellationToken);
        var response = ExportScheduleResponse.From(schedule);
        await audit.RecordAsync(http, "exportschedule.created", "exportschedule", schedule.Id, null, response);
        http.SetETag(schedule.ETag);
        return TypedResults.Created($"/api/exports/schedules/{schedule.Id}", response);
    }

    public static async Task<Ok<ListResponse<ExportScheduleResponse>>> ListSchedulesAsync(
        ExportScheduleService schedules, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var page = await schedules.ListAsync(Page<ExportSchedule>.CheckLimit(limit), cursor, cancellationToken);
        return TypedResults.Ok(ListResponse<ExportScheduleResponse>.From(page, ExportScheduleResponse.From));
    }

    public static async Task<Ok<ExportScheduleResponse>> GetScheduleAsync(string id, ExportScheduleService schedules, HttpContext http, CancellationToken cancellationToken)
    {
        var schedule = await schedules.GetAsync(id, cancellationToken);
        http.SetETag(schedule.ETag);
        return TypedResults.Ok(ExportScheduleResponse.From(schedule));
    }

    public static async Task<Ok<ExportScheduleResponse>> UpdateScheduleAsync(
        string id, ExportScheduleRequest request, ExportScheduleService schedules, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var (before, after) = await schedules.UpdateAsync(id, request, http.IfMatch(), cancellationToken);
        var response = ExportScheduleResponse.From(after);
        await audit.RecordAsync(http, "exportschedule.updated", "exportschedule", id, ExportScheduleResponse.From(before), response);
        http.SetETag(after.ETag);
        return TypedResults.Ok(response);
    }

    public static async Task<NoContent> DeleteScheduleAsync(
        string id, ExportScheduleService schedules, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var deleted = await schedules.DeleteAsync(id, http.IfMatch(), cancellationToken);
        await audit.RecordAsync(http, "exportschedule.deleted", "exportschedule", id, ExportScheduleResponse.From(deleted), null);
        return TypedResults.NoContent();
    }

    public static async Task<Accepted<ExportResponse>> RunScheduleAsync(
        string id, ExportScheduleService schedules, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var job = await schedules.RunNowAsync(id, http.Actor().Name, cancellationToken);
        await audit.RecordAsync(http, "export.started", "export", job.Id, null, job);
        return TypedResults.Accepted($"/api/exports/{job.Id}", ExportResponse.From(job, null));
    }

    public static async Task<Ok<ListResponse<ExportResponse>>> ListRunsAsync(
        string id, ExportScheduleService schedules, ExportService exports, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var size = Page<ExportJob>.CheckLimit(limit);
        await schedules.GetAsync(id, cancellationToken);
        var page = await exports.ListRunsAsync(id, size, cursor, cancellationToken);
        return TypedResults.Ok(ListResponse<ExportResponse>.From(page, j => ExportResponse.From(j, exports.DownloadLink(j))));
    }
}

/// <summary>
/// An export job, with a download link valid for 15 minutes once it has succeeded. <c>period</c> is
/// what an orders export covers; <c>scheduleId</c> names the schedule that ran it.
/// </summary>
public sealed record ExportResponse(
    string Id, ExportKind Kind, ExportFormat Format, IReadOnlyList<string> Fields, JobState State, long Rows,
    string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? EndedAt, string? Error, Uri? DownloadUrl,
    ExportPeriod? Period, string? SegmentId, string? SegmentName, string? ScheduleId)
{
    public static ExportResponse From(ExportJob j, Uri? link) =>
        new(j.Id, j.Kind, j.Format, j.Fields, j.State, j.Rows, j.CreatedBy, j.CreatedAt, j.StartedAt, j.EndedAt, j.Error, link,
            j.From is null && j.To is null ? null : new ExportPeriod(j.From, j.To), j.SegmentId, j.SegmentName, j.ScheduleId);
}

/// <summary>The placed-at range of an orders export; an open end is null.</summary>
public sealed record ExportPeriod(DateTimeOffset? From, DateTimeOffset? To);

/// <summary>
/// An export schedule; its ETag is in the <c>ETag</c> header. <c>nextRunAt</c> is UTC (null while
/// inactive); <c>lastError</c> says why the last run could not start, if it could not.
/// </summary>
public sealed record ExportScheduleResponse(
    string Id, string Name, ExportKind Kind, string? SegmentId, ExportFormat Format, IReadOnlyList<string> Fields,
    ExportFrequency Frequency, DayOfWeek? DayOfWeek, string TimeOfDay, string TimeZone, int? OrdersLookbackDays, bool Active,
    DateTimeOffset? NextRunAt, DateTimeOffset? LastRunAt, string? LastExportId, string? LastError,
    string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static ExportScheduleResponse From(ExportSchedule s) => new(
        s.Id, s.Name, s.Kind, s.SegmentId, s.Format, s.Fields, s.Frequency, s.DayOfWeek, s.TimeOfDay, s.TimeZone, s.OrdersLookbackDays, s.Active,
        s.NextRunAt, s.LastRunAt, s.LastExportId, s.LastError, s.CreatedBy, s.CreatedAt, s.UpdatedAt);
}
