using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using PecosCrm.Core;
using PecosCrm.Functions.Api;
using PecosCrm.Functions.Auth;
using PecosCrm.Functions.Hosting;
using Scalar.AspNetCore;

namespace PecosCrm.Functions;

/// <summary>The composition of the app: configuration, services, middleware and endpoints.</summary>
public static class CrmHost
{
    /// <summary>The standalone address, the Azure Functions default port.</summary>
    public const string StandaloneUrl = "http://localhost:7071";

    public static WebApplicationBuilder AddPecosCrm(this WebApplicationBuilder builder, string[] args)
    {
        // local.settings.json Values, then environment variables and the command line over them,
        // the order in which the Functions tooling applies them.
        builder.Configuration.AddLocalSettings(builder.Environment.ContentRootPath)
            .AddEnvironmentVariables()
            .AddCommandLine(args);

        if (builder.Configuration[HostingOptions.CustomHandlerPortKey] is { Length: > 0 } port)
        {
            // The host calls 127.0.0.1 only.
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        }
        else if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(StandaloneUrl);
        }

        var maxBody = builder.Configuration.GetValue<long?>("Api:MaxRequestBodyBytes") ?? RequestLimits.DefaultMaxBodyBytes;
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = maxBody);

        var services = builder.Services;
        services.AddPecosCrmCore();
        services.AddOptions<HostingOptions>().BindConfiguration(HostingOptions.SectionName);
        services.AddHostedService<AdminBootstrap>();
        // Hosted services start in order: storage is created before the seeder, the seeder before the demo data.
        services.AddHostedService<StartupSeeder>();
        services.AddHostedService<DemoSeeder>();

        var registry = CrmFunctions.Registry();
        services.AddSingleton(registry);
        foreach (var function in registry.Functions)
        {
            services.AddScoped(function.JobType);
        }
        services.AddSingleton<FunctionsManifest>();
        services.AddSingleton<TimerRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<TimerRunner>());
        services.AddSingleton<QueuePoller>();
        services.AddHostedService(sp => sp.GetRequiredService<QueuePoller>());

        services.ConfigureHttpJsonOptions(o => CrmJson.ConfigureHttp(o.SerializerOptions));
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.Configure<FormOptions>(o => o.MultipartBodyLengthLimit = maxBody);
        services.AddProblemDetails(o => o.CustomizeProblemDetails = Problems.Customize);
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.AddCrmAuth();
        services.AddCrmOpenApi();
        return builder;
    }

    public static WebApplication UsePecosCrm(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<RequestLimits>();
        app.UseRouting();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();

        app.MapGet("/", () => TypedResults.Text("PecosCrm is running. API reference: /api/docs"))
            .AllowAnonymous()
            .ExcludeFromDescription();
        app.MapOpenApi("/api/openapi.json").AllowAnonymous();
        app.MapScalarApiReference("/api/docs", o => o.WithTitle("PecosCrm API").WithOpenApiRoutePattern("/api/openapi.json")).AllowAnonymous();

        app.MapHealthEndpoints();
        app.MapKeysEndpoints();
        app.MapStaffEndpoints();
        app.MapAuditEndpoints();
        app.MapCustomersEndpoints();
        app.MapCustomerRelationsEndpoints();
        app.MapTagsEndpoints();
        app.MapProductsEndpoints();
        app.MapOrdersEndpoints();
        app.MapEventsEndpoints();
        app.MapAnalyticsEndpoints();
        app.MapExportsEndpoints();
        app.MapPrivacyEndpoints();
        app.MapJobsEndpoints();
        app.MapSegmentsEndpoints();
        app.MapTemplatesEndpoints();
        app.MapMessagesEndpoints();
        app.MapInboxEndpoints();
        app.MapAutomationsEndpoints();
        app.MapCampaignsEndpoints();

        if (HostingMode.IsFunctionsHost(app.Configuration))
        {
            app.MapFunctionInvocations();
        }
        return app;
    }
}
