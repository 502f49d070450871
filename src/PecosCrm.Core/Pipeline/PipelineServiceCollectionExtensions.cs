using Microsoft.Extensions.DependencyInjection;

namespace PecosCrm.Core.Pipeline;

public static class PipelineServiceCollectionExtensions
{
    /// <summary>Leads, deals, the board, conversion and the pipeline settings.</summary>
    public static IServiceCollection AddPipeline(this IServiceCollection services)
    {
        services.AddSingleton<PipelineSettings>();
        services.AddSingleton<LeadStore>();
        services.AddSingleton<DealStore>();
        services.AddSingleton<LeadConversion>();
        return services;
    }
}
