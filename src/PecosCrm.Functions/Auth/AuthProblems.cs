using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;
using PecosCrm.Functions.Api;

namespace PecosCrm.Functions.Auth;

/// <summary>Answers 401 and 403 as problem details; a 403 names the permission that was missing.</summary>
public sealed class AuthProblems : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden)
        {
            var missing = authorizeResult.AuthorizationFailure?.FailedRequirements
                .OfType<ClaimsAuthorizationRequirement>()
                .SelectMany(r => r.AllowedValues ?? [])
                .ToList() ?? [];
            await Problems.WriteAsync(context, StatusCodes.Status403Forbidden, "Not allowed.",
                missing.Count > 0
                    ? $"This API key lacks the permission '{string.Join("', '", missing)}'."
                    : "This API key may not perform this action.");
            return;
        }
        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
