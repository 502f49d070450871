using PecosCrm.Core.Automation;
using PecosCrm.Core.Messaging.Templates;
using PecosCrm.Core.Segments;
using PecosCrm.Core.Storage;

namespace PecosCrm.Functions.Hosting;

/// <summary>
/// At start-up, creates what the store starts with and was never seeded: the default email
/// templates, the pre-built segments, and the pre-built automations (inactive), in that order,
/// because each automation is checked against the templates it sends. Each is seeded once (a
/// marker row), so what staff edit or delete stays that way. When storage is down the app still
/// starts, and the next start seeds what is missing.
/// </summary>
public sealed partial class StartupSeeder(
    TemplateService templates, TemplateStore templateStore, SegmentService segments, StorageAccount storage, WorkflowStore workflows, WorkflowChecks checks,
    ILogger<StartupSeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await SeedAsync("default email templates", () => DefaultTemplates.SeedAsync(templates, templateStore, cancellationToken));
        await SeedAsync("pre-built segments", () => PrebuiltSegments.SeedAsync(segments, storage, cancellationToken));
        await SeedAsync("pre-built automations (inactive)", async () =>
        {
            var result = await PrebuiltAutomations.SeedAsync(workflows, checks, cancellationToken);
            foreach (var (id, errors) in result.Refused)
            {
                LogRefused(logger, id, string.Join(", ", errors.Keys));
            }
            return result.Created;
        });
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task SeedAsync(string what, Func<Task<int>> seed)
    {
        try
        {
            if (await seed() is > 0 and var created)
            {
                LogSeeded(logger, created, what);
            }
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException or HttpRequestException or AggregateException)
        {
            LogFailed(logger, what, ex);
        }
    }

    [LoggerMessage(1, LogLevel.Information, "{Count} {What} seeded")]
    private static partial void LogSeeded(ILogger logger, int count, string what);

    [LoggerMessage(2, LogLevel.Warning, "Pre-built automation {WorkflowId} not seeded: it fails validation at {Fields}; the next start tries again")]
    private static partial void LogRefused(ILogger logger, string workflowId, string fields);

    [LoggerMessage(3, LogLevel.Error, "The {What} could not be seeded: storage unavailable; the next start tries again")]
    private static partial void LogFailed(ILogger logger, string what, Exception ex);
}
