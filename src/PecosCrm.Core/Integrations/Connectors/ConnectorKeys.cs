using System.Globalization;

namespace PecosCrm.Core.Integrations.Connectors;

/// <summary>
/// The rows of the <c>connectors</c> table. Every RowKey is unique across the table.
/// <list type="bullet">
/// <item>partition <c>cfg</c>: <c>cfg|{connector}</c>, one row per configured connector: its settings,
/// field mapping, segments, enabled flag and its sync state (cursor, last run, counts, last error);</item>
/// <item>partition <c>log|{connector}</c>: <c>log|{connector}|{inverted ticks}|{id}</c>, every call a sync
/// or a connection test made, newest first.</item>
/// </list>
/// </summary>
public static class ConnectorKeys
{
    public const string ConfigPartition = "cfg";
    public const string ConfigPrefix = "cfg|";
    public const string LogPrefix = "log|";

    public static string Config(string connector) => ConfigPrefix + connector;

    public static string LogPartition(string connector) => LogPrefix + connector;

    public static string Log(string connector, DateTimeOffset at, string id) =>
        LogPrefix + connector + "|" + (DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks).ToString("D19", CultureInfo.InvariantCulture) + "|" + id;
}
