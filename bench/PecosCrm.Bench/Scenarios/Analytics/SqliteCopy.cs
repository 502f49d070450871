using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;
using Microsoft.Data.Sqlite;
using PecosCrm.Core.Analytics;
using PecosCrm.Core.Storage;

namespace PecosCrm.Bench.Scenarios.Analytics;

/// <summary>How long the SQLite copy took to make, and what it holds.</summary>
public sealed record SqliteLoad(long Orders, long Lines, long Customers, TimeSpan Insert, TimeSpan Indexes, long FileBytes)
{
    public TimeSpan Total => Insert + Indexes;
}

/// <summary>
/// The same orders in SQLite, the engine a user would otherwise reach for, with the app's analytics
/// queries rewritten for it. It is loaded from the app's analytical copy (the Parquet files, read
/// with DuckDB), so both engines see exactly the same rows. The schema is what someone would design
/// for these queries: times as integer microseconds since 1970 (DuckDB's TIMESTAMP resolution), a
/// month number beside each order (DuckDB's files carry their month too), a customers table
/// derived from the orders, and covering indexes for the grouping and the segment conditions.
/// </summary>
public sealed class SqliteCopy : IDisposable
{
    private const string Scores = """
        c AS (
            SELECT customer_id, max(placed_at) AS last_order, count(*) AS orders, sum(net_cents) AS spend
            FROM orders WHERE net_cents > 0 GROUP BY customer_id),
        n AS (SELECT count(*) AS total FROM c),
        s AS (
            SELECT customer_id, spend,
                1 + (5 * (rank() OVER (ORDER BY last_order) - 1)) / n.total AS r,
                1 + (5 * (rank() OVER (ORDER BY orders) - 1)) / n.total AS f,
                1 + (5 * (rank() OVER (ORDER BY spend) - 1)) / n.total AS m
            FROM c, n)
        """;

    private readonly SqliteConnection _db;
    private readonly string _path;

    private SqliteCopy(SqliteConnection db, string path)
    {
        _db = db;
        _path = path;
    }

