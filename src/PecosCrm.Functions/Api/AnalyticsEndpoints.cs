using Microsoft.AspNetCore.Http.HttpResults;
using PecosCrm.Core;
using PecosCrm.Core.Access;
using PecosCrm.Core.Analytics;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Products;
using PecosCrm.Core.Storage;

namespace PecosCrm.Functions.Api;

public static class AnalyticsEndpoints
{
    public static IEndpointRouteBuilder MapAnalyticsEndpoints(this IEndpointRouteBuilder app)
    {
        var analytics = app.MapGroup("/api/analytics").WithTags("Analytics");
        analytics.MapGet("/freshness", (AnalyticsCopy copy, CancellationToken ct) => copy.GetFreshnessAsync(ct)).WithName("GetAnalyticsFreshness")
            .WithSummary("How far the analytical copy (Parquet by month) trails the tables.").RequireAuthorization(Permissions.AnalyticsRead);
        analytics.MapPost("/refresh", RefreshAsync).WithName("RefreshAnalytics")
            .WithSummary("Rebuild now the months whose orders changed and the customers who changed, and load the new version for every reader; answers when done, with what was rebuilt (the AnalyticsRefresh timer does this every minute in the background; reads never do it); full=true rebuilds everything.").RequireAuthorization(Permissions.JobsRun);
        analytics.MapGet("/rfm", RfmAsync).WithName("GetRfmGrid")
            .WithSummary("RFM grid: customers, revenue and average M per (R, F) cell, and per named RFM segment.").RequireAuthorization(Permissions.AnalyticsRead);
        analytics.MapGet("/rfm/map", GetRfmMapAsync).WithName("GetRfmMap").RequireAuthorization(Permissions.AnalyticsRead)
            .WithSummary("The current RFM map: every code 111-555 in exactly one named segment, with its version. The ETag header is the version (\"v3\"); send it back as If-Match when saving.");
        analytics.MapPut("/rfm/map", SaveRfmMapAsync).WithName("SaveRfmMap").RequireAuthorization(Permissions.SegmentsWrite)
            .WithSummary("Save a new RFM map as the next version: { \"segments\": [{ \"name\", \"codes\": [\"555\", ...] }], \"note\" }. Every code 111-555 exactly once; at most 30 segments; names unique, at most 50 characters. A stale If-Match answers 412.");
        analytics.MapGet("/rfm/map/versions", ListRfmMapVersionsAsync).WithName("ListRfmMapVersions").RequireAuthorization(Permissions.AnalyticsRead)
            .WithSummary("Every saved version of the RFM map, newest first (version 1 is the built-in default).");
        analytics.MapGet("/rfm/map/versions/{version:int}", GetRfmMapVersionAsync).WithName("GetRfmMapVersion").RequireAuthorization(Permissions.AnalyticsRead)
            .WithSummary("One saved version of the RFM map.");
        analytics.MapPost("/rfm/map/reset", ResetRfmMapAsync).WithName("ResetRfmMap").RequireAuthorization(Permissions.SegmentsWrite)
            .WithSummary("Save the built-in default map as the next version. Honours If-Match like a save.");
        analytics.MapGet("/rfm/affinity", RfmAffinityAsync).WithName("GetRfmAffinity").RequireAuthorization(Permissions.AnalyticsRead)
            .WithSummary("Per RFM segment of the current map, the categories its customers bought in [from, to) (default: the last 12 months): buyers and their share of the segment, line revenue and its share, and the affinity index (share of the segment buying the category over the share of all scored customers).");
        analytics.MapGet("/kpis", KpisAsync).WithName("GetKpis").RequireAuthorization(Permissions.AnalyticsRead)
            .WithSummary("Customer metrics for [from, to) (default: the last 30 days) beside the previous period of equal length. Each metric carries its definition.");
        analytics.MapGet("/cohorts", CohortsAsync).WithName("GetCohorts").RequireAuthorization(Permissions.AnalyticsRead)
            .WithSummary("Monthly cohorts by first-purchase month (from, to as yyyy-MM; default the last 12): retention and revenue per customer by months since first purchase; null where not reached yet.");
        analytics.MapGet("/revenue", RevenueAsync).WithName("GetRevenue").RequireAuthorization(Permissions.AnalyticsRead)
            .WithSummary("Orders and net revenue by month and by weekday, and the channel mix, for [from, to) (default: the last 12 months).");
        analytics.MapGet("/pairs", PairsAsync).WithName("GetBoughtTogether").RequireAuthorization(Permissions.AnalyticsRead)
            .WithSummary("Categories (by=category, default) or products (by=product) most often bought together, with support, confidence and lift.");
        analytics.MapGet("/nps", NpsAsync).WithName("GetNps").RequireAuthorization(Permissions.AnalyticsRead)
            .WithSummary("Net promoter score from nps.response events for months from..to (yyyy-MM; default the last 12): promoters 9-10, passives 7-8, detractors 0-6.");
        analytics.MapPut("/marketing-spend/{month}/{channel}", SetSpendAsync).WithName("SetMarketingSpend").RequireAuthorization(Permissions.CampaignsWrite)
            .WithSummary("Record what a channel cost in a month: { \"amount\": 1250.00 }.");
        analytics.MapGet("/cac", CacAsync).WithName("GetCac").RequireAuthorization(Permissions.AnalyticsRead)
            .WithSummary("Customer acquisition cost per month and channel: spend over new customers whose first order came through that channel.");
        app.MapGet("/api/customers/{id}/rfm", CustomerRfmAsync).WithTags("Analytics").WithName("GetCustomerRfm").RequireAuthorization(Permissions.AnalyticsRead);
        return app;
    }

