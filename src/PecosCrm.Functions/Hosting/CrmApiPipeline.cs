using Microsoft.AspNetCore.Builder;

namespace PecosCrm.Functions.Hosting;

/// <summary>
/// Functions mode's copy of the HTTP pipeline: the same <see cref="CrmHost.UseCrmApi"/> middleware and
/// endpoints standalone mode serves, built once over the app's services into a request delegate that
/// the catch-all <c>Api</c> function runs on each request's <see cref="HttpContext"/>.
/// </summary>
public sealed class CrmApiPipeline(IServiceProvider services)
{
    private readonly Lazy<RequestDelegate> _pipeline = new(() => new ApplicationBuilder(services).UseCrmApi().Build());

    public Task RunAsync(HttpContext context) => _pipeline.Value(context);
}
