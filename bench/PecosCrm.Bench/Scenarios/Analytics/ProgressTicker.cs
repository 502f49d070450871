using System.Diagnostics;
using System.Globalization;

namespace PecosCrm.Bench.Scenarios.Analytics;

/// <summary>Prints how a long step is going every few seconds, until disposed.</summary>
internal sealed class ProgressTicker : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private ProgressTicker(TextWriter progress, string step, TimeSpan every, Func<CancellationToken, Task<string>> status)
    {
        var clock = Stopwatch.StartNew();
        _loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(every);
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token))
                {
                    var text = await status(_stop.Token);
                    progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {step}: {clock.Elapsed.TotalSeconds:F0} s, {text}"));
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    public static ProgressTicker Start(TextWriter progress, string step, Func<CancellationToken, Task<string>> status) =>
        new(progress, step, TimeSpan.FromSeconds(15), status);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