    public static async Task<Ok<CopyRefresh>> RefreshAsync(AnalyticsCopy copy, AuditLog audit, HttpContext http, bool? full, CancellationToken cancellationToken)
    {
        var refresh = await copy.RebuildChangedAsync(full ?? false, cancellationToken);
        await audit.RecordAsync(http, "analytics.refreshed", "analytics", "copy", null, refresh);
        return TypedResults.Ok(refresh);
    }

    public static async Task<Ok<RfmGridResponse>> RfmAsync(RfmAnalysis rfm, AnalyticsEngine engine, AnalyticsCopy copy, HttpContext http, CancellationToken cancellationToken)
    {
        var grid = await rfm.GetGridAsync(cancellationToken);
        var freshness = await FreshnessAsync(engine, copy, http, cancellationToken);
        return TypedResults.Ok(new RfmGridResponse(
            grid.Customers,
            grid.Cells.Select(c => new RfmCellResponse(c.R, c.F, c.Customers, Money.ToDecimal(c.RevenueCents), c.AverageM)).ToList(),
            grid.Segments.Select(s => new RfmSegmentResponse(s.Name, s.Customers, Money.ToDecimal(s.RevenueCents), s.AverageR, s.AverageF, s.AverageM)).ToList(),
            grid.MapVersion,
            "USD",
            freshness));
    }

