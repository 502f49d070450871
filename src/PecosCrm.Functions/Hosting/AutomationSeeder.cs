using PecosCrm.Core.Automation;

namespace PecosCrm.Functions.Hosting;

/// <summary>
/// At start-up, creates (inactive) the pre-built automations that were never seeded. Registered
/// after <see cref="TemplateSeeder"/>: each is checked against the templates it sends.
/// </summary>
public sealed partial class AutomationSeeder(WorkflowStore workflows, WorkflowChecks checks, ILogger<AutomationSeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            var result = await PrebuiltAutomations.SeedAsync(workflows, checks, cancellationToken);
            if (result.Created > 0)
            {
                LogSeeded(logger, result.Created);
            }
            foreach (var (id, errors) in result.Refused)
            {
                LogRefused(logger, id, string.Join(", ", errors.Keys));
            }
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException or HttpRequestException or AggregateException)
        {
            LogFailed(logger, ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(1, LogLevel.Information, "{Count} pre-built automations seeded, inactive")]
    private static partial void LogSeeded(ILogger logger, int count);

    [LoggerMessage(2, LogLevel.Warning, "Pre-built automation {WorkflowId} not seeded: it fails validation at {Fields}; the next start tries again")]
    private static partial void LogRefused(ILogger logger, string workflowId, string fields);

    [LoggerMessage(3, LogLevel.Error, "Pre-built automations could not be seeded: storage unavailable; the next start tries again")]
    private static partial void LogFailed(ILogger logger, Exception ex);
}
