using PecosCrm.Core.Access;

namespace PecosCrm.Functions.Hosting;

/// <summary>
/// At start-up, when <c>PECOSCRM_BOOTSTRAP_ADMIN_KEY</c> is set and no admin key exists yet, makes
/// its value the first admin key, so scripts and CI can reach a fresh deployment.
/// </summary>
public sealed partial class AdminBootstrap(ApiKeyStore keys, IConfiguration configuration, ILogger<AdminBootstrap> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (configuration[ApiKeyStore.BootstrapVariable] is not { Length: > 0 } secret)
        {
            return;
        }
        try
        {
            if (await keys.BootstrapAdminAsync(secret, cancellationToken))
            {
                LogCreated(logger);
            }
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException or HttpRequestException or AggregateException)
        {
            LogFailed(logger, ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(1, LogLevel.Information, "Bootstrap admin key registered")]
    private static partial void LogCreated(ILogger logger);

    [LoggerMessage(2, LogLevel.Error, "Bootstrap admin key could not be registered: storage unavailable")]
    private static partial void LogFailed(ILogger logger, Exception ex);
}
