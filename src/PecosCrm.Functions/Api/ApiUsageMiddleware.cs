using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Access;
using PecosCrm.Core.Integrations.Usage;

namespace PecosCrm.Functions.Api;

/// <summary>
/// Runs after authentication and before the rate limiter, so it sees every answer, a 429 included:
/// it puts the caller's budget on the response (<c>RateLimit-Limit</c>, <c>RateLimit-Remaining</c>,
/// <c>RateLimit-Reset</c> in seconds, and <c>RateLimit-Policy</c>, as the IETF RateLimit header fields
/// draft names them), read from the same token bucket the limiter uses; and it counts the request
/// for the key's usage (<see cref="ApiUsage"/>, no storage call on the request path).
/// </summary>
public sealed class ApiUsageMiddleware(RequestDelegate next, IOptions<RateLimiterOptions> limiter, IOptions<AccessOptions> access, ApiUsage usage)
{
    public Task InvokeAsync(HttpContext http)
    {
        var watch = Stopwatch.StartNew();
        // Read now: the exception handler clears the endpoint before it writes the problem details.
        var endpoint = http.Request.Method + " " + (http.GetEndpoint() is RouteEndpoint route ? route.RoutePattern.RawText ?? "?" : "(no route)");
        // When the answer starts, its status is final (a fault mapped to problem details upstream
        // included); the latency counted is the time to that point.
        http.Response.OnStarting(() =>
        {
            SetHeaders(http);
            if (http.Features.Get<ApiKeyPrincipal>() is { } principal)
            {
                usage.Record(principal.Key.Id, endpoint, http.Response.StatusCode, watch.ElapsedMilliseconds);
            }
            return Task.CompletedTask;
        });
        return next(http);
    }

    private void SetHeaders(HttpContext http)
    {
        if (limiter.Value.GlobalLimiter?.GetStatistics(http) is not { } statistics)
        {
            return;
        }
        var perMinute = http.Features.Get<ApiKeyPrincipal>()?.Key.RateLimitPerMinute ?? access.Value.DefaultRateLimitPerMinute;
        var remaining = Math.Max(0, statistics.CurrentAvailablePermits);
        // The bucket refills evenly over the minute: the seconds until it is full again.
        var reset = (int)Math.Ceiling((perMinute - remaining) * 60.0 / perMinute);
        var headers = http.Response.Headers;
        headers["RateLimit-Limit"] = perMinute.ToString(CultureInfo.InvariantCulture);
        headers["RateLimit-Remaining"] = remaining.ToString(CultureInfo.InvariantCulture);
        headers["RateLimit-Reset"] = reset.ToString(CultureInfo.InvariantCulture);
        headers["RateLimit-Policy"] = perMinute.ToString(CultureInfo.InvariantCulture) + ";w=60";
    }
}