    /// <summary>
    /// How far the answer's data trails the tables, also as headers (<c>X-Analytics-As-Of</c>,
    /// <c>X-Analytics-Lag-Seconds</c>) so lists, whose body is <c>{ items, nextCursor }</c>, carry it too.
    /// </summary>
    private static async Task<CopyFreshness> FreshnessAsync(AnalyticsEngine engine, AnalyticsCopy copy, HttpContext http, CancellationToken cancellationToken)
    {
        var freshness = await copy.AnswerFreshnessAsync(engine.Current?.AsOf, cancellationToken);
        if (freshness.AsOf is { } asOf)
        {
            http.Response.Headers["X-Analytics-As-Of"] = asOf.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        }
        http.Response.Headers["X-Analytics-Lag-Seconds"] = Math.Round(freshness.LagSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return freshness;
    }

    public static async Task<Ok<RfmMapResponse>> GetRfmMapAsync(RfmMapStore maps, HttpContext http, CancellationToken cancellationToken)
    {
        var map = await maps.GetCurrentAsync(cancellationToken);
        http.SetETag(map.ETag);
        return TypedResults.Ok(RfmMapResponse.From(map));
    }

    public static async Task<Ok<RfmMapResponse>> SaveRfmMapAsync(
        RfmMapRequest request, RfmMapStore maps, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var (before, after) = await maps.SaveAsync(request.Segments, request.Note, http.IfMatch(), http.Actor().Name, cancellationToken);
        await audit.RecordAsync(http, "rfm_map.saved", "rfm_map", "map", RfmMapResponse.From(before), RfmMapResponse.From(after));
        http.SetETag(after.ETag);
        return TypedResults.Ok(RfmMapResponse.From(after));
    }

    public static async Task<Ok<RfmMapResponse>> ResetRfmMapAsync(RfmMapStore maps, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var (before, after) = await maps.ResetAsync(http.IfMatch(), http.Actor().Name, cancellationToken);
        await audit.RecordAsync(http, "rfm_map.reset", "rfm_map", "map", RfmMapResponse.From(before), RfmMapResponse.From(after));
        http.SetETag(after.ETag);
        return TypedResults.Ok(RfmMapResponse.From(after));
    }

    public static async Task<Ok<ListResponse<RfmMapVersionSummary>>> ListRfmMapVersionsAsync(RfmMapStore maps, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var versions = await maps.ListVersionsAsync(cancellationToken);
        return TypedResults.Ok(ListResponse<RfmMapVersionSummary>.Slice(versions.Select(RfmMapVersionSummary.From).ToList(), limit, cursor));
    }

    public static async Task<Ok<RfmMapResponse>> GetRfmMapVersionAsync(int version, RfmMapStore maps, CancellationToken cancellationToken)
    {
        var map = await maps.FindVersionAsync(version, cancellationToken)
            ?? throw new NotFoundException("RFM map version", version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return TypedResults.Ok(RfmMapResponse.From(map));
    }

    public static async Task<Ok<RfmAffinityResponse>> RfmAffinityAsync(
        RfmAnalysis rfm, TimeProvider time, DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellationToken)
    {
        var end = to ?? time.GetUtcNow();
        var report = await rfm.GetAffinityAsync(from ?? end.AddMonths(-12), end, cancellationToken);
        return TypedResults.Ok(new RfmAffinityResponse(report.From, report.To, report.MapVersion, report.Customers,
            report.Segments.Select(s => new SegmentAffinityResponse(s.Segment, s.Customers, Money.ToDecimal(s.RevenueCents),
                s.Categories.Select(c => new CategoryAffinityResponse(c.Category, c.Customers, c.CustomerShare, Money.ToDecimal(c.RevenueCents), c.RevenueShare, c.Affinity)).ToList())).ToList(),
            "USD"));
    }

    public static async Task<Ok<KpiReport>> KpisAsync(
        KpiAnalysis kpis, AnalyticsEngine engine, AnalyticsCopy copy, HttpContext http, TimeProvider time, DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellationToken)
    {
        var end = to ?? time.GetUtcNow();
        var report = await kpis.GetAsync(from ?? end.AddDays(-30), end, cancellationToken);
        return TypedResults.Ok(report with { Freshness = await FreshnessAsync(engine, copy, http, cancellationToken) });
    }

    public static async Task<Ok<ListResponse<CohortResponse>>> CohortsAsync(
        CohortAnalysis cohorts, AnalyticsEngine engine, AnalyticsCopy copy, HttpContext http, string? from, string? to, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var result = await cohorts.GetAsync(Month(from, "from"), Month(to, "to"), cancellationToken);
        await FreshnessAsync(engine, copy, http, cancellationToken);
        return TypedResults.Ok(ListResponse<CohortResponse>.Slice(result.Select(c => new CohortResponse(
            c.Month, c.Customers, c.Retention, c.RevenuePerCustomer.Select(r => r is { } cents ? Money.ToDecimal(cents) : (decimal?)null).ToList(), "USD")).ToList(), limit, cursor));
    }

    public static async Task<Ok<RevenueReportResponse>> RevenueAsync(
        InsightAnalysis insights, TimeProvider time, DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellationToken)
    {
        var end = to ?? time.GetUtcNow();
        var report = await insights.RevenueAsync(from ?? end.AddMonths(-12), end, cancellationToken);
        static RevenuePointResponse Point(RevenuePoint p) => new(p.Key, p.Orders, Money.ToDecimal(p.RevenueCents));
        return TypedResults.Ok(new RevenueReportResponse(
            report.ByMonth.Select(Point).ToList(), report.ByWeekday.Select(Point).ToList(),
            report.Channels.Select(c => new ChannelShareResponse(c.Channel, c.Orders, Money.ToDecimal(c.RevenueCents), c.Share)).ToList(), "USD"));
    }

    /// <summary>
    /// The most frequent pairs, paged by offset over the ranking. Products come with the name a person
    /// reads beside each id (one point read per distinct product of the page, in parallel).
    /// </summary>
    public static async Task<Ok<ListResponse<ItemPairResponse>>> PairsAsync(
        InsightAnalysis insights, ProductStore products, TimeProvider time, string? by, DateTimeOffset? from, DateTimeOffset? to, int? limit, string? cursor,
        CancellationToken cancellationToken)
    {
        if (by is not (null or "category" or "product"))
        {
            throw new ValidationFailedException("by", "must be category or product.");
        }
        var end = to ?? time.GetUtcNow();
        var size = Core.Storage.Page<ItemPair>.CheckLimit(limit);
        var offset = ListResponse<ItemPair>.Offset(cursor);
        var ranked = await insights.PairsAsync(by == "product", from ?? end.AddMonths(-12), end, offset + size + 1, cancellationToken);
        var page = ListResponse<ItemPair>.Slice(ranked, size, cursor);
        var names = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (by == "product")
        {
            var ids = page.Items.SelectMany(p => new[] { p.A, p.B }).Distinct(StringComparer.Ordinal).ToList();
            var found = await Task.WhenAll(ids.Select(id => KeyRules.IsValidKey(id) ? products.FindAsync(id, cancellationToken) : Task.FromResult<Product?>(null)));
            for (var i = 0; i < ids.Count; i++)
            {
                names[ids[i]] = found[i]?.Name;
            }
        }
        string? Name(string item) => by == "product" ? names.GetValueOrDefault(item) : item;
        return TypedResults.Ok(new ListResponse<ItemPairResponse>(
            page.Items.Select(p => new ItemPairResponse(p.A, Name(p.A), p.B, Name(p.B), p.Orders, p.Support, p.ConfidenceAToB, p.ConfidenceBToA, p.Lift)).ToList(),
            page.NextCursor));
    }

    public static async Task<Ok<NpsReport>> NpsAsync(MarketingAnalysis marketing, TimeProvider time, string? from, string? to, CancellationToken cancellationToken)
    {
        var (first, last) = MonthRange(from, to, time);
        return TypedResults.Ok(await marketing.GetNpsAsync(first, last, cancellationToken));
    }

    public static async Task<NoContent> SetSpendAsync(
        string month, string channel, SpendRequest request, MarketingAnalysis marketing, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        if (request.Amount is not { } amount)
        {
            throw new ValidationFailedException("amount", "is required.");
        }
        await marketing.SetSpendAsync(month, channel, amount, cancellationToken);
        await audit.RecordAsync(http, "marketing_spend.set", "marketing_spend", $"{month}/{channel}", null, request);
        return TypedResults.NoContent();
    }

    public static async Task<Ok<ListResponse<CacResponse>>> CacAsync(
        MarketingAnalysis marketing, TimeProvider time, string? from, string? to, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var (first, last) = MonthRange(from, to, time);
        var points = await marketing.GetCacAsync(first, last, cancellationToken);
        return TypedResults.Ok(ListResponse<CacResponse>.Slice(points.Select(p => new CacResponse(
            p.Month, p.Channel, p.SpendCents is { } s ? Money.ToDecimal(s) : null, p.NewCustomers, p.CacCents is { } c ? Money.ToDecimal(c) : null, "USD")).ToList(), limit, cursor));
    }

    private static (string From, string To) MonthRange(string? from, string? to, TimeProvider time)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return (from ?? now.AddMonths(-11).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture),
            to ?? now.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture));
    }

    private static DateOnly? Month(string? value, string field)
    {
        if (value is null)
        {
            return null;
        }
        return DateOnly.TryParseExact(value + "-01", "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var d)
            ? d
            : throw new ValidationFailedException(field, "must be a month as yyyy-MM.");
    }

    /// <summary>The stored score, the same one the 360 view shows, with the time the nightly recompute gave it.</summary>
    public static async Task<Ok<CustomerRfm>> CustomerRfmAsync(string id, CustomerStore customers, Customer360Reader reader, CancellationToken cancellationToken)
    {
        await customers.GetAsync(id, cancellationToken);
        return TypedResults.Ok(await reader.RfmAsync(id, cancellationToken) ?? throw new NotFoundException("RFM score (not scored by the nightly recompute yet) of customer", id));
    }
}

