using Microsoft.Extensions.DependencyInjection;
using PecosCrm.Core.Integrations.Webhooks;

namespace PecosCrm.Core.Integrations.Connectors;

public static class ConnectorServiceCollectionExtensions
{
    /// <summary>The connector framework and its connectors (Mailchimp, Klaviyo, HubSpot).</summary>
    public static IServiceCollection AddConnectors(this IServiceCollection services)
    {
        services.AddOptions<ConnectorOptions>().BindConfiguration(ConnectorOptions.SectionName);
        services.AddOptions<MailchimpOptions>().BindConfiguration(MailchimpOptions.SectionName);
        services.AddOptions<KlaviyoOptions>().BindConfiguration(KlaviyoOptions.SectionName);
        services.AddOptions<HubSpotOptions>().BindConfiguration(HubSpotOptions.SectionName);
        services.AddSingleton<ConnectorStore>();
        services.AddSingleton<ConnectorChanges>();
        services.AddSingleton<IEventLogReader>(sp => sp.GetRequiredService<ConnectorChanges>());
        services.AddSingleton(sp => new ConnectorData(
            sp.GetRequiredService<Customers.CustomerStore>(), sp.GetRequiredService<Orders.OrderStore>(),
            sp.GetRequiredService<Segments.SegmentStore>(), sp.GetRequiredService<Audit.AuditLog>()));
        services.AddSingleton<IConnector, MailchimpConnector>();
        services.AddSingleton<IConnector, KlaviyoConnector>();
        services.AddSingleton<IConnector, HubSpotConnector>();
        services.AddSingleton<ConnectorSync>();
        return services;
    }
}
