using System.Security.Cryptography;
using System.Text;
using Azure.Storage.Blobs.Models;
using DuckDB.NET.Data;
using Microsoft.Extensions.Logging;
using PecosCrm.Core.Predictive;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Analytics;

/// <summary>
/// Runs DuckDB in-process over the analytical copy, one session per version of the copy (a version
/// is the set of the copy's blob ETags), shared by every reader. A session loads the Parquet files
/// once into tables (<c>orders</c>, <c>order_lines</c>, <c>customers</c> with the purchase-fact
/// columns and the last fit's predictions, the RFM scores as <c>rfm_base</c>, and the product tables
/// recommendations read, <c>similar_products</c> and <c>popular_products</c>), so a query reads
/// memory, never the files.
/// <para>
/// Readers take the current session (<see cref="AcquireAsync"/>, <see cref="ReadAsync{T}"/>); each
/// gets a connection of its own, since one DuckDB connection must not be used by two threads at
/// once. Every <see cref="CheckInterval"/> a reader's visit starts a check of the blob list in the
/// background; a changed copy is loaded beside the current session, which keeps answering until
/// the new one is ready, and is closed when its last reader lets go. Only the very first reader of
/// the process waits for a load. The copy's own rebuild calls <see cref="RefreshAsync"/>, so a
/// rebuilt copy is what the next reader sees. The Parquet files are cached locally by ETag (DuckDB's
/// Azure extension would be downloaded at run time, which nothing here may rely on).
/// </para>
/// </summary>
public sealed partial class AnalyticsEngine(StorageAccount storage, TimeProvider time, ILogger<AnalyticsEngine> logger) : IDisposable
{
    /// <summary>How old the last look at the blob list may be before a reader starts another, in the background.</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(15);

    private const string OrderColumns = """
        order_id VARCHAR, customer_id VARCHAR, number VARCHAR, placed_at TIMESTAMP, status VARCHAR, currency VARCHAR,
        total_cents BIGINT, net_cents BIGINT, discount_cents BIGINT, coupon_code VARCHAR, channel VARCHAR, month VARCHAR
        """;

    private const string LineColumns = """
        order_id VARCHAR, customer_id VARCHAR, placed_at TIMESTAMP, product_id VARCHAR, name VARCHAR, category VARCHAR,
        quantity INTEGER, unit_price_cents BIGINT, counted BOOLEAN, month VARCHAR
        """;

    /// <summary>
    /// The purchase facts joined onto every features row, so a segment condition on them reads one
    /// row: the last counted purchase per category and per product (maps; lines without one are left
    /// out), the customer's counted orders, oldest first, as a list of (at, cents, coupon), and the
    /// last fit's predictions (<see cref="Predictive.PredictionFiles.CustomerColumns"/>). The
    /// index serves the one-customer reads (segment explain).
    /// </summary>
    private const string CustomersWithFacts = """
        CREATE TABLE customers AS
        WITH cat AS (
            SELECT customer_id, MAP(list(category ORDER BY category), list(last ORDER BY category)) AS category_last
            FROM (SELECT customer_id, category, max(placed_at) AS last FROM order_lines WHERE counted AND category IS NOT NULL GROUP BY customer_id, category)
            GROUP BY customer_id),
        product AS (
            SELECT customer_id, MAP(list(product_id ORDER BY product_id), list(last ORDER BY product_id)) AS product_last
            FROM (SELECT customer_id, product_id, max(placed_at) AS last FROM order_lines WHERE counted AND product_id IS NOT NULL GROUP BY customer_id, product_id)
            GROUP BY customer_id),
        counted AS (
            SELECT customer_id, list({'at': placed_at, 'cents': net_cents, 'coupon': coalesce(coupon_code, '') <> ''} ORDER BY placed_at) AS counted_orders
            FROM orders WHERE net_cents > 0 GROUP BY customer_id)
        SELECT c.*, cat.category_last, product.product_last, counted.counted_orders, p.* EXCLUDE (customer_id)
        FROM features c
        LEFT JOIN cat ON cat.customer_id = c.customer_id
        LEFT JOIN product ON product.customer_id = c.customer_id
        LEFT JOIN counted ON counted.customer_id = c.customer_id
        LEFT JOIN predictions p ON p.customer_id = c.customer_id;
        DROP TABLE features;
        DROP TABLE predictions;
        CREATE INDEX customers_by_id ON customers (customer_id);
        """;