public sealed record CohortResponse(string Month, int Customers, IReadOnlyList<double?> Retention, IReadOnlyList<decimal?> RevenuePerCustomer, string Currency);

/// <summary>Two items bought together; the names are the products' (by=product) or the categories themselves.</summary>
public sealed record ItemPairResponse(string A, string? AName, string B, string? BName, long Orders, double Support, double ConfidenceAToB, double ConfidenceBToA, double Lift);

public sealed record RevenuePointResponse(string Key, long Orders, decimal Revenue);

public sealed record ChannelShareResponse(string Channel, long Orders, decimal Revenue, double Share);

public sealed record RevenueReportResponse(IReadOnlyList<RevenuePointResponse> ByMonth, IReadOnlyList<RevenuePointResponse> ByWeekday, IReadOnlyList<ChannelShareResponse> Channels, string Currency);

public sealed record SpendRequest(decimal? Amount);

/// <summary>CAC of a month and channel: spend (null when none was recorded) over new customers; null when either is missing.</summary>
public sealed record CacResponse(string Month, string Channel, decimal? Spend, long NewCustomers, decimal? Cac, string Currency);

public sealed record RfmCellResponse(int R, int F, int Customers, decimal Revenue, double AverageM);

public sealed record RfmSegmentResponse(string Name, int Customers, decimal Revenue, double AverageR, double AverageF, double AverageM);

