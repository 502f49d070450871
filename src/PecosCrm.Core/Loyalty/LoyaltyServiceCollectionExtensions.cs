using Microsoft.Extensions.DependencyInjection;
using PecosCrm.Core.Automation;

namespace PecosCrm.Core.Loyalty;

public static class LoyaltyServiceCollectionExtensions
{
    /// <summary>The loyalty programme: ledger, catalogue, redemptions, referrals, the nightly pass, and the sinks that hear the ledger.</summary>
    public static IServiceCollection AddLoyalty(this IServiceCollection services)
    {
        services.AddOptions<LoyaltyOptions>().BindConfiguration(LoyaltyOptions.SectionName);
        services.AddSingleton<CatalogueStore>();
        services.AddSingleton<LoyaltyEvents>();
        services.AddSingleton<LoyaltyFold>();
        services.AddSingleton<PointsLedger>();
        services.AddSingleton<Redemptions>();
        services.AddSingleton<Referrals>();
        services.AddSingleton<LoyaltyNightly>();
        services.AddSingleton<LoyaltyTriggers>();
        services.AddSingleton<ILoyaltyEventSink>(sp => sp.GetRequiredService<Referrals>());
        services.AddSingleton<ILoyaltyEventSink>(sp => sp.GetRequiredService<LoyaltyTriggers>());
        return services;
    }
}
