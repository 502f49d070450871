using DuckDB.NET.Data;

namespace PecosCrm.Core.Analytics;

/// <summary>
/// A reader's hold on one version of the analytical copy: a connection of its own to the shared
/// session, and the session itself (for its RFM tables and its time). Dispose it when done: that
/// closes the connection and lets the session go once no reader holds it.
/// </summary>
public sealed class AnalyticsReader : IDisposable
{
    private readonly AnalyticsSession _session;
    private int _disposed;

    internal AnalyticsReader(AnalyticsSession session)
    {
        _session = session;
        try
        {
            Connection = session.Connect();
        }
        catch
        {
            session.Release();
            throw;
        }
    }

    /// <summary>This reader's connection; not for use by two threads at once.</summary>
    public DuckDBConnection Connection { get; }

    public AnalyticsSession Session => _session;

    /// <summary>The scores table of this version named under <paramref name="map"/>; see <see cref="AnalyticsSession.RfmScores"/>.</summary>
    public string RfmScores(RfmMapVersion map) => _session.RfmScores(map);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        Connection.Dispose();
        _session.Release();
    }
}
