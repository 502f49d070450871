using Microsoft.Extensions.DependencyInjection;

namespace PecosCrm.Core.Tasks;

public static class StaffTaskServiceCollectionExtensions
{
    /// <summary>Staff tasks, their "my tasks" screens and reminders.</summary>
    public static IServiceCollection AddStaffTasks(this IServiceCollection services)
    {
        services.AddSingleton<StaffTaskStore>();
        services.AddSingleton<StaffTaskService>();
        services.AddSingleton<TaskReminders>();
        return services;
    }
}
