using Microsoft.AspNetCore.Http.HttpResults;
using PecosCrm.Core;
using PecosCrm.Core.Access;
using PecosCrm.Core.Analytics;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Customers;

namespace PecosCrm.Functions.Api;

public static class AnalyticsEndpoints
{
    public static IEndpointRouteBuilder MapAnalyticsEndpoints(this IEndpointRouteBuilder app)
    {
        var analytics = app.MapGroup("/api/analytics").WithTags("Analytics");
        analytics.MapGet("/freshness", (AnalyticsCopy copy, CancellationToken ct) => copy.GetFreshnessAsync(ct)).WithName("GetAnalyticsFreshness")
            .WithSummary("How far the analytical copy (Parquet by month) trails the tables.").RequireAuthorization(Permissions.AnalyticsRead);
        analytics.MapPost("/refresh", RefreshAsync).WithName("RefreshAnalytics")
            .WithSummary("Rebuild now the months whose orders changed (the AnalyticsRefresh timer does this every two minutes).").RequireAuthorization(Permissions.JobsRun);
        analytics.MapGet("/rfm", RfmAsync).WithName("GetRfmGrid")
            .WithSummary("RFM grid: customers, revenue and average M per (R, F) cell, and per named RFM segment.").RequireAuthorization(Permissions.AnalyticsRead);
        app.MapGet("/api/customers/{id}/rfm", CustomerRfmAsync).WithTags("Analytics").WithName("GetCustomerRfm").RequireAuthorization(Permissions.AnalyticsRead);
        return app;
    }

    public static async Task<Ok<RefreshResponse>> RefreshAsync(AnalyticsCopy copy, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var months = await copy.RebuildChangedAsync(cancellationToken);
        await audit.RecordAsync(http, "analytics.refreshed", "analytics", "copy", null, new { months });
        return TypedResults.Ok(new RefreshResponse(months));
    }

    public static async Task<Ok<RfmGridResponse>> RfmAsync(RfmAnalysis rfm, CancellationToken cancellationToken)
    {
        var grid = await rfm.GetGridAsync(cancellationToken);
        return TypedResults.Ok(new RfmGridResponse(
            grid.Customers,
            grid.Cells.Select(c => new RfmCellResponse(c.R, c.F, c.Customers, Money.ToDecimal(c.RevenueCents), c.AverageM)).ToList(),
            grid.Segments.Select(s => new RfmSegmentResponse(s.Name, s.Customers, Money.ToDecimal(s.RevenueCents), s.AverageR, s.AverageF, s.AverageM)).ToList(),
            "USD"));
    }

    public static async Task<Ok<RfmScore>> CustomerRfmAsync(string id, CustomerStore customers, RfmAnalysis rfm, CancellationToken cancellationToken)
    {
        await customers.GetAsync(id, cancellationToken);
        return TypedResults.Ok(await rfm.GetScoreAsync(id, cancellationToken) ?? throw new NotFoundException("RFM score (no counted order in the analytical copy) of customer", id));
    }
}

public sealed record RefreshResponse(IReadOnlyList<string> MonthsRebuilt);

public sealed record RfmCellResponse(int R, int F, int Customers, decimal Revenue, double AverageM);

public sealed record RfmSegmentResponse(string Name, int Customers, decimal Revenue, double AverageR, double AverageF, double AverageM);

public sealed record RfmGridResponse(int Customers, IReadOnlyList<RfmCellResponse> Cells, IReadOnlyList<RfmSegmentResponse> Segments, string Currency);
