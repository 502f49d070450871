using Azure.Storage.Blobs.Models;
using DuckDB.NET.Data;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Analytics;

/// <summary>
/// Runs DuckDB in-process over local copies of the analytical blobs. The copies are cached by ETag
/// in a temp folder (DuckDB's own Azure extension would be downloaded at run time, which nothing here
/// may rely on), refreshed before each query session, and replaced atomically so a running query
/// never sees half a file. Each session exposes three views: <c>orders</c>, <c>order_lines</c> and
/// <c>customers</c> (the customer-features file).
/// </summary>
public sealed class AnalyticsEngine(StorageAccount storage) : IDisposable
{
    private readonly SemaphoreSlim _sync = new(1, 1);
    private readonly string _cache = Path.Combine(Path.GetTempPath(), "pecoscrm-analytics", storage.Prefix.Length == 0 ? "default" : storage.Prefix, Guid.NewGuid().ToString("N")[..8]);

    /// <summary>Opens a DuckDB session over the current copy. Dispose it when done.</summary>
    public async Task<DuckDBConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        await SyncAsync(cancellationToken);
        var db = new DuckDBConnection("DataSource=:memory:");
        await db.OpenAsync(cancellationToken);
        using var command = db.CreateCommand();
        command.CommandText = View("orders", "orders", """
            order_id VARCHAR, customer_id VARCHAR, number VARCHAR, placed_at TIMESTAMP, status VARCHAR, currency VARCHAR,
            total_cents BIGINT, net_cents BIGINT, discount_cents BIGINT, coupon_code VARCHAR, channel VARCHAR, month VARCHAR
            """) + View("order_lines", "order_lines", """
            order_id VARCHAR, customer_id VARCHAR, placed_at TIMESTAMP, product_id VARCHAR, name VARCHAR, category VARCHAR,
            quantity INTEGER, unit_price_cents BIGINT, counted BOOLEAN, month VARCHAR
            """) + FileView("customers", CustomerFeatures.BlobName, CustomerFeatures.Columns);
        command.ExecuteNonQuery();
        return db;
    }

    /// <summary>A view over the folder's Parquet files, or an empty table of the same shape when there are none yet.</summary>
    private string View(string name, string folder, string columns)
    {
        var dir = Path.Combine(_cache, folder);
        return Directory.Exists(dir) && Directory.EnumerateFiles(dir, "*.parquet", SearchOption.AllDirectories).Any()
            ? $"CREATE VIEW {name} AS SELECT * FROM read_parquet('{Path.Combine(dir, "*", "*.parquet")}', hive_partitioning = true);"
            : $"CREATE TABLE {name} ({columns});";
    }

    /// <summary>A view over one Parquet file, or an empty table of the same shape when it does not exist yet.</summary>
    private string FileView(string name, string blobName, string columns)
    {
        var file = Path.Combine(_cache, blobName.Replace('/', Path.DirectorySeparatorChar));
        return File.Exists(file)
            ? $"CREATE VIEW {name} AS SELECT * FROM read_parquet('{file}');"
            : $"CREATE TABLE {name} ({columns});";
    }

    private async Task SyncAsync(CancellationToken cancellationToken)
    {
        await _sync.WaitAsync(cancellationToken);
        try
        {
            var container = storage.Container(StorageNames.Containers.Analytics);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, null, cancellationToken))
            {
                var local = Path.Combine(_cache, blob.Name.Replace('/', Path.DirectorySeparatorChar));
                seen.Add(local);
                var tag = local + ".etag";
                var etag = blob.Properties.ETag?.ToString() ?? "";
                if (File.Exists(local) && File.Exists(tag) && await File.ReadAllTextAsync(tag, cancellationToken) == etag)
                {
                    continue;
                }
                Directory.CreateDirectory(Path.GetDirectoryName(local)!);
                var partial = local + ".partial";
                await container.GetBlobClient(blob.Name).DownloadToAsync(partial, cancellationToken);
                File.Move(partial, local, overwrite: true);
                await File.WriteAllTextAsync(tag, etag, cancellationToken);
            }
            if (Directory.Exists(_cache))
            {
                foreach (var stale in Directory.EnumerateFiles(_cache, "*.parquet", SearchOption.AllDirectories).Where(f => !seen.Contains(f)).ToList())
                {
                    File.Delete(stale);
                }
            }
        }
        finally
        {
            _sync.Release();
        }
    }

    public void Dispose()
    {
        _sync.Dispose();
        if (Directory.Exists(_cache))
        {
            Directory.Delete(_cache, recursive: true);
        }
    }
}
