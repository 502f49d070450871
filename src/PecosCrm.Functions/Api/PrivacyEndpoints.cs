using Microsoft.AspNetCore.Http.HttpResults;
using PecosCrm.Core.Access;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Privacy;

namespace PecosCrm.Functions.Api;

public static class PrivacyEndpoints
{
    public static IEndpointRouteBuilder MapPrivacyEndpoints(this IEndpointRouteBuilder app)
    {
        var privacy = app.MapGroup("/api/customers/{id}").WithTags("Privacy (GDPR)").RequireAuthorization(Permissions.PrivacyManage);
        privacy.MapGet("/gdpr-export", ExportAsync).WithName("GdprExport")
            .WithSummary("Everything held about the customer (profile, metrics, orders, timeline, notes, tags, links, applied events, lookup rows, audit entries, raw store events) as a ZIP of JSON files.");
        privacy.MapPost("/erase", EraseAsync).WithName("EraseCustomer")
            .WithSummary("Erase the customer everywhere. Orders stay in store-wide figures under a random pseudonym; the audit entry names the customer only by a one-way hash.");
        return app;
    }

    public static async Task<FileContentHttpResult> ExportAsync(string id, PrivacyService privacy, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var archive = await privacy.ExportAsync(id, cancellationToken);
        await audit.RecordAsync(http, "customer.gdpr_exported", "customer", id, null, new { bytes = archive.Length });
        return TypedResults.File(archive, "application/zip", $"customer-{id}-gdpr-export.zip");
    }

    public static async Task<Ok<ErasureReport>> EraseAsync(string id, PrivacyService privacy, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var report = await privacy.EraseAsync(id, cancellationToken);
        await audit.RecordAsync(http, "customer.erased", "erased_customer", report.Reference, null, report);
        return TypedResults.Ok(report);
    }
}