    /// <summary>
    /// Copies the analytical copy's Parquet files from Blob Storage into <paramref name="folder"/>, then
    /// loads them into a new SQLite file there. The download is not part of the load time.
    /// </summary>
    public static async Task<(SqliteCopy Copy, SqliteLoad Load)> LoadAsync(StorageAccount storage, string folder, TextWriter progress, CancellationToken cancellationToken)
    {
        var parquet = Path.Combine(folder, "parquet");
        var container = storage.Container(StorageNames.Containers.Analytics);
        await foreach (var blob in container.GetBlobsAsync(cancellationToken: cancellationToken))
        {
            var local = Path.Combine(parquet, blob.Name.Replace('/', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(Path.GetDirectoryName(local)!);
            await container.GetBlobClient(blob.Name).DownloadToAsync(local, cancellationToken);
        }

        var path = Path.Combine(folder, "orders.db");
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        db.Open();
        var copy = new SqliteCopy(db, path);
        try
        {
            var clock = Stopwatch.StartNew();
            copy.Execute("""
                PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA temp_store = MEMORY;
                PRAGMA cache_size = -65536; PRAGMA mmap_size = 268435456;
                CREATE TABLE orders (order_id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, placed_at INTEGER NOT NULL, month INTEGER NOT NULL,
                    status TEXT NOT NULL, total_cents INTEGER NOT NULL, net_cents INTEGER NOT NULL, discount_cents INTEGER NOT NULL, coupon_code TEXT, channel TEXT);
                CREATE TABLE order_lines (order_id TEXT NOT NULL, customer_id TEXT NOT NULL, placed_at INTEGER NOT NULL, product_id TEXT NOT NULL,
                    category TEXT, quantity INTEGER NOT NULL, unit_price_cents INTEGER NOT NULL, counted INTEGER NOT NULL);
                CREATE TABLE rfm_map (code TEXT PRIMARY KEY, name TEXT NOT NULL);
                """);
            long orders;
            long lines;
            using (var transaction = db.BeginTransaction())
            {
                orders = CopyRows(db, parquet, "orders", "order_id, customer_id, placed_at, status, total_cents, net_cents, discount_cents, coupon_code, channel",
                    "orders", 10, r => [r.GetString(0), r.GetString(1), Micros(r.GetDateTime(2)), MonthNumber(r.GetDateTime(2)),
                        r.GetString(3), r.GetInt64(4), r.GetInt64(5), r.GetInt64(6), r.IsDBNull(7) ? null : r.GetString(7), r.IsDBNull(8) ? null : r.GetString(8)]);
                progress.WriteLine($"  SQLite: {orders:N0} orders in {clock.Elapsed.TotalSeconds:F1} s");
                lines = CopyRows(db, parquet, "order_lines", "order_id, customer_id, placed_at, product_id, category, quantity, unit_price_cents, counted",
                    "order_lines", 8, r => [r.GetString(0), r.GetString(1), Micros(r.GetDateTime(2)), r.GetString(3),
                        r.IsDBNull(4) ? null : r.GetString(4), r.GetInt32(5), r.GetInt64(6), r.GetBoolean(7) ? 1 : 0]);
                progress.WriteLine($"  SQLite: {lines:N0} order lines in {clock.Elapsed.TotalSeconds:F1} s");
                using (var insert = db.CreateCommand())
                {
                    insert.CommandText = "INSERT INTO rfm_map VALUES ($code, $name)";
                    var code = insert.Parameters.Add("$code", SqliteType.Text);
                    var name = insert.Parameters.Add("$name", SqliteType.Text);
                    foreach (var (c, n) in RfmMap.Default)
                    {
                        code.Value = c;
                        name.Value = n;
                        insert.ExecuteNonQuery();
                    }
                }
                // The customer features a segment condition needs, from the same orders (as the metrics rows are).
                copy.Execute("""
                    CREATE TABLE customers (customer_id TEXT PRIMARY KEY, ltv_cents INTEGER NOT NULL, orders INTEGER NOT NULL,
                        first_order_at INTEGER NOT NULL, last_order_at INTEGER NOT NULL);
                    INSERT INTO customers SELECT customer_id, sum(net_cents), count(*), min(placed_at), max(placed_at)
                        FROM orders WHERE net_cents > 0 GROUP BY customer_id;
                    """);
                transaction.Commit();
            }
            var inserted = clock.Elapsed;
            copy.Execute("""
                CREATE INDEX orders_by_customer ON orders (customer_id, net_cents, placed_at, month);
                CREATE INDEX lines_by_customer ON order_lines (customer_id, category, placed_at, counted);
                CREATE INDEX customers_by_last_order ON customers (last_order_at, ltv_cents);
                ANALYZE;
                """);
            var customers = Convert.ToInt64(copy.Scalar("SELECT count(*) FROM customers"), CultureInfo.InvariantCulture);
            return (copy, new SqliteLoad(orders, lines, customers, inserted, clock.Elapsed - inserted, new FileInfo(path).Length));
        }
        catch
        {
            copy.Dispose();
            throw;
        }
    }

    /// <summary><see cref="RfmAnalysis.GetGridAsync"/>'s two queries: the (R, F) cells and the named segments.</summary>
    public RfmGrid Rfm()
    {
        var cells = new List<RfmCell>();
        using (var command = _db.CreateCommand())
        {
            command.CommandText = $"WITH {Scores} SELECT r, f, count(*), sum(spend), avg(m) FROM s GROUP BY r, f ORDER BY r DESC, f DESC";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                cells.Add(new RfmCell(reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt64(3), Math.Round(reader.GetDouble(4), 2)));
            }
        }
        var segments = new List<RfmSegmentSummary>();
        using (var command = _db.CreateCommand())
        {
            command.CommandText = $"""
                WITH {Scores}
                SELECT map.name, count(*), sum(spend), avg(r), avg(f), avg(m)
                FROM s JOIN rfm_map map ON map.code = r || f || m
                GROUP BY map.name ORDER BY 3 DESC, 1
                """;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                segments.Add(new RfmSegmentSummary(reader.GetString(0), reader.GetInt32(1), reader.GetInt64(2),
                    Math.Round(reader.GetDouble(3), 2), Math.Round(reader.GetDouble(4), 2), Math.Round(reader.GetDouble(5), 2)));
            }
        }
        // Named by the built-in map, which is version 1 of the app's map store.
        return new RfmGrid(cells.Sum(c => c.Customers), cells, segments, MapVersion: 1);
    }

