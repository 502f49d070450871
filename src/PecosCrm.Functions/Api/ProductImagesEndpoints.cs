using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using PecosCrm.Core.Access;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Products;

namespace PecosCrm.Functions.Api;

/// <summary>
/// A product's images: upload (multipart, one <c>file</c> and an optional <c>altText</c>), reorder,
/// primary, alt text and delete. Every change answers the product with its new ETag and honours
/// If-Match (412 when stale).
/// </summary>
public static class ProductImagesEndpoints
{
    private const string FileField = "file";
    private const string AltTextField = "altText";

    private static readonly string[] UnknownField = ["is not a known field"];

    public static IEndpointRouteBuilder MapProductImagesEndpoints(this IEndpointRouteBuilder app)
    {
        var images = app.MapGroup("/api/products/{id}/images").WithTags("Products").RequireAuthorization(Permissions.ProductsWrite);
        images.MapPost("/", AddAsync).WithName("AddProductImage").Accepts<ImageUploadForm>("multipart/form-data")
            .WithSummary("Upload one image (multipart/form-data: file, optional altText). JPEG, PNG, GIF or WebP judged by content, at most 2 MB and 40 megapixels, at most 10 per product.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        images.MapPut("/reorder", ReorderAsync).WithName("ReorderProductImages")
            .WithSummary("Put the images in this order: every image id once. If-Match honoured.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        images.MapPut("/{imageId}/primary", SetPrimaryAsync).WithName("SetPrimaryProductImage")
            .WithSummary("Make this image the product's primary image. If-Match honoured.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        images.MapPatch("/{imageId}", UpdateAsync).WithName("UpdateProductImage")
            .WithSummary("Change an image's alt text (empty removes it). If-Match honoured.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        images.MapDelete("/{imageId}", DeleteAsync).WithName("DeleteProductImage")
            .WithSummary("Delete an image and its thumbnails; a deleted primary hands over to the image after it. If-Match honoured.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        return app;
    }

    public static async Task<Results<Created<ProductImageUploaded>, ProblemHttpResult>> AddAsync(
        string id, HttpRequest request, ProductImages images, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        if (!request.HasFormContentType || !request.ContentType!.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported content type.",
                detail: "Send the image as multipart/form-data with a 'file' part and an optional 'altText' field.");
        }
        var form = await request.ReadFormAsync(cancellationToken);
        var unknown = form.Keys.Where(k => k != AltTextField).Concat(form.Files.Select(f => f.Name).Where(n => n != FileField)).Distinct().ToList();
        if (unknown.Count > 0)
        {
            throw new ValidationFailedException(unknown.ToDictionary(u => u, _ => UnknownField));
        }
        var files = form.Files.GetFiles(FileField);
        if (files.Count != 1)
        {
            throw new ValidationFailedException(FileField, files.Count == 0 ? "is required: the image file." : "one image per request.");
        }
        var file = files[0];
        if (file.Length > images.Options.MaxBytes)
        {
            throw new ValidationFailedException(FileField, $"is {file.Length:N0} bytes; an image may be at most {images.Options.MaxBytes:N0} bytes.");
        }
        var content = new byte[file.Length];
        await using (var stream = file.OpenReadStream())
        {
            await stream.ReadExactlyAsync(content, cancellationToken);
        }
        var altText = form.TryGetValue(AltTextField, out var alt) ? alt.ToString() : null;
        try
        {
            var (image, product) = await images.AddAsync(id, content, altText, http.IfMatch(), http.Actor(), cancellationToken);
            await audit.RecordAsync(http, "product.image_added", "product", id, null, new { imageId = image.Id, image.ContentType, image.Bytes, image.AltText });
            http.SetETag(product.ETag);
            var position = product.Images.ToList().IndexOf(image) + 1;
            return TypedResults.Created($"/api/products/{id}", new ProductImageUploaded(ProductImageResponse.From(id, image, position, images), ProductResponse.From(product, images)));
        }
        catch (UnsupportedImageException ex)
        {
            return TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { [ex.Field] = [ex.Message] })
            {
                Status = StatusCodes.Status415UnsupportedMediaType,
                Title = "Unsupported image.",
                Detail = "Images are JPEG, PNG, GIF or WebP, recognised by their content; nothing was stored.",
            });
        }
    }

    public static async Task<Ok<ProductResponse>> ReorderAsync(
        string id, ReorderImagesRequest request, ProductImages images, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var product = await images.ReorderAsync(id, request.ImageIds, http.IfMatch(), http.Actor(), cancellationToken);
        return await AnswerAsync(http, audit, "product.images_reordered", product, images, new { request.ImageIds });
    }

    public static async Task<Ok<ProductResponse>> SetPrimaryAsync(
        string id, string imageId, ProductImages images, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var product = await images.SetPrimaryAsync(id, imageId, http.IfMatch(), http.Actor(), cancellationToken);
        return await AnswerAsync(http, audit, "product.primary_image_set", product, images, new { imageId });
    }

    public static async Task<Ok<ProductResponse>> UpdateAsync(
        string id, string imageId, ImageChangeRequest request, ProductImages images, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var product = await images.SetAltTextAsync(id, imageId, request.AltText, http.IfMatch(), http.Actor(), cancellationToken);
        return await AnswerAsync(http, audit, "product.image_updated", product, images, new { imageId, request.AltText });
    }

    public static async Task<Ok<ProductResponse>> DeleteAsync(
        string id, string imageId, ProductImages images, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var product = await images.DeleteAsync(id, imageId, http.IfMatch(), http.Actor(), cancellationToken);
        return await AnswerAsync(http, audit, "product.image_deleted", product, images, new { imageId });
    }

    private static async Task<Ok<ProductResponse>> AnswerAsync(HttpContext http, AuditLog audit, string action, Product product, ProductImages images, object change)
    {
        await audit.RecordAsync(http, action, "product", product.Id, change, new { images = ProductImageList.Describe(product.Images) });
        http.SetETag(product.ETag);
        return TypedResults.Ok(ProductResponse.From(product, images));
    }
}

/// <summary>The parts of an image upload, for the API document.</summary>
public sealed record ImageUploadForm([property: FromForm(Name = "file")] IFormFile File, [property: FromForm(Name = "altText")] string? AltText);

public sealed record ProductImageUploaded(ProductImageResponse Image, ProductResponse Product);

public sealed record ReorderImagesRequest(IReadOnlyList<string?>? ImageIds);

public sealed record ImageChangeRequest(string? AltText);
