using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace PecosCrm.Functions.Api;

public static class OpenApiSetup
{
    /// <summary>The OpenAPI document, declaring the bearer API key every operation but health needs.</summary>
    public static IServiceCollection AddCrmOpenApi(this IServiceCollection services) =>
        services.AddOpenApi("v1", options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "PecosCrm API",
                    Version = "v1",
                    Description = "The CRM back end of Pecos River Traders. Send an API key as 'Authorization: Bearer <key>'.",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes["apiKey"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "An API key made with POST /api/keys or the create-admin-key command.",
                };
                document.Security ??= [];
                document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("apiKey", document)] = [] });
                return Task.CompletedTask;
            });
        });
}
