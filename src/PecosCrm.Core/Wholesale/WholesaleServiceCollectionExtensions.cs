using Microsoft.Extensions.DependencyInjection;

namespace PecosCrm.Core.Wholesale;

public static class WholesaleServiceCollectionExtensions
{
    /// <summary>Wholesale accounts, prices, orders and tax certificates (settings in section <c>Wholesale</c>).</summary>
    public static IServiceCollection AddWholesale(this IServiceCollection services)
    {
        services.AddOptions<WholesaleOptions>().BindConfiguration(WholesaleOptions.SectionName);
        services.AddSingleton<WholesaleStore>();
        services.AddSingleton<WholesaleAccountService>();
        services.AddSingleton<WholesaleOrders>();
        services.AddSingleton<TaxCertificates>();
        return services;
    }
}
