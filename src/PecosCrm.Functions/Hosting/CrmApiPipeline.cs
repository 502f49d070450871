using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Options;

namespace PecosCrm.Functions.Hosting;

/// <summary>
/// Functions mode's copy of the HTTP pipeline: the same <see cref="CrmHost.UseCrmApi"/> middleware and
/// endpoints standalone mode serves, built once over the app's services into a request delegate that
/// the catch-all <c>Api</c> function runs on each request's <see cref="HttpContext"/>.
/// </summary>
public sealed class CrmApiPipeline(IServiceProvider services)
{
    private readonly Lazy<RequestDelegate> _pipeline = new(() => Build(services));

    public Task RunAsync(HttpContext context) => _pipeline.Value(context);

    /// <summary>
    /// <c>UseEndpoints</c> adds each of the pipeline's endpoint sources (one per route group, about 80)
    /// to the app-wide routing options, and once anything has read the app-wide endpoint list (the
    /// worker's own routing, OpenAPI), every addition rebuilds the whole list: quadratic, over a minute
    /// on the first request. So the pipeline registers its sources in routing services of its own,
    /// then adds them to the app-wide list once, as one source, for OpenAPI and link generation.
    /// </summary>
    private static RequestDelegate Build(IServiceProvider services)
    {
        var shared = services.GetRequiredService<IOptions<RouteOptions>>().Value;
        var routing = new ServiceCollection().AddRouting().BuildServiceProvider();
        var own = routing.GetRequiredService<IOptions<RouteOptions>>();
        foreach (var (name, type) in shared.ConstraintMap)
        {
            own.Value.ConstraintMap[name] = type;
        }
        var pipeline = new ApplicationBuilder(new OwnRouting(services, own)).UseCrmApi().Build();
        // Read only now, so it was not rebuilt while the sources were added.
        var endpoints = routing.GetRequiredService<EndpointDataSource>();
        new ApplicationBuilder(services).UseRouting().UseEndpoints(app => app.DataSources.Add(endpoints));
        return pipeline;
    }

    /// <summary>The app's services, but for the routing options the pipeline's endpoints are registered in.</summary>
    private sealed class OwnRouting(IServiceProvider services, IOptions<RouteOptions> routing) : IServiceProvider
    {
        public object? GetService(Type serviceType) => serviceType == typeof(IOptions<RouteOptions>) ? routing : services.GetService(serviceType);
    }
}
