using System.Globalization;

namespace PecosCrm.Core.Messaging.Templates;

/// <summary>
/// Keys of the <c>templates</c> table. Every RowKey is unique across the table (Azurite finds a point
/// read by RowKey first, then walks every row sharing it): partition <c>template</c>, RowKey the
/// template id (the current version); partition <c>v|{id}</c>, RowKey <c>v|{id}|{version:D6}</c>
/// (every version, listed in order); partition <c>seeded</c>, RowKey <c>seeded|{id}</c> (defaults
/// seeded once).
/// </summary>
internal static class TemplateKeys
{
    public const string CurrentPartition = "template";
    public const string SeededPartition = "seeded";

    public static string VersionPartition(string id) => "v|" + id;

    public static string Version(string id, int version) => VersionPartition(id) + "|" + version.ToString("D6", CultureInfo.InvariantCulture);

    public static string Seeded(string id) => SeededPartition + "|" + id;
}
