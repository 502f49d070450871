using System.Globalization;
using DuckDB.NET.Data;

namespace PecosCrm.Core.Analytics;

/// <summary>
/// One version of the analytical copy loaded into an in-memory DuckDB database: the tables
/// <c>orders</c>, <c>order_lines</c> and <c>customers</c> (the features file with the purchase-fact
/// columns), and <c>rfm_base</c> (the R, F and M scores of every customer with a counted order).
/// The session is read-only once built. Readers share it, each on a connection of its own
/// (<see cref="DuckDBConnection.Duplicate"/>: one DuckDB connection must not be used by two threads
/// at once, while several connections of one database query side by side). The database is closed
/// when the engine has moved to a newer version and the last reader has let go (reference counted),
/// never under a running query.
/// </summary>
public sealed class AnalyticsSession
{
    private readonly DuckDBConnection _root;
    private readonly Lock _sync = new();
    private readonly Dictionary<int, string> _rfmTables = [];
    private int _references = 1;

    internal AnalyticsSession(DuckDBConnection root, string version, DateTimeOffset? asOf, DateTimeOffset loadedAt)
    {
        _root = root;
        Version = version;
        AsOf = asOf;
        LoadedAt = loadedAt;
    }

    /// <summary>A hash of the copy's blob names and ETags: equal versions hold equal data.</summary>
    public string Version { get; }

    /// <summary>When the newest file of this version was written; null for an empty copy.</summary>
    public DateTimeOffset? AsOf { get; }

    public DateTimeOffset LoadedAt { get; }

    /// <summary>Takes a reference for a reader; false once the session is closed (the caller then takes the newer one).</summary>
    internal bool TryAcquire()
    {
        lock (_sync)
        {
            if (_references == 0)
            {
                return false;
            }
            _references++;
            return true;
        }
    }

    /// <summary>Drops a reference; the last one closes the database.</summary>
    internal void Release()
    {
        lock (_sync)
        {
            if (--_references > 0)
            {
                return;
            }
        }
        _root.Dispose();
    }

    /// <summary>A new connection to this version's database, for one reader.</summary>
    internal DuckDBConnection Connect()
    {
        var connection = _root.Duplicate();
        connection.Open();
        return connection;
    }

    /// <summary>
    /// The name of the table <c>(customer_id, last_order, orders, spend, r, f, m, code, segment)</c>
    /// of this version's scores named under <paramref name="map"/>, made on first use and kept
    /// for the life of the session (a new map version makes a new table; the scores are not recomputed).
    /// </summary>
    public string RfmScores(RfmMapVersion map)
    {
        lock (_sync)
        {
            if (_rfmTables.TryGetValue(map.Version, out var existing))
            {
                return existing;
            }
            var table = "rfm_scores_v" + map.Version.ToString(CultureInfo.InvariantCulture);
            var names = "rfm_map_v" + map.Version.ToString(CultureInfo.InvariantCulture);
            using var db = Connect();
            Execute(db, $"CREATE TABLE {names} (code VARCHAR, name VARCHAR)");
            using (var appender = db.CreateAppender(names))
            {
                foreach (var (code, name) in map.Names)
                {
                    appender.CreateRow().AppendValue(code).AppendValue(name).EndRow();
                }
            }
            Execute(db, $"""
                CREATE TABLE {table} AS
                SELECT b.*, coalesce(m.name, 'Unnamed') AS segment FROM rfm_base b LEFT JOIN {names} m ON m.code = b.code
                """);
            _rfmTables[map.Version] = table;
            return table;
        }
    }

    internal static void Execute(DuckDBConnection db, string sql)
    {
        using var command = db.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
