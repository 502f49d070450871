using System.Collections.Concurrent;
using System.Diagnostics;

namespace PecosCrm.IntegrationTests.Messaging;

/// <summary>
/// Records the storage requests one piece of app code makes: the code runs inside <see cref="Trace"/>,
/// and every HTTP request that carries that trace (the Azure SDK's requests to Azurite do, through
/// HttpClient's own activities) is kept with its method and its unescaped path and query. Requests of
/// other tests running at the same time belong to other traces and are not counted.
/// </summary>
public sealed class StorageCallRecorder : IDisposable
{
    private static readonly ActivitySource Source = new("PecosCrm.IntegrationTests.StorageCalls");

    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<(ActivityTraceId Trace, string Method, string Target)> _calls = new();

    public StorageCallRecorder()
    {
        var source = Source;
        _listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "System.Net.Http" || s == source,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = Stopped,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>Runs <paramref name="action"/> in a trace of its own and returns the storage requests it made, as <c>GET /table(...)</c>.</summary>
    public async Task<IReadOnlyList<string>> Trace(Func<Task> action)
    {
        ActivityTraceId trace;
        using (var activity = Source.StartActivity("counted", ActivityKind.Internal, parentContext: default)
            ?? throw new InvalidOperationException("The recorder's source has no listener."))
        {
            trace = activity.TraceId;
            await action();
        }
        return _calls.Where(c => c.Trace == trace).Select(c => $"{c.Method} {c.Target}").ToList();
    }

    private void Stopped(Activity activity)
    {
        if (activity.Source.Name == "System.Net.Http" && activity.GetTagItem("url.full") is string url)
        {
            var uri = new Uri(url);
            _calls.Enqueue((activity.TraceId, activity.GetTagItem("http.request.method") as string ?? "?", Uri.UnescapeDataString(uri.AbsolutePath + uri.Query)));
        }
    }

    public void Dispose() => _listener.Dispose();
}
