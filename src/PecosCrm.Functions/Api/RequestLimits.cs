
namespace PecosCrm.Functions.Api;

/// <summary>
/// Refuses a declared oversized body before anything reads it. Kestrel enforces the same limit on
/// bodies without a Content-Length while they are read (surfacing as a 413 from the exception handler).
/// </summary>
public sealed class RequestLimits(RequestDelegate next, IConfiguration configuration)
{
    public const long DefaultMaxBodyBytes = 4 * 1024 * 1024;

    private readonly long _max = MaxBodyBytes(configuration);

    /// <summary>The body limit (<c>Api:MaxRequestBodyBytes</c>), the one reading of it that Kestrel, forms and this middleware share.</summary>
    public static long MaxBodyBytes(IConfiguration configuration) => configuration.GetValue<long?>("Api:MaxRequestBodyBytes") ?? DefaultMaxBodyBytes;

    public Task InvokeAsync(HttpContext context)
    {
        if (context.Request.ContentLength > _max)
        {
            return Problems.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "The request body is too large.",
                $"Bodies are limited to {_max} bytes; send large batches in parts.");
        }
        return next(context);
    }
}