    private readonly SemaphoreSlim _load = new(1, 1);
    private readonly Lock _backgroundSync = new();
    private readonly string _cache = Path.Combine(Path.GetTempPath(), "pecoscrm-analytics", storage.Prefix.Length == 0 ? "default" : storage.Prefix, Guid.NewGuid().ToString("N")[..8]);
    private AnalyticsSession? _current;
    private long _checkedAtTicks;
    private Task? _background;

    /// <summary>The session readers get now; null before the first load.</summary>
    public AnalyticsSession? Current => Volatile.Read(ref _current);

    /// <summary>
    /// A hold on the current version: a connection of its own and the session. Dispose it when done.
    /// Waits for a load only when no version is loaded yet.
    /// </summary>
    public async Task<AnalyticsReader> AcquireAsync(CancellationToken cancellationToken = default)
    {
        if (Current is null)
        {
            await RefreshAsync(cancellationToken);
        }
        else if (time.GetUtcNow().UtcTicks - Interlocked.Read(ref _checkedAtTicks) > CheckInterval.Ticks)
        {
            StartBackgroundCheck();
        }
        while (true)
        {
            var session = Current!;
            if (session.TryAcquire())
            {
                return new AnalyticsReader(session);
            }
            // Replaced and closed between the read and the acquire: the newer one is current now.
        }
    }

    /// <summary>Runs a read-only query on the current version, on a connection of its own.</summary>
    public async Task<T> ReadAsync<T>(Func<DuckDBConnection, T> read, CancellationToken cancellationToken = default)
    {
        using var reader = await AcquireAsync(cancellationToken);
        return read(reader.Connection);
    }

    /// <summary>
    /// Runs a read-only query on the version loaded now without waiting for a load or looking at the
    /// blob list (no storage call): for views that must stay one storage read, such as the 360 view.
    /// <paramref name="whenNone"/> when no version is loaded yet (the refresh timer loads one within a minute of start).
    /// </summary>
    public T ReadLoaded<T>(Func<DuckDBConnection, T> read, T whenNone)
    {
        while (Current is { } session)
        {
            if (session.TryAcquire())
            {
                using var reader = new AnalyticsReader(session);
                return read(reader.Connection);
            }
        }
        return whenNone;
    }

