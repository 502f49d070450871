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
            .WithSummary("Create a product, or replace it whole when the id exists.");
        products.MapPut("/{id}", ReplaceAsync).WithName("ReplaceProduct").RequireAuthorization(Permissions.ProductsWrite);
        products.MapGet("/", ListAsync).WithName("ListProducts").RequireAuthorization(Permissions.ProductsRead);
        products.MapGet("/{id}", GetAsync).WithName("GetProduct").RequireAuthorization(Permissions.ProductsRead);
        return app;
    }

    public static async Task<Ok<ProductResponse>> SaveAsync(ProductFields request, ProductStore products, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var (before, after) = await products.UpsertAsync(request, cancellationToken);
        await audit.RecordAsync(http, before is null ? "product.created" : "product.updated", "product", after.Id,
            before is null ? null : ProductResponse.From(before), ProductResponse.From(after));
        return TypedResults.Ok(ProductResponse.From(after));
    }

    public static Task<Ok<ProductResponse>> ReplaceAsync(string id, ProductFields request, ProductStore products, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        if (request.Id is not null && request.Id != id)
        {
            throw new ValidationFailedException("id", "must match the id in the path.");
        }
        return SaveAsync(request with { Id = id }, products, audit, http, cancellationToken);
    }

    public static async Task<Ok<ListResponse<ProductResponse>>> ListAsync(
        ProductStore products, string? category, bool? active, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var page = await products.ListAsync(category, active, Page<Product>.CheckLimit(limit), cursor, cancellationToken);
        return TypedResults.Ok(ListResponse<ProductResponse>.From(page, ProductResponse.From));
    }

    public static async Task<Ok<ProductResponse>> GetAsync(string id, ProductStore products, CancellationToken cancellationToken) =>
        TypedResults.Ok(ProductResponse.From(await products.GetAsync(id, cancellationToken)));
}
