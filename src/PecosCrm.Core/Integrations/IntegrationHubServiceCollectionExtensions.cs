using Microsoft.Extensions.DependencyInjection;
using PecosCrm.Core.Integrations.Connectors;
using PecosCrm.Core.Integrations.Usage;
using PecosCrm.Core.Integrations.Webhooks;

namespace PecosCrm.Core.Integrations;

public static class IntegrationHubServiceCollectionExtensions
{
    /// <summary>The integration hub: outward webhooks, API usage, connectors, reports and ad audiences.</summary>
    public static IServiceCollection AddIntegrationHub(this IServiceCollection services)
    {
        services.AddWebhooks();
        services.AddApiUsage();
        services.AddConnectors();
        services.AddSingleton<Audiences.AdAudiences>();
        services.AddOptions<Audiences.AdAudienceOptions>().BindConfiguration(Audiences.AdAudienceOptions.SectionName);
        services.AddSingleton<Audiences.AdAudienceJobs>();
        return services;
    }
}