    /// <summary><see cref="CohortAnalysis.GetAsync"/>: its query in SQLite, then the same shaping into cohorts.</summary>
    public IReadOnlyList<Cohort> Cohorts(DateOnly first, DateOnly last, DateTimeOffset now)
    {
        var rows = new List<(int Cohort, long Size, int? K, long Active, long Revenue)>();
        using (var command = _db.CreateCommand())
        {
            command.CommandText = """
                WITH o AS (SELECT customer_id, month, net_cents FROM orders WHERE net_cents > 0),
                f AS (SELECT customer_id, min(month) AS cohort FROM o GROUP BY customer_id),
                s AS (SELECT cohort, count(*) AS size FROM f WHERE cohort BETWEEN $first AND $last GROUP BY cohort),
                a AS (
                    SELECT f.cohort, o.month - f.cohort AS k, count(DISTINCT o.customer_id) AS active, sum(o.net_cents) AS revenue
                    FROM o JOIN f USING (customer_id) GROUP BY 1, 2)
                SELECT s.cohort, s.size, a.k, coalesce(a.active, 0), coalesce(a.revenue, 0)
                FROM s LEFT JOIN a USING (cohort) ORDER BY 1, 3
                """;
            command.Parameters.AddWithValue("$first", first.Year * 12 + first.Month - 1);
            command.Parameters.AddWithValue("$last", last.Year * 12 + last.Month - 1);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                rows.Add((reader.GetInt32(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetInt32(2), reader.GetInt64(3), reader.GetInt64(4)));
            }
        }
        var current = now.UtcDateTime.Year * 12 + now.UtcDateTime.Month - 1;
        var firstNumber = first.Year * 12 + first.Month - 1;
        return rows.GroupBy(r => r.Cohort).Select(g =>
        {
            var size = g.First().Size;
            var reached = current - g.Key;
            var retention = new double?[current - firstNumber + 1];
            var revenue = new long?[retention.Length];
            for (var k = 0; k < retention.Length; k++)
            {
                var row = g.FirstOrDefault(r => r.K == k);
                retention[k] = k > reached ? null : Math.Round((double)(row.K == k ? row.Active : 0) / size, 4);
                revenue[k] = k > reached ? null : (row.K == k ? row.Revenue : 0) / size;
            }
            return new Cohort(new DateOnly(g.Key / 12, g.Key % 12 + 1, 1).ToString("yyyy-MM", CultureInfo.InvariantCulture), (int)size, retention, revenue);
        }).ToList();
    }

