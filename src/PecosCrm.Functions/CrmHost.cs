using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Azure.Functions.Worker.Builder;
using PecosCrm.Core;
using PecosCrm.Core.Storage;
using PecosCrm.Functions.Api;
using PecosCrm.Functions.Auth;
using PecosCrm.Functions.Automation;
using PecosCrm.Functions.Hosting;
using Scalar.AspNetCore;

namespace PecosCrm.Functions;

/// <summary>
/// The composition of the app in its two modes (docs/hosting.md): the services both share, the
/// standalone web host with its timers and queue pollers, the Functions worker, and the one HTTP pipeline.
/// </summary>
public static class CrmHost
{
    /// <summary>The standalone address, the Azure Functions default port.</summary>
    public const string StandaloneUrl = "http://localhost:7071";

    /// <summary>Functions mode: the isolated worker, its functions found by the SDK's generated metadata.</summary>
    public static async Task RunFunctionsWorkerAsync(string[] args)
    {
        var builder = FunctionsApplication.CreateBuilder(args);
        builder.ConfigureFunctionsWebApplication();
        builder.AddPecosCrm(args);
        if (!string.IsNullOrEmpty(builder.Configuration[StorageOptions.SectionName + ":Prefix"]))
        {
            // [QueueTrigger] names are fixed in the metadata; a prefix would send work where no trigger listens.
            throw new InvalidOperationException("Storage:Prefix must be empty in Functions mode: the queue triggers listen on the unprefixed queue names.");
        }
        builder.Services.AddSingleton<CrmApiPipeline>();
        await builder.Build().RunAsync();
    }

    /// <summary>Standalone mode: the web host on <see cref="StandaloneUrl"/>, with in-process timers and queue pollers.</summary>
    public static WebApplicationBuilder AddPecosCrmStandalone(this WebApplicationBuilder builder, string[] args)
    {
        builder.AddPecosCrm(args);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(StandaloneUrl);
        }
        var maxBody = RequestLimits.MaxBodyBytes(builder.Configuration);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = maxBody);

        var services = builder.Services;
        var catalog = FunctionCatalog.ForApp();
        foreach (var function in catalog.Timers.Concat(catalog.Queues))
        {
            FunctionInvoker.Validate(function);
        }
        services.AddSingleton(catalog);
        services.AddSingleton<CrmApiPipeline>();
        services.AddSingleton<TimerRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<TimerRunner>());
        services.AddSingleton<QueuePoller>();
        services.AddHostedService(sp => sp.GetRequiredService<QueuePoller>());
        return builder;
    }

    /// <summary>What both modes share: configuration sources, Core, start-up seeding and the API's services.</summary>
    public static IHostApplicationBuilder AddPecosCrm(this IHostApplicationBuilder builder, string[] args)
    {
        // local.settings.json Values, then environment variables and the command line over them,
        // the order in which the Functions tooling applies them.
        builder.Configuration.AddLocalSettings(builder.Environment.ContentRootPath)
            .AddEnvironmentVariables()
            .AddCommandLine(args);

        var maxBody = RequestLimits.MaxBodyBytes(builder.Configuration);
        var services = builder.Services;
        services.AddPecosCrmCore();
        services.AddAutomationEngine(builder.Configuration);
        services.AddOptions<HostingOptions>().BindConfiguration(HostingOptions.SectionName);
        services.AddScoped<DurableClientAccessor>();
        services.AddHostedService<AdminBootstrap>();
        // Hosted services start in order: storage is created before the seeder, the seeder before the demo data.
        services.AddHostedService<StartupSeeder>();
        services.AddSingleton<DemoSupportSeeder>();
        services.AddHostedService<DemoSeeder>();

        services.AddRouting();
        services.ConfigureHttpJsonOptions(o => CrmJson.ConfigureHttp(o.SerializerOptions));
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.Configure<FormOptions>(o => o.MultipartBodyLengthLimit = maxBody);
        services.AddProblemDetails(o => o.CustomizeProblemDetails = Problems.Customize);
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.AddCrmAuth();
        services.AddCrmOpenApi();
        return builder;
    }

    /// <summary>
    /// The one HTTP pipeline: standalone mode serves it from the web host, Functions mode runs it
    /// from the <c>Api</c> function (<see cref="CrmApiPipeline"/>).
    /// </summary>
    public static TBuilder UseCrmApi<TBuilder>(this TBuilder app) where TBuilder : IApplicationBuilder
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<RequestLimits>();
        app.UseRouting();
        app.UseAuthentication();
        app.UseMiddleware<ApiUsageMiddleware>();
        app.UseRateLimiter();
        app.UseAuthorization();
        app.UseEndpoints(endpoints => endpoints.MapCrmEndpoints());
        return app;
    }

    private static void MapCrmEndpoints(this IEndpointRouteBuilder app)
    {
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
        app.MapPredictiveEndpoints();
        app.MapExportsEndpoints();
        app.MapReportsEndpoints();
        app.MapPrivacyEndpoints();
        app.MapJobsEndpoints();
        app.MapSegmentsEndpoints();
        app.MapTemplatesEndpoints();
        app.MapMessagesEndpoints();
        app.MapInboxEndpoints();
        app.MapAutomationsEndpoints();
        app.MapCampaignsEndpoints();
        app.MapWholesaleEndpoints();
        app.MapTasksEndpoints();
        app.MapLeadsEndpoints();
        app.MapDealsEndpoints();
        app.MapTicketsEndpoints();
        app.MapSupportSettingsEndpoints();
        app.MapCsatEndpoints();
        app.MapKnowledgeBaseEndpoints();
        app.MapLoyaltyEndpoints();
        app.MapWebhooksEndpoints();
        app.MapApiUsageEndpoints();
        app.MapAdAudiencesEndpoints();
        app.MapIntegrationsConnectorsEndpoints();
    }
}
