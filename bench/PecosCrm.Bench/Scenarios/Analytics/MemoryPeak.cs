using System.Diagnostics;
using System.Globalization;

namespace PecosCrm.Bench.Scenarios.Analytics;

/// <summary>
/// The highest memory the bench process reached during one step, sampled every 50 ms on a timer:
/// its working set (which holds DuckDB's and SQLite's native memory, and the in-process app's) and
/// its managed heap. Azurite is another process; its resident size is sampled beside, when known.
/// </summary>
public sealed class MemoryPeak : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    private readonly Process _self = Process.GetCurrentProcess();
    private readonly int? _azuritePid;
    private readonly Timer _timer;
    private readonly long _startWorkingSet;
    private long _peakWorkingSet;
    private long _peakHeap;
    private long _peakAzurite;
    private int _sampling;

    private MemoryPeak(int? azuritePid)
    {
        _azuritePid = azuritePid;
        _startWorkingSet = WorkingSet();
        Sample(null);
        _timer = new Timer(Sample, null, Interval, Interval);
    }

    /// <summary>
    /// Collects garbage first, so the step starts from what is really live, then samples until
    /// <see cref="Stop"/>. <paramref name="azuritePid"/> is Azurite's node process, if known.
    /// </summary>
    public static MemoryPeak Start(int? azuritePid)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return new MemoryPeak(azuritePid);
    }

    public MemoryReading Stop()
    {
        _timer.Dispose();
        Sample(null);
        return new MemoryReading(_startWorkingSet, Interlocked.Read(ref _peakWorkingSet), Interlocked.Read(ref _peakHeap),
            _azuritePid is null ? null : Interlocked.Read(ref _peakAzurite));
    }

    public void Dispose()
    {
        _timer.Dispose();
        _self.Dispose();
    }

    private long WorkingSet()
    {
        _self.Refresh();
        return _self.WorkingSet64;
    }

    private void Sample(object? state)
    {
        // A slow sample (a busy machine) must not pile up callbacks behind it.
        if (Interlocked.Exchange(ref _sampling, 1) == 1)
        {
            return;
        }
        try
        {
            Raise(ref _peakWorkingSet, WorkingSet());
            Raise(ref _peakHeap, GC.GetTotalMemory(false));
            if (_azuritePid is { } pid)
            {
                Raise(ref _peakAzurite, ResidentBytes(pid));
            }
        }
        finally
        {
            Volatile.Write(ref _sampling, 0);
        }
    }

    private static void Raise(ref long peak, long value)
    {
        var seen = Interlocked.Read(ref peak);
        while (value > seen)
        {
            var before = Interlocked.CompareExchange(ref peak, value, seen);
            if (before == seen)
            {
                return;
            }
            seen = before;
        }
    }

    /// <summary>VmRSS of another process from /proc, 0 when it cannot be read.</summary>
    public static long ResidentBytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return 0;
    }

    /// <summary>
    /// The Azurite (node) process this one started, found among its children in /proc: the
    /// AzuriteProcess class shared with the tests does not hand out its process.
    /// </summary>
    public static int? FindAzurite()
    {
        var self = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var name = Path.GetFileName(dir);
            if (!name.All(char.IsAsciiDigit))
            {
                continue;
            }
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var close = stat.LastIndexOf(')');
                var command = stat[(stat.IndexOf('(') + 1)..close];
                var parent = stat[(close + 2)..].Split(' ')[1];
                if (parent == self && command == "node")
                {
                    return int.Parse(name, CultureInfo.InvariantCulture);
                }
            }
            catch (IOException)
            {
            }
        }
        return null;
    }
}

/// <summary>Peak memory of one step, in bytes.</summary>
public sealed record MemoryReading(long StartWorkingSet, long PeakWorkingSet, long PeakManagedHeap, long? PeakAzurite)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"peak memory {Mib(PeakWorkingSet)} MiB working set ({Mib(StartWorkingSet)} at start), {Mib(PeakManagedHeap)} MiB managed heap")
        + (PeakAzurite is > 0 ? string.Create(CultureInfo.InvariantCulture, $"; Azurite {Mib(PeakAzurite.Value)} MiB") : "");

    private static string Mib(long bytes) => (bytes / 1024.0 / 1024.0).ToString("N0", CultureInfo.InvariantCulture);
}
