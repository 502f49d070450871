using Microsoft.Extensions.DependencyInjection;

namespace PecosCrm.Core.Predictive;

public static class PredictiveServiceCollectionExtensions
{
    /// <summary>The predictive models: the nightly fit, its files, and what reads them.</summary>
    public static IServiceCollection AddPredictive(this IServiceCollection services)
    {
        services.AddOptions<PredictiveOptions>().BindConfiguration(PredictiveOptions.SectionName);
        services.AddSingleton<PredictionFiles>();
        services.AddSingleton<PredictiveFitter>();
        services.AddSingleton<CustomerPredictions>();
        services.AddSingleton<Recommendations>();
        return services;
    }
}
