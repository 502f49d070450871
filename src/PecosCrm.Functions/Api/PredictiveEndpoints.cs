using Microsoft.AspNetCore.Http.HttpResults;
using PecosCrm.Core;
using PecosCrm.Core.Access;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Predictive;

namespace PecosCrm.Functions.Api;

public static class PredictiveEndpoints
{
    public static IEndpointRouteBuilder MapPredictiveEndpoints(this IEndpointRouteBuilder app)
    {
        var predictive = app.MapGroup("/api/analytics/predictive").WithTags("Predictive analytics");
        predictive.MapGet("/model", ModelAsync).WithName("GetPredictiveModel").RequireAuthorization(Permissions.AnalyticsRead)
            .WithSummary("The last fit of the predictive models: BG/NBD and Gamma-Gamma parameters (time in days), the holdout check (predicted against actual purchases per decile over the last 90 days held out, churn AUC), the churn classifier's evaluation (AUC, log loss, calibration), fit time; 404 before the first fit.");
        predictive.MapPost("/fit", FitAsync).WithName("FitPredictiveModels").RequireAuthorization(Permissions.JobsRun)
            .WithSummary("Fit the models now on the current analytical copy and publish the scores (the PredictiveFit timer does this nightly); answers with the report when done.");
        predictive.MapGet("/discounts", DiscountsAsync).WithName("GetDiscountSuggestions").RequireAuthorization(Permissions.AnalyticsRead)
            .WithSummary("As of the last fit: per RFM segment, how customers answered the discount codes they were given (issued, redeemed within their validity, net revenue per code given) by discount, and the discount that brought the most net revenue per code given; too few codes at a level are reported, not suggested.");
        app.MapGet("/api/customers/{id}/predictions", CustomerAsync).WithTags("Predictive analytics").WithName("GetCustomerPredictions")
            .RequireAuthorization(Permissions.AnalyticsRead)
            .WithSummary("The customer's predictions as of the last fit: probability alive, expected purchases in 90 days and a year, expected order value, 12-month CLV, churn probability (BG/NBD and classifier), next purchase (median and 80 % interval, days after the fit), confidence.");
        app.MapGet("/api/customers/{id}/recommendations", RecommendAsync).WithTags("Predictive analytics").WithName("GetCustomerRecommendations")
            .RequireAuthorization(Permissions.CustomersRead)
            .WithSummary("Products to recommend to the customer (limit 1-20, default 5): bought by the customers who bought theirs, then best sellers of their categories, then the store's best sellers; never one they bought. One page: nextCursor is always null.");
        return app;
    }

    public static async Task<Ok<PredictiveModelReport>> ModelAsync(PredictionFiles files, CancellationToken cancellationToken) =>
        TypedResults.Ok(await files.ReadReportAsync(cancellationToken) ?? throw new NotFoundException("Predictive model (no fit yet)", "current"));

    public static async Task<Ok<PredictiveModelReport>> FitAsync(PredictiveFitter fitter, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var report = await fitter.FitAsync(cancellationToken);
        await audit.RecordAsync(http, "predictive.fitted", "analytics", "predictive", null, new { report.Status, report.Customers, report.FitSeconds });
        return TypedResults.Ok(report);
    }

    public static async Task<Ok<DiscountSuggestionReport>> DiscountsAsync(PredictionFiles files, CancellationToken cancellationToken) =>
        TypedResults.Ok((await files.ReadReportAsync(cancellationToken) ?? throw new NotFoundException("Discount suggestions (no fit yet)", "current")).Discounts);

    public static async Task<Ok<CustomerPrediction>> CustomerAsync(string id, CustomerStore customers, CustomerPredictions predictions, CancellationToken cancellationToken)
    {
        await customers.GetAsync(id, cancellationToken);
        return TypedResults.Ok(await predictions.FindAsync(id, cancellationToken)
            ?? throw new NotFoundException("Predictions (none until the nightly fit has seen a counted order) of customer", id));
    }

    /// <summary>One page only: the list is short by design, so there is never a next page and a cursor is refused.</summary>
    public static async Task<Ok<ListResponse<Recommendation>>> RecommendAsync(
        string id, int? limit, string? cursor, CustomerStore customers, Recommendations recommendations, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > Recommendations.MaxCount)
        {
            throw new ValidationFailedException("limit", $"must be between 1 and {Recommendations.MaxCount}.");
        }
        if (cursor is not null)
        {
            throw new ValidationFailedException("cursor", "recommendations are one page; there is no next page to ask for.");
        }
        await customers.GetAsync(id, cancellationToken);
        return TypedResults.Ok(new ListResponse<Recommendation>(await recommendations.ForCustomerAsync(id, limit ?? 5, cancellationToken), null));
    }
}
