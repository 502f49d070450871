using Microsoft.AspNetCore.Http.HttpResults;
using PecosCrm.Core;
using PecosCrm.Core.Access;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Products;
using PecosCrm.Core.Storage;

namespace PecosCrm.Functions.Api;

public static class ProductsEndpoints
{
    public static IEndpointRouteBuilder MapProductsEndpoints(this IEndpointRouteBuilder app)
    {
        var products = app.MapGroup("/api/products").WithTags("Products");
        products.MapPost("/", SaveAsync).WithName("SaveProduct").RequireAuthorization(Permissions.ProductsWrite)
            .WithSummary("Create a product, or replace its fields whole when the id exists (its images stay).");
        products.MapPut("/{id}", ReplaceAsync).WithName("ReplaceProduct").RequireAuthorization(Permissions.ProductsWrite);
        products.MapGet("/", ListAsync).WithName("ListProducts").RequireAuthorization(Permissions.ProductsRead)
            .WithSummary("The catalogue, each product with its primary image and image count.");
        products.MapGet("/{id}", GetAsync).WithName("GetProduct").RequireAuthorization(Permissions.ProductsRead)
            .WithSummary("One product with its images in display order; the ETag guards image changes.").ProducesProblem(StatusCodes.Status404NotFound);
        products.MapGet("/{id}/history", HistoryAsync).WithName("ListProductHistory").RequireAuthorization(Permissions.ProductsRead)
            .WithSummary("Every change of the product, newest first: field, old and new value, who and when (store events as 'store').")
            .ProducesProblem(StatusCodes.Status404NotFound);
        products.MapGet("/{id}/analytics", AnalyticsAsync).WithName("GetProductAnalytics").RequireAuthorization(Permissions.AnalyticsRead)
            .WithSummary("Views, orders, units, conversion (orders per view), products bought with it and its replenishment interval; the last 12 months by default.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesValidationProblem();
        products.MapGet("/analytics/replenishment", ReplenishmentAsync).WithName("ListReplenishmentIntervals").RequireAuthorization(Permissions.AnalyticsRead)
            .WithSummary("The median days until customers buy each product again, for products bought again by at least minCustomers customers (3 by default).")
            .ProducesValidationProblem();
        return app.MapProductImagesEndpoints();
    }

    public static async Task<Ok<ProductResponse>> SaveAsync(ProductFields request, ProductStore products, ProductImages images, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var (before, after) = await products.UpsertAsync(request, http.Actor(), cancellationToken);
        await audit.RecordAsync(http, before is null ? "product.created" : "product.updated", "product", after.Id,
            before is null ? null : ProductAudit.From(before), ProductAudit.From(after));
        http.SetETag(after.ETag);
        return TypedResults.Ok(ProductResponse.From(after, images));
    }

    public static Task<Ok<ProductResponse>> ReplaceAsync(
        string id, ProductFields request, ProductStore products, ProductImages images, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        if (request.Id is not null && request.Id != id)
        {
            throw new ValidationFailedException("id", "must match the id in the path.");
        }
        return SaveAsync(request with { Id = id }, products, images, audit, http, cancellationToken);
    }

    public static async Task<Ok<ListResponse<ProductSummaryResponse>>> ListAsync(
        ProductStore products, ProductImages images, string? category, bool? active, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var page = await products.ListAsync(category, active, Page<Product>.CheckLimit(limit), cursor, cancellationToken);
        return TypedResults.Ok(ListResponse<ProductSummaryResponse>.From(page, p => ProductSummaryResponse.From(p, images)));
    }

    public static async Task<Ok<ProductResponse>> GetAsync(string id, ProductStore products, ProductImages images, HttpContext http, CancellationToken cancellationToken)
    {
        var product = await products.GetAsync(id, cancellationToken);
        http.SetETag(product.ETag);
        return TypedResults.Ok(ProductResponse.From(product, images));
    }

    public static async Task<Ok<ListResponse<ProductHistoryResponse>>> HistoryAsync(
        string id, ProductStore products, ProductHistory history, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var size = Page<ProductHistoryEntry>.CheckLimit(limit);
        await products.GetAsync(id, cancellationToken);
        var page = await history.ListAsync(id, size, cursor, cancellationToken);
        return TypedResults.Ok(ListResponse<ProductHistoryResponse>.From(page, ProductHistoryResponse.From));
    }

    public static async Task<Ok<ProductAnalyticsResponse>> AnalyticsAsync(
        string id, ProductStore products, ProductAnalytics analytics, TimeProvider time, DateTimeOffset? from, DateTimeOffset? to, int? coPurchases,
        CancellationToken cancellationToken)
    {
        if (coPurchases is < 0 or > 50)
        {
            throw new ValidationFailedException("coPurchases", "must be between 0 and 50.");
        }
        var product = await products.GetAsync(id, cancellationToken);
        var end = to ?? time.GetUtcNow();
        var numbers = await analytics.GetAsync(id, from ?? end.AddMonths(-12), end, coPurchases ?? 10, cancellationToken);
        return TypedResults.Ok(ProductAnalyticsResponse.Of(product, numbers));
    }

    public static async Task<Ok<ListResponse<ReplenishmentInterval>>> ReplenishmentAsync(
        ProductAnalytics analytics, string? category, int? minCustomers, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        if (minCustomers is < 1 or > 10_000)
        {
            throw new ValidationFailedException("minCustomers", "must be between 1 and 10000.");
        }
        var all = await analytics.IntervalsAsync(category, minCustomers ?? ProductAnalytics.DefaultMinCustomers, cancellationToken);
        return TypedResults.Ok(ListResponse<ReplenishmentInterval>.Slice(all, limit, cursor));
    }
}

/// <summary>A product as the audit log keeps it: its fields and its image ids in order (primary marked).</summary>
public sealed record ProductAudit(string Id, string Sku, string Name, string Category, decimal Price, string Currency, bool Active, string? Images)
{
    public static ProductAudit From(Product p) =>
        new(p.Id, p.Sku, p.Name, p.Category, Money.ToDecimal(p.PriceCents), p.Currency, p.Active, ProductImageList.Describe(p.Images));
}

public sealed record ThumbnailResponse(int Size, Uri Url);

/// <summary>An image with links to its original and thumbnails (short-lived unless images are served publicly).</summary>
public sealed record ProductImageResponse(
    string Id, int Position, bool Primary, string? AltText, string ContentType, int Width, int Height, long Bytes, DateTimeOffset AddedAt,
    Uri Url, IReadOnlyList<ThumbnailResponse> Thumbnails)
{
    public static ProductImageResponse From(string productId, ProductImage image, int position, ProductImages images) =>
        new(image.Id, position, image.Primary, image.AltText, image.ContentType, image.Width, image.Height, image.Bytes, image.AddedAt,
            images.OriginalLink(productId, image),
            ProductImageOptions.ThumbnailSizes.Select(size => new ThumbnailResponse(size, images.ThumbnailLink(productId, image, size))).ToList());
}

public sealed record ProductResponse(
    string Id, string Sku, string Name, string Category, decimal Price, string Currency, bool Active, DateTimeOffset UpdatedAt,
    int ImageCount, ProductImageResponse? PrimaryImage, IReadOnlyList<ProductImageResponse> Images)
{
    public static ProductResponse From(Product p, ProductImages images)
    {
        var list = p.Images.Select((image, i) => ProductImageResponse.From(p.Id, image, i + 1, images)).ToList();
        return new(p.Id, p.Sku, p.Name, p.Category, Money.ToDecimal(p.PriceCents), p.Currency, p.Active, p.UpdatedAt,
            list.Count, list.FirstOrDefault(i => i.Primary) ?? list.FirstOrDefault(), list);
    }
}

/// <summary>A product in the catalogue list: its fields, primary image and how many images it has.</summary>
public sealed record ProductSummaryResponse(
    string Id, string Sku, string Name, string Category, decimal Price, string Currency, bool Active, DateTimeOffset UpdatedAt,
    int ImageCount, ProductImageResponse? PrimaryImage)
{
    public static ProductSummaryResponse From(Product p, ProductImages images)
    {
        var primary = p.PrimaryImage;
        return new(p.Id, p.Sku, p.Name, p.Category, Money.ToDecimal(p.PriceCents), p.Currency, p.Active, p.UpdatedAt, p.Images.Count,
            primary is null ? null : ProductImageResponse.From(p.Id, primary, p.Images.ToList().IndexOf(primary) + 1, images));
    }
}

public sealed record ActorResponse(string Type, string Id, string Name);

public sealed record ProductHistoryResponse(DateTimeOffset At, string Field, string? Old, string? New, ActorResponse By, string? EventId)
{
    public static ProductHistoryResponse From(ProductHistoryEntry e) => new(e.At, e.Field, e.Old, e.New, new ActorResponse(e.ByType, e.ById, e.ByName), e.EventId);
}

public sealed record CoPurchaseResponse(string ProductId, string? Name, long Orders, double Confidence, double Lift);

public sealed record ProductAnalyticsResponse(
    string ProductId, string Name, DateTimeOffset From, DateTimeOffset To, long Views, long Orders, long Units, long Customers, decimal Revenue, string Currency,
    double? Conversion, IReadOnlyList<CoPurchaseResponse> CoPurchases, ReplenishmentInterval? Replenishment)
{
    public static ProductAnalyticsResponse Of(Product product, ProductNumbers n) =>
        new(product.Id, product.Name, n.From, n.To, n.Views, n.Orders, n.Units, n.Customers, Money.ToDecimal(n.RevenueCents), product.Currency, n.Conversion,
            n.CoPurchases.Select(c => new CoPurchaseResponse(c.ProductId, c.Name, c.Orders, c.Confidence, c.Lift)).ToList(), n.Replenishment);
}
