using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Access;
using PecosCrm.Functions.Api;

namespace PecosCrm.Functions.Auth;

public static class AuthServiceCollectionExtensions
{
    /// <summary>
    /// API-key authentication, one authorisation policy per permission (named as the permission),
    /// every endpoint closed unless it opts out, and a token bucket per key.
    /// </summary>
    public static IServiceCollection AddCrmAuth(this IServiceCollection services)
    {
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorization(options =>
        {
            options.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
            foreach (var permission in Permissions.All)
            {
                options.AddPolicy(permission, p => p.RequireAuthenticatedUser().RequireClaim(CrmClaims.Permission, permission));
            }
        });
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, AuthProblems>();

        services.AddRateLimiter(options =>
        {
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
            {
                var defaults = http.RequestServices.GetRequiredService<IOptions<AccessOptions>>().Value;
                if (http.Features.Get<ApiKeyPrincipal>() is { } principal)
                {
                    var perMinute = principal.Key.RateLimitPerMinute ?? defaults.DefaultRateLimitPerMinute;
                    return RateLimitPartition.GetTokenBucketLimiter("key:" + principal.Key.Id + ":" + perMinute, _ => Bucket(perMinute));
                }
                // Unauthenticated calls (health, docs, failed keys) share a per-address budget.
                var address = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
                return RateLimitPartition.GetTokenBucketLimiter("ip:" + address, _ => Bucket(defaults.DefaultRateLimitPerMinute));
            });
            options.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
                context.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await Problems.WriteAsync(context.HttpContext, StatusCodes.Status429TooManyRequests, "Too many requests.",
                    "This API key has used its request budget; retry after the number of seconds in Retry-After.");
            };
        });
        return services;
    }

    /// <summary>
    /// A bucket that holds a minute's budget and refills evenly over the minute, in steps of at
    /// least 100 ms: the limiter's timer works in whole milliseconds, so finer steps would refill
    /// too slowly (and above 60,000 a minute, not at all).
    /// </summary>
    internal static TokenBucketRateLimiterOptions Bucket(int perMinute)
    {
        var steps = Math.Min(perMinute, 600);
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = perMinute,
            TokensPerPeriod = (int)Math.Ceiling((double)perMinute / steps),
            ReplenishmentPeriod = TimeSpan.FromMinutes(1) / steps,
            QueueLimit = 0,
            AutoReplenishment = true,
        };
    }

    /// <summary>The actor id of the authenticated key (staff member id, or key id for an integration).</summary>
    public static string ActorId(this ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "anonymous";
}
