using System.Diagnostics;

namespace PecosCrm.Bench.Scenarios;

/// <summary>Polls a condition, reporting its status every 10 s, until it holds or the time is up.</summary>
public static class Polling
{
    private static readonly TimeSpan ReportEvery = TimeSpan.FromSeconds(10);

    /// <summary>Returns the clock's time when the condition was first seen to hold.</summary>
    public static async Task<TimeSpan> UntilAsync(
        Stopwatch clock, TextWriter progress, TimeSpan interval, TimeSpan timeout, Func<CancellationToken, Task<(bool Done, string Status)>> check, CancellationToken cancellationToken)
    {
        var deadline = clock.Elapsed + timeout;
        var report = clock.Elapsed + ReportEvery;
        while (true)
        {
            var (done, status) = await check(cancellationToken);
            if (done)
            {
                return clock.Elapsed;
            }
            if (clock.Elapsed > deadline)
            {
                throw new TimeoutException($"Not done after {timeout.TotalMinutes:F0} minutes: {status}.");
            }
            if (clock.Elapsed > report)
            {
                progress.WriteLine($"  {clock.Elapsed.TotalSeconds,6:F0} s: {status}");
                report = clock.Elapsed + ReportEvery;
            }
            await Task.Delay(interval, cancellationToken);
        }
    }
}
