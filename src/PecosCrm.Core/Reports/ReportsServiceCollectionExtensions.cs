using Microsoft.Extensions.DependencyInjection;

namespace PecosCrm.Core.Reports;

public static class ReportsServiceCollectionExtensions
{
    /// <summary>The report builder: definitions, runs on the analytical copy, snapshots and scheduled emails.</summary>
    public static IServiceCollection AddReports(this IServiceCollection services)
    {
        services.AddSingleton<ReportStore>();
        services.AddSingleton<ReportRunner>();
        services.AddSingleton<ReportService>();
        services.AddSingleton<ReportSchedules>();
        return services;
    }
}
