using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Access;
using PecosCrm.Functions.Api;

namespace PecosCrm.Functions.Auth;

/// <summary>Authenticates <c>Authorization: Bearer &lt;key&gt;</c> against the hashed keys in storage.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyStore keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length < 8)
        {
            return AuthenticateResult.Fail("The Authorization header must be 'Bearer <API key>'.");
        }
        var principal = await keys.AuthenticateAsync(header[7..].Trim(), Context.RequestAborted);
        if (principal is null)
        {
            return AuthenticateResult.Fail("The API key is not valid or has been revoked.");
        }
        Context.Features.Set(principal);

        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, principal.ActorId),
            new(ClaimTypes.Name, principal.ActorName),
            new(CrmClaims.KeyId, principal.Key.Id),
            new(CrmClaims.ActorType, principal.ActorType),
        };
        if (principal.Staff is { } staff)
        {
            claims.Add(new Claim(ClaimTypes.Role, staff.Role.ToString().ToLowerInvariant()));
        }
        claims.AddRange(principal.Permissions.Select(p => new Claim(CrmClaims.Permission, p)));
        var identity = new ClaimsIdentity(claims, SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        Response.Headers.WWWAuthenticate = "Bearer";
        await Problems.WriteAsync(Context, StatusCodes.Status401Unauthorized, "Authentication required.",
            result.Failure?.Message ?? "Send an API key as 'Authorization: Bearer <key>'.");
    }
}

public static class CrmClaims
{
    public const string Permission = "perm";
    public const string KeyId = "key";
    public const string ActorType = "actor_type";
}
