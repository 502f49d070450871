namespace PecosCrm.Bench.Scenarios;

/// <summary>
/// Samples this process's working set (bench and in-process app together; Azurite is a process of
/// its own) every 100 ms until stopped, and returns the highest.
/// </summary>
public sealed class PeakMemory
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task<long> _sampler;

    public PeakMemory() => _sampler = SampleAsync(_stop.Token);

    /// <summary>Stops sampling; returns the peak in bytes.</summary>
    public long Stop()
    {
        _stop.Cancel();
        var peak = _sampler.GetAwaiter().GetResult();
        _stop.Dispose();
        return peak;
    }

    private static async Task<long> SampleAsync(CancellationToken cancellationToken)
    {
        var peak = Environment.WorkingSet;
        try
        {
            while (true)
            {
                await Task.Delay(100, cancellationToken);
                peak = Math.Max(peak, Environment.WorkingSet);
            }
        }
        catch (OperationCanceledException)
        {
            return peak;
        }
    }
}
