namespace PecosCrm.Core.Audit;

/// <summary>How reads of customer data are written to the audit log (<c>Audit__…</c> settings).</summary>
public sealed class AuditOptions
{
    public const string SectionName = "Audit";

    /// <summary>How often buffered read entries are written; at most this much is lost if the process dies.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A flush starts early once this many entries wait.</summary>
    public int FlushAtCount { get; set; } = 500;

    /// <summary>While storage is unreachable, entries are kept up to this many; older ones are dropped (and logged) beyond it.</summary>
    public int MaxBuffered { get; set; } = 50_000;
}
