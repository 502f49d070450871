using Microsoft.Extensions.DependencyInjection;
using PecosCrm.Core.Events;

namespace PecosCrm.Core.Integrations.Webhooks;

public static class WebhookServiceCollectionExtensions
{
    /// <summary>Outward webhooks: subscriptions, the publisher other features call, delivery, and the processor's store events.</summary>
    public static IServiceCollection AddWebhooks(this IServiceCollection services)
    {
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.SectionName);
        services.AddSingleton<WebhookSubscriptions>();
        services.AddSingleton<WebhookEventLog>();
        services.AddSingleton<WebhookHolds>();
        services.AddSingleton<WebhookDeliveryLog>();
        services.AddSingleton<WebhookSender>();
        services.AddSingleton<WebhookAlerts>();
        services.AddSingleton<WebhookPublisher>();
        services.AddSingleton<WebhookDispatcher>();
        services.AddSingleton<IAppliedBatchObserver, StoreEventWebhooks>();
        services.AddSingleton<Support.ITicketEventObserver, TicketWebhooks>();
        services.AddSingleton<Loyalty.ILoyaltyEventSink, LoyaltyWebhooks>();
        return services;
    }
}