    /// <summary>
    /// A connection to the current version, for callers that run their own SQL on it (temporary
    /// tables of their own are fine: they belong to the connection). Disposing the connection
    /// releases the version. Read-only: the session's tables are shared.
    /// </summary>
    public async Task<DuckDBConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var reader = await AcquireAsync(cancellationToken);
        reader.Connection.Disposed += (_, _) => reader.Dispose();
        return reader.Connection;
    }

    /// <summary>
    /// Looks at the blob list and, when the copy changed since the current session was loaded, loads
    /// the new version and makes it current. Returns the current session.
    /// </summary>
    public async Task<AnalyticsSession> RefreshAsync(CancellationToken cancellationToken = default)
    {
        await _load.WaitAsync(cancellationToken);
        try
        {
            var blobs = await ListAsync(cancellationToken);
            var version = VersionOf(blobs);
            Interlocked.Exchange(ref _checkedAtTicks, time.GetUtcNow().UtcTicks);
            if (Current is { } current && current.Version == version)
            {
                return current;
            }
            await SyncAsync(blobs, cancellationToken);
            var started = time.GetTimestamp();
            var session = Load(version, blobs.Count == 0 ? null : blobs.Max(b => b.LastModified));
            LogLoaded(logger, version, time.GetElapsedTime(started).TotalMilliseconds);
            var previous = Interlocked.Exchange(ref _current, session);
            previous?.Release();
            return session;
        }
        finally
        {
            _load.Release();
        }
    }

    private void StartBackgroundCheck()
    {
        lock (_backgroundSync)
        {
            if (_background is { IsCompleted: false })
            {
                return;
            }
            Interlocked.Exchange(ref _checkedAtTicks, time.GetUtcNow().UtcTicks);
            _background = Task.Run(async () =>
            {
                try
                {
                    await RefreshAsync();
                }
                catch (Exception ex)
                {
                    // Readers keep the version they have; the next check tries again.
                    LogCheckFailed(logger, ex);
                }
            });
        }
    }

    private sealed record CopyBlob(string Name, string ETag, DateTimeOffset LastModified);

    private async Task<List<CopyBlob>> ListAsync(CancellationToken cancellationToken)
    {
        var container = storage.Container(StorageNames.Containers.Analytics);
        var blobs = new List<CopyBlob>();
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, null, cancellationToken))
        {
            if (blob.Name.EndsWith(".parquet", StringComparison.Ordinal))
            {
                blobs.Add(new CopyBlob(blob.Name, blob.Properties.ETag?.ToString() ?? "", blob.Properties.LastModified ?? DateTimeOffset.MinValue));
            }
        }
        return blobs;
    }

    private static string VersionOf(List<CopyBlob> blobs)
    {
        var text = new StringBuilder();
        foreach (var blob in blobs.OrderBy(b => b.Name, StringComparer.Ordinal))
        {
            text.Append(blob.Name).Append('=').Append(blob.ETag).Append('\n');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }

    /// <summary>Builds a session from the local files: every table loaded, facts joined, RFM scored.</summary>
    private AnalyticsSession Load(string version, DateTimeOffset? asOf)
    {
        var root = new DuckDBConnection("DataSource=:memory:");
        try
        {
            root.Open();
            AnalyticsSession.Execute(root,
                Table("orders", "orders", OrderColumns) + Table("order_lines", "order_lines", LineColumns) + FileTable("features", CustomerFeatures.BlobName, CustomerFeatures.Columns)
                + FileTable("predictions", PredictionFiles.CustomersBlob, PredictionFiles.CustomerColumns)
                + FileTable("similar_products", PredictionFiles.SimilarBlob, PredictionFiles.SimilarColumns)
                + FileTable("popular_products", PredictionFiles.PopularBlob, PredictionFiles.PopularColumns)
                + CustomersWithFacts + $"CREATE TABLE rfm_base AS {RfmAnalysis.ScoresSql};");
            return new AnalyticsSession(root, version, asOf, time.GetUtcNow());
        }
        catch
        {
            root.Dispose();
            throw;
        }
    }

    /// <summary>A table of the folder's Parquet files, or an empty table of the same shape when there are none yet.</summary>
    private string Table(string name, string folder, string columns)
    {
        var dir = Path.Combine(_cache, folder);
        return Directory.Exists(dir) && Directory.EnumerateFiles(dir, "*.parquet", SearchOption.AllDirectories).Any()
            ? $"CREATE TABLE {name} AS SELECT * FROM read_parquet('{Path.Combine(dir, "*", "*.parquet")}', hive_partitioning = true);"
            : $"CREATE TABLE {name} ({columns});";
    }

    /// <summary>A table of one Parquet file, or an empty table of the same shape when it does not exist yet.</summary>
    private string FileTable(string name, string blobName, string columns)
    {
        var file = Path.Combine(_cache, blobName.Replace('/', Path.DirectorySeparatorChar));
        return File.Exists(file)
            ? $"CREATE TABLE {name} AS SELECT * FROM read_parquet('{file}');"
            : $"CREATE TABLE {name} ({columns});";
    }

    /// <summary>Downloads the files whose ETag changed and deletes those no longer in the copy. Runs under the load lock.</summary>
    private async Task SyncAsync(List<CopyBlob> blobs, CancellationToken cancellationToken)
    {
        var container = storage.Container(StorageNames.Containers.Analytics);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var blob in blobs)
        {
            var local = Path.Combine(_cache, blob.Name.Replace('/', Path.DirectorySeparatorChar));
            seen.Add(local);
            var tag = local + ".etag";
            if (File.Exists(local) && File.Exists(tag) && await File.ReadAllTextAsync(tag, cancellationToken) == blob.ETag)
            {
                continue;
            }
            Directory.CreateDirectory(Path.GetDirectoryName(local)!);
            var partial = local + ".partial";
            await container.GetBlobClient(blob.Name).DownloadToAsync(partial, cancellationToken);
            File.Move(partial, local, overwrite: true);
            await File.WriteAllTextAsync(tag, blob.ETag, cancellationToken);
        }
        if (Directory.Exists(_cache))
        {
            foreach (var stale in Directory.EnumerateFiles(_cache, "*.parquet", SearchOption.AllDirectories).Where(f => !seen.Contains(f)).ToList())
            {
                File.Delete(stale);
            }
        }
    }

    public void Dispose()
    {
        Interlocked.Exchange(ref _current, null)?.Release();
        _load.Dispose();
        if (Directory.Exists(_cache))
        {
            Directory.Delete(_cache, recursive: true);
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Analytical copy: version {Version} loaded in {Milliseconds} ms")]
    private static partial void LogLoaded(ILogger logger, string version, double milliseconds);

    [LoggerMessage(2, LogLevel.Warning, "Analytical copy: the background check of the copy failed")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception);
}
