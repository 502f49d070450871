using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace PecosCrm.Functions.Hosting;

/// <summary>
/// Functions mode's one HTTP function: every request, on any route, runs the app's ASP.NET Core
/// pipeline (authentication, rate limits, problem details, OpenAPI) on the request's own
/// <see cref="HttpContext"/>. The pipeline writes the response itself, so the function returns an
/// empty result (the worker executes <c>IActionResult</c>, not the Minimal API results the endpoints return).
/// </summary>
public sealed class ApiFunction(CrmApiPipeline pipeline)
{
    public const string FunctionName = "Api";

    /// <summary>The API's routes start with this; the host's route prefix may or may not have stripped it.</summary>
    public const string ApiPrefix = "/api";

    [Function(FunctionName)]
    public async Task<IActionResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", "put", "patch", "delete", "head", "options", Route = "{*path}")] HttpRequest request,
        [DurableClient] DurableTaskClient? client)
    {
        var context = request.HttpContext;
        context.RequestServices.GetRequiredService<DurableClientAccessor>().Client = client;
        (request.PathBase, request.Path) = (PathString.Empty, ApiPath(request.PathBase, request.Path));
        // The worker's own middleware may have matched an endpoint; the app's routing must choose its own.
        context.SetEndpoint(null);
        context.Request.RouteValues.Clear();
        await pipeline.RunAsync(context);
        return new EmptyResult();
    }

    /// <summary>
    /// The app's path for a request as the host hands it over: whole (<c>/api/customers</c>), split
    /// into a base and a rest (<c>/api</c> + <c>/customers</c>), or with the route prefix stripped
    /// (<c>/customers</c>).
    /// </summary>
    public static PathString ApiPath(PathString pathBase, PathString path)
    {
        var full = pathBase.Add(path);
        return full.StartsWithSegments(ApiPrefix, StringComparison.OrdinalIgnoreCase) ? full : new PathString(ApiPrefix).Add(full);
    }
}