    /// <summary>
    /// The three-condition segment: lifetime value over <paramref name="minLifetimeValueCents"/>, a
    /// counted order with a line in one of <paramref name="categories"/> in the last
    /// <paramref name="categoryDays"/> days, and the last order within <paramref name="lastOrderDays"/>
    /// days. Returns how many match and the ids of the first <paramref name="sampleSize"/> by lifetime
    /// value, highest first, then by id, as the app's preview samples them. With
    /// <paramref name="lastCustomerId"/>, only the customers up to that id are considered.
    /// </summary>
    public (long Count, IReadOnlyList<string> Sample) PreviewSegment(
        long minLifetimeValueCents, IReadOnlyList<string> categories, int categoryDays, int lastOrderDays, int sampleSize, DateTimeOffset now,
        string? lastCustomerId = null)
    {
        var names = categories.Select((_, i) => "$category" + i).ToList();
        var where = $"""
            FROM customers c
            WHERE c.ltv_cents > $ltv AND c.last_order_at >= $recent{(lastCustomerId is null ? "" : " AND c.customer_id <= $last")}
              AND EXISTS (SELECT 1 FROM order_lines l WHERE l.customer_id = c.customer_id AND l.category IN ({string.Join(", ", names)})
                          AND l.counted = 1 AND l.placed_at >= $since)
            """;
        void Bind(SqliteCommand command)
        {
            command.Parameters.AddWithValue("$ltv", minLifetimeValueCents);
            command.Parameters.AddWithValue("$recent", Micros(now.AddDays(-lastOrderDays).UtcDateTime));
            command.Parameters.AddWithValue("$since", Micros(now.AddDays(-categoryDays).UtcDateTime));
            if (lastCustomerId is not null)
            {
                command.Parameters.AddWithValue("$last", lastCustomerId);
            }
            for (var i = 0; i < categories.Count; i++)
            {
                command.Parameters.AddWithValue(names[i], categories[i]);
            }
        }
        long count;
        using (var command = _db.CreateCommand())
        {
            command.CommandText = "SELECT count(*) " + where;
            Bind(command);
            count = Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        }
        var sample = new List<string>();
        using (var command = _db.CreateCommand())
        {
            command.CommandText = $"SELECT c.customer_id {where} ORDER BY c.ltv_cents DESC, c.customer_id LIMIT {sampleSize}";
            Bind(command);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                sample.Add(reader.GetString(0));
            }
        }
        return (count, sample);
    }

    /// <summary>
    /// The same three conditions for one customer, each with the customer's value, as a segment
    /// explanation gives them: lifetime value, the categories bought in the window, the last order.
    /// </summary>
    public (bool Matches, long LifetimeValueCents, string? Categories, DateTime? LastOrderAt)? ExplainSegment(
        string customerId, long minLifetimeValueCents, IReadOnlyList<string> categories, int categoryDays, int lastOrderDays, DateTimeOffset now)
    {
        using var command = _db.CreateCommand();
        command.CommandText = """
            SELECT c.ltv_cents,
                (SELECT group_concat(category, ', ') FROM (SELECT DISTINCT l.category FROM order_lines l
                    WHERE l.customer_id = c.customer_id AND l.counted = 1 AND l.placed_at >= $since ORDER BY l.category)),
                c.last_order_at
            FROM customers c WHERE c.customer_id = $id
            """;
        command.Parameters.AddWithValue("$id", customerId);
        command.Parameters.AddWithValue("$since", Micros(now.AddDays(-categoryDays).UtcDateTime));
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }
        var ltv = reader.GetInt64(0);
        var bought = reader.IsDBNull(1) ? null : reader.GetString(1);
        long? last = reader.IsDBNull(2) ? null : reader.GetInt64(2);
        var recent = last is { } micros && micros >= Micros(now.AddDays(-lastOrderDays).UtcDateTime);
        var matches = ltv > minLifetimeValueCents && recent && bought is not null && bought.Split(", ").Intersect(categories).Any();
        return (matches, ltv, bought, last is { } m ? DateTime.UnixEpoch.AddTicks(m * 10) : null);
    }

    public void Dispose()
    {
        _db.Dispose();
        SqliteConnection.ClearAllPools();
        File.Delete(_path);
    }

    /// <summary>Reads the Parquet files of one folder with DuckDB and inserts each row through one prepared statement.</summary>
    private static long CopyRows(SqliteConnection db, string parquet, string folder, string columns, string table, int values, Func<DuckDBDataReader, object?[]> row)
    {
        using var source = new DuckDBConnection("DataSource=:memory:");
        source.Open();
        using var read = source.CreateCommand();
        read.CommandText = $"SELECT {columns} FROM read_parquet('{Path.Combine(parquet, folder, "*", "*.parquet")}')";
        using var reader = (DuckDBDataReader)read.ExecuteReader();
        using var insert = db.CreateCommand();
        var names = Enumerable.Range(1, values).Select(i => "$p" + i.ToString(CultureInfo.InvariantCulture)).ToList();
        insert.CommandText = $"INSERT INTO {table} VALUES ({string.Join(", ", names)})";
        var parameters = names.Select(n => insert.Parameters.Add(new SqliteParameter(n, null))).ToArray();
        insert.Prepare();
        long count = 0;
        while (reader.Read())
        {
            var fields = row(reader);
            for (var i = 0; i < parameters.Length; i++)
            {
                parameters[i].Value = fields[i] ?? DBNull.Value;
            }
            insert.ExecuteNonQuery();
            count++;
        }
        return count;
    }

    private static long Micros(DateTime utc) => (utc.Ticks - DateTime.UnixEpoch.Ticks) / 10;

    private static int MonthNumber(DateTime utc) => utc.Year * 12 + utc.Month - 1;

    private void Execute(string sql)
    {
        using var command = _db.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private object? Scalar(string sql)
    {
        using var command = _db.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
