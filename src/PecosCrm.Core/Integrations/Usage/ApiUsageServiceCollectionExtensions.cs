using Microsoft.Extensions.DependencyInjection;

namespace PecosCrm.Core.Integrations.Usage;

public static class ApiUsageServiceCollectionExtensions
{
    public static IServiceCollection AddApiUsage(this IServiceCollection services)
    {
        services.AddOptions<ApiUsageOptions>().BindConfiguration(ApiUsageOptions.SectionName);
        services.AddSingleton<ApiUsage>();
        services.AddHostedService<ApiUsageFlusher>();
        return services;
    }
}
