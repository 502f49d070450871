using Microsoft.Extensions.DependencyInjection;

namespace PecosCrm.Core.Support;

public static class SupportServiceCollectionExtensions
{
    /// <summary>The support desk: tickets, SLA, escalations, canned responses, satisfaction, knowledge base.</summary>
    public static IServiceCollection AddSupport(this IServiceCollection services)
    {
        services.AddOptions<SupportOptions>().BindConfiguration(SupportOptions.SectionName);
        services.AddSingleton<TicketStore>();
        services.AddSingleton<Privacy.IPersonalData>(sp => sp.GetRequiredService<TicketStore>());
        services.AddSingleton<TicketSla>();
        services.AddSingleton<SupportSettings>();
        services.AddSingleton<TicketEvents>();
        services.AddSingleton<TicketLinks>();
        services.AddSingleton<TicketService>();
        services.AddSingleton<TicketConversation>();
        services.AddSingleton<CannedResponses>();
        services.AddSingleton<TicketSweep>();
        services.AddSingleton<Csat>();
        services.AddSingleton<TicketInbound>();
        services.AddSingleton<KbSearchIndex>();
        services.AddSingleton<KnowledgeBase>();
        services.AddSingleton<TicketArticles>();
        services.AddSingleton<ServiceAnalytics>();
        services.AddSingleton<Customers.CustomerSupport>();
        return services;
    }
}
