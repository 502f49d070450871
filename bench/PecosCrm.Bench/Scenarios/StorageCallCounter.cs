using System.Collections.Concurrent;
using System.Diagnostics;

namespace PecosCrm.Bench.Scenarios;

/// <summary>
/// Counts the HTTP requests that reach storage from this process, by what caused them: a bench
/// call to the app (named with <see cref="Cause"/>), or work with no request behind it, the queue
/// poller's. It listens to the activities HttpClient and ASP.NET Core start, so it needs no hook in
/// the app and counts every round trip, retries included, as the code is now. A request to the app
/// carries its caller's trace id, which is how its storage calls are traced back to the bench call.
/// The bench's own storage calls go inside <see cref="Bench"/> activities and are not counted.
/// Each call is also tallied by its kind (a point read, a query, a queue receive, ...) and by the
/// table or queue it went to (<see cref="Classify"/>), so a figure per step can say what the calls were.
/// </summary>
public sealed class StorageCallCounter : IDisposable
{
    public const string Background = "background";
    public const string OtherRequests = "other requests";

    private static readonly ActivitySource BenchSource = new("PecosCrm.Bench");
    private static readonly ConcurrentDictionary<ActivityTraceId, string> Causes = new();

    private readonly ActivityListener _listener;
    private readonly IReadOnlySet<int> _storagePorts;
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _kinds = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _targets = new(StringComparer.Ordinal);

    public StorageCallCounter(IEnumerable<int> storagePorts)
    {
        _storagePorts = storagePorts.ToHashSet();
        // The bench's source must exist before the listener is added: created lazily from inside
        // AddActivityListener, it would be born while the listener is still being registered and
        // never hear of it.
        var bench = BenchSource;
        _listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is "System.Net.Http" or "Microsoft.AspNetCore" || s == bench,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = Stopped,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>Wraps the bench's own calls to storage, which would otherwise count as background work.</summary>
    public static Activity? Bench() => BenchSource.StartActivity("bench");

    /// <summary>
    /// Names the cause of the storage calls the app makes for the bench's next request; dispose it
    /// when the response is in. Does nothing while no counter listens.
    /// </summary>
    public static IDisposable? Cause(string cause)
    {
        var activity = BenchSource.StartActivity(cause, ActivityKind.Client);
        if (activity is not null)
        {
            Causes[activity.TraceId] = cause;
        }
        return activity;
    }

    /// <summary>The counts so far, by cause.</summary>
    public IReadOnlyDictionary<string, long> Snapshot() => new Dictionary<string, long>(_counts, StringComparer.Ordinal);

    /// <summary>The counts so far by kind of call (<see cref="Classify"/>), whatever their cause.</summary>
    public IReadOnlyDictionary<string, long> SnapshotKinds() => new Dictionary<string, long>(_kinds, StringComparer.Ordinal);

    /// <summary>The counts so far by table, queue or container (<see cref="Classify"/>), whatever their cause.</summary>
    public IReadOnlyDictionary<string, long> SnapshotTargets() => new Dictionary<string, long>(_targets, StringComparer.Ordinal);

    /// <summary>What was counted between two snapshots.</summary>
    public static IReadOnlyDictionary<string, long> Between(IReadOnlyDictionary<string, long> before, IReadOnlyDictionary<string, long> after) =>
        after.ToDictionary(p => p.Key, p => p.Value - before.GetValueOrDefault(p.Key), StringComparer.Ordinal);

    public void Dispose()
    {
        _listener.Dispose();
        Causes.Clear();
    }

    private void Stopped(Activity activity)
    {
        if (activity.Source.Name != "System.Net.Http" || !IsStorage(activity))
        {
            return;
        }
        var root = activity;
        while (root.Parent is { } parent)
        {
            root = parent;
        }
        if (root.Source == BenchSource)
        {
            return;
        }
        var cause = root == activity ? Background : Causes.GetValueOrDefault(activity.TraceId, OtherRequests);
        _counts.AddOrUpdate(cause, 1, (_, n) => n + 1);
        var (kind, target) = Classify(activity);
        _kinds.AddOrUpdate(kind, 1, (_, n) => n + 1);
        _targets.AddOrUpdate(target, 1, (_, n) => n + 1);
    }

    /// <summary>
    /// What a storage call was, from its method and path (the query string is redacted in the
    /// activity): its kind, <c>table point read</c> (a GET of one entity), <c>table query</c>,
    /// <c>table write</c> (insert, upsert, update or delete of one entity), <c>table batch</c> (an entity
    /// group transaction), <c>queue send</c>, <c>queue receive</c>, <c>queue delete</c>, <c>queue update</c>
    /// or <c>other</c> (blob leases, queue properties, ...); and its target, the table, the queue (as
    /// <c>queue name</c>) or the container, except for a batch, whose table is named only in its body.
    /// </summary>
    public static (string Kind, string Target) Classify(Activity activity)
    {
        if (activity.GetTagItem("url.full") is not string url || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return ("other", "unknown");
        }
        var method = activity.GetTagItem("http.request.method") as string;
        var path = uri.AbsolutePath;
        // Path-style addressing, as Azurite's: /{account}/{table, queue or container}/...
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var name = parts.Length > 1 ? parts[1].Split('(')[0] : "unknown";
        if (parts is [_, _, "messages", ..])
        {
            var verb = method switch { "POST" => "queue send", "GET" => "queue receive", "DELETE" => "queue delete", "PUT" => "queue update", _ => "other" };
            return (verb, "queue " + name);
        }
        if (name == "$batch")
        {
            return ("table batch", "batches (table in the body)");
        }
        var kind = (method, entity: path.Contains("(PartitionKey=", StringComparison.Ordinal)) switch
        {
            ("GET", true) => "table point read",
            // The Tables SDK queries an entity set as /{table}().
            ("GET", false) when path.EndsWith("()", StringComparison.Ordinal) => "table query",
            ("PUT" or "PATCH" or "MERGE" or "DELETE", true) => "table write",
            ("POST", false) when parts.Length == 2 && name != "Tables" => "table write",
            _ => "other",
        };
        return (kind, name);
    }

    private bool IsStorage(Activity activity) =>
        activity.GetTagItem("server.port") is int port ? _storagePorts.Contains(port)
        : activity.GetTagItem("url.full") is string url && Uri.TryCreate(url, UriKind.Absolute, out var uri) && _storagePorts.Contains(uri.Port);
}
