using Microsoft.AspNetCore.Http.HttpResults;
using PecosCrm.Core.Access;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Reports;
using PecosCrm.Core.Storage;

namespace PecosCrm.Functions.Api;

public static class ReportsEndpoints
{
    /// <summary>
    /// Reading, running and previewing reports needs <c>reports:read</c> (held as <c>analytics:read</c> is):
    /// a run only shows, and keeps, what the reader may already see. Saving, scheduling and deleting
    /// needs <c>reports:write</c>, since a schedule emails data out.
    /// </summary>
    public static IEndpointRouteBuilder MapReportsEndpoints(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/reports").WithTags("Reports").RequireAuthorization(Permissions.ReportsRead);
        var write = app.MapGroup("/api/reports").WithTags("Reports").RequireAuthorization(Permissions.ReportsWrite);
        read.MapGet("/catalog", () => TypedResults.Ok(ReportCatalogResponse.Instance)).WithName("GetReportCatalog")
            .WithSummary("The metrics, dimensions, filter fields, date ranges, charts, frequencies and formats a report may use.");
        read.MapPost("/preview", PreviewAsync).WithName("PreviewReport")
            .WithSummary("Run an unsaved definition on the analytical copy; nothing is stored.");
        write.MapPost("/", CreateAsync).WithName("CreateReport").WithSummary("Save a report definition, with an optional schedule.");
        read.MapGet("/", ListAsync).WithName("ListReports");
        read.MapGet("/{id}", GetAsync).WithName("GetReport");
        write.MapPut("/{id}", ReplaceAsync).WithName("ReplaceReport")
            .WithSummary("Replace the definition; send If-Match with the ETag you read. Past snapshots keep the definition they ran with.");
        write.MapDelete("/{id}", DeleteAsync).WithName("DeleteReport").WithSummary("Delete the definition; its snapshots stay readable.");
        read.MapPost("/{id}/run", RunAsync).WithName("RunReport")
            .WithSummary("Run the report now on the analytical copy and keep the result as a snapshot.");
        read.MapGet("/{id}/snapshots", ListSnapshotsAsync).WithName("ListReportSnapshots").WithSummary("The report's runs, newest first.");
        read.MapGet("/{id}/snapshots/{snapshotId}", GetSnapshotAsync).WithName("GetReportSnapshot")
            .WithSummary("A past run exactly as it was: the definition it ran with, its rows and total, and the copy's freshness then.");
        return app;
    }

    public static async Task<Created<ReportResponse>> CreateAsync(ReportDefinition request, ReportService reports, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var report = await reports.CreateAsync(request, http.Actor().Name, cancellationToken);
        var response = ReportResponse.From(report);
        await audit.RecordAsync(http, "report.created", "report", report.Id, null, response);
        http.SetETag(report.ETag);
        return TypedResults.Created($"/api/reports/{report.Id}", response);
    }

    public static async Task<Ok<ListResponse<ReportResponse>>> ListAsync(ReportService reports, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var page = await reports.ListAsync(Page<Report>.CheckLimit(limit), cursor, cancellationToken);
        return TypedResults.Ok(ListResponse<ReportResponse>.From(page, ReportResponse.From));
    }

    public static async Task<Ok<ReportResponse>> GetAsync(string id, ReportService reports, HttpContext http, CancellationToken cancellationToken)
    {
        var report = await reports.GetAsync(id, cancellationToken);
        http.SetETag(report.ETag);
        return TypedResults.Ok(ReportResponse.From(report));
    }

    public static async Task<Ok<ReportResponse>> ReplaceAsync(
        string id, ReportDefinition request, ReportService reports, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var (before, after) = await reports.ReplaceAsync(id, request, http.IfMatch(), http.Actor().Name, cancellationToken);
        var response = ReportResponse.From(after);
        await audit.RecordAsync(http, "report.updated", "report", id, ReportResponse.From(before), response);
        http.SetETag(after.ETag);
        return TypedResults.Ok(response);
    }

    public static async Task<NoContent> DeleteAsync(string id, ReportService reports, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var deleted = await reports.DeleteAsync(id, http.IfMatch(), cancellationToken);
        await audit.RecordAsync(http, "report.deleted", "report", id, ReportResponse.From(deleted), null);
        return TypedResults.NoContent();
    }

    public static async Task<Created<ReportSnapshot>> RunAsync(string id, ReportService reports, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var snapshot = await reports.RunAsync(id, http.Actor().Name, cancellationToken);
        await audit.RecordAsync(http, "report.ran", "report", id, null, new { snapshotId = snapshot.Id });
        return TypedResults.Created($"/api/reports/{id}/snapshots/{snapshot.Id}", snapshot);
    }

    public static async Task<Ok<ReportResult>> PreviewAsync(ReportDefinition request, ReportService reports, CancellationToken cancellationToken) =>
        TypedResults.Ok(await reports.PreviewAsync(request, cancellationToken));

    public static async Task<Ok<ListResponse<ReportSnapshotSummary>>> ListSnapshotsAsync(
        string id, ReportService reports, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var page = await reports.ListSnapshotsAsync(id, Page<ReportSnapshotSummary>.CheckLimit(limit), cursor, cancellationToken);
        return TypedResults.Ok(ListResponse<ReportSnapshotSummary>.From(page, s => s));
    }

    public static async Task<Ok<ReportSnapshot>> GetSnapshotAsync(string id, string snapshotId, ReportService reports, CancellationToken cancellationToken) =>
        TypedResults.Ok(await reports.GetSnapshotAsync(id, snapshotId, cancellationToken));
}

/// <summary>A saved report: its definition, and when scheduled its next run (UTC) and how the last run went. Its ETag is in the <c>ETag</c> header.</summary>
public sealed record ReportResponse(
    string Id, string Name, string? Description, string Metric, IReadOnlyList<string> Dimensions, IReadOnlyList<ReportFilter> Filters,
    ReportDateRange DateRange, string Chart, ReportSchedule? Schedule, DateTimeOffset? NextRunAt, DateTimeOffset? LastRunAt,
    string? LastSnapshotId, string? LastError, string CreatedBy, DateTimeOffset CreatedAt, string UpdatedBy, DateTimeOffset UpdatedAt)
{
    public static ReportResponse From(Report r)
    {
        var d = r.Definition;
        return new(r.Id, d.Name, d.Description, d.Metric, d.Dimensions, d.Filters, d.DateRange, d.Chart, d.Schedule, r.NextRunAt, r.LastRunAt,
            r.LastSnapshotId, r.LastError, r.CreatedBy, r.CreatedAt, r.UpdatedBy, r.UpdatedAt);
    }
}

/// <summary>What a report may use, from <see cref="ReportCatalog"/>.</summary>
public sealed record ReportCatalogResponse(
    IReadOnlyList<ReportMetric> Metrics, IReadOnlyList<ReportDimension> Dimensions, IReadOnlyList<string> FilterFields, IReadOnlyList<string> FilterOperators,
    IReadOnlyList<string> RelativeRanges, IReadOnlyList<string> Charts, IReadOnlyList<string> Frequencies, IReadOnlyList<string> Formats)
{
    public static readonly ReportCatalogResponse Instance = new(
        ReportCatalog.Metrics, ReportCatalog.Dimensions, ReportCatalog.FilterFields, ReportCatalog.FilterOperators,
        ReportCatalog.RelativeRanges, ReportCatalog.Charts, ReportCatalog.Frequencies, ReportCatalog.Formats);
}
