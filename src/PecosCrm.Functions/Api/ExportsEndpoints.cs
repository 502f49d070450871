using Microsoft.AspNetCore.Http.HttpResults;
using PecosCrm.Core.Access;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Exports;
using PecosCrm.Core.Storage;

namespace PecosCrm.Functions.Api;

public static class ExportsEndpoints
{
    public static IEndpointRouteBuilder MapExportsEndpoints(this IEndpointRouteBuilder app)
    {
        var exports = app.MapGroup("/api/exports").WithTags("Exports").RequireAuthorization(Permissions.AnalyticsRead);
        exports.MapPost("/", StartAsync).WithName("StartExport")
            .WithSummary("Export customers or orders (chosen fields, csv/xlsx/json) as a job; poll GET /api/exports/{id} for progress and the download link.");
        exports.MapGet("/", ListAsync).WithName("ListExports").WithSummary("The export history, newest first.");
        exports.MapGet("/fields", () => TypedResults.Ok(new { customers = ExportFields.Customers, orders = ExportFields.Orders })).WithName("ListExportFields");
        exports.MapGet("/{id}", GetAsync).WithName("GetExport");
        return app;
    }

    public static async Task<Accepted<ExportResponse>> StartAsync(ExportRequest request, ExportService exports, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var job = await exports.StartAsync(request, http.Actor().Name, cancellationToken);
        await audit.RecordAsync(http, "export.started", "export", job.Id, null, job);
        return TypedResults.Accepted($"/api/exports/{job.Id}", ExportResponse.From(job, null));
    }

    public static async Task<Ok<ListResponse<ExportResponse>>> ListAsync(ExportService exports, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var page = await exports.ListAsync(Page<ExportJob>.CheckLimit(limit), cursor, cancellationToken);
        return TypedResults.Ok(ListResponse<ExportResponse>.From(page, j => ExportResponse.From(j, exports.DownloadLink(j))));
    }

    public static async Task<Ok<ExportResponse>> GetAsync(string id, ExportService exports, CancellationToken cancellationToken)
    {
        var job = await exports.GetAsync(id, cancellationToken);
        return TypedResults.Ok(ExportResponse.From(job, exports.DownloadLink(job)));
    }
}

/// <summary>An export job, with a download link valid for 15 minutes once it has succeeded.</summary>
public sealed record ExportResponse(
    string Id, ExportKind Kind, ExportFormat Format, IReadOnlyList<string> Fields, JobState State, long Rows,
    string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? EndedAt, string? Error, Uri? DownloadUrl)
{
    public static ExportResponse From(ExportJob j, Uri? link) =>
        new(j.Id, j.Kind, j.Format, j.Fields, j.State, j.Rows, j.CreatedBy, j.CreatedAt, j.StartedAt, j.EndedAt, j.Error, link);
}
