using PecosCrm.Core.Messaging.Templates;

namespace PecosCrm.Functions.Hosting;

/// <summary>At start-up, creates the default email templates that were never seeded.</summary>
public sealed partial class TemplateSeeder(TemplateService templates, TemplateStore store, ILogger<TemplateSeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (await DefaultTemplates.SeedAsync(templates, store, cancellationToken) is > 0 and var created)
            {
                LogSeeded(logger, created);
            }
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException or HttpRequestException or AggregateException)
        {
            LogFailed(logger, ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(1, LogLevel.Information, "{Count} default email templates seeded")]
    private static partial void LogSeeded(ILogger logger, int count);

    [LoggerMessage(2, LogLevel.Error, "Default email templates could not be seeded: storage unavailable; the next start tries again")]
    private static partial void LogFailed(ILogger logger, Exception ex);
}
