using Microsoft.Extensions.Hosting;

namespace PecosCrm.Core.Audit;

/// <summary>Writes the buffered read entries of <see cref="AuditReads"/> on their interval, and a last time when the app stops.</summary>
public sealed class AuditReadFlusher(AuditReads reads) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await reads.WaitForFlushAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            await reads.FlushAsync(stoppingToken);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await reads.FlushAsync(cancellationToken);
    }
}