public sealed record RfmGridResponse(int Customers, IReadOnlyList<RfmCellResponse> Cells, IReadOnlyList<RfmSegmentResponse> Segments, int MapVersion, string Currency, CopyFreshness Freshness);

public sealed record RfmMapRequest(IReadOnlyList<RfmSegmentDraft?>? Segments, string? Note);

public sealed record RfmMapResponse(int Version, IReadOnlyList<RfmSegmentCodes> Segments, string CreatedBy, DateTimeOffset CreatedAt, string? Note)
{
    public static RfmMapResponse From(RfmMapVersion map) => new(map.Version, map.Segments, map.CreatedBy, map.CreatedAt, map.Note);
}

public sealed record RfmMapVersionSummary(int Version, IReadOnlyList<string> SegmentNames, string CreatedBy, DateTimeOffset CreatedAt, string? Note)
{
    public static RfmMapVersionSummary From(RfmMapVersion map) => new(map.Version, map.Segments.Select(s => s.Name).ToList(), map.CreatedBy, map.CreatedAt, map.Note);
}

public sealed record CategoryAffinityResponse(string Category, int Customers, double CustomerShare, decimal Revenue, double RevenueShare, double Affinity);

public sealed record SegmentAffinityResponse(string Segment, int Customers, decimal Revenue, IReadOnlyList<CategoryAffinityResponse> Categories);

public sealed record RfmAffinityResponse(DateTimeOffset From, DateTimeOffset To, int MapVersion, int Customers, IReadOnlyList<SegmentAffinityResponse> Segments, string Currency);
