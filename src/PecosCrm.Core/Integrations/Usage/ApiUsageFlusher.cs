using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace PecosCrm.Core.Integrations.Usage;

/// <summary>Adds the API usage counted in memory to the table on its interval, and a last time when the app stops.</summary>
public sealed class ApiUsageFlusher(ApiUsage usage, IOptions<ApiUsageOptions> options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.Value.FlushInterval, time, stoppingToken);
                await usage.FlushAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Azure.RequestFailedException)
            {
                // Storage is away: the counts of the slots not yet written were put back; the next interval writes them.
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await usage.FlushAsync(cancellationToken);
    }
}
