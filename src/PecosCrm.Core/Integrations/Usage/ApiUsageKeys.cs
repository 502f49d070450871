using System.Security.Cryptography;
using System.Text;
using Azure.Data.Tables;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Integrations.Usage;

/// <summary>
/// The <c>apiusage</c> table: one partition per API key (PartitionKey = key id), one row per day and
/// endpoint, <c>u|{keyId}|{yyyy-MM-dd}|{endpoint hash}</c>, so a key's usage over a date range is one
/// range query in day order. The endpoint (method and route pattern) is hashed into the key because
/// a route has <c>/</c> in it; the row keeps it in clear.
/// </summary>
public static class ApiUsageKeys
{
    public const string Prefix = "u|";

    public static string Row(string keyId, DateOnly day, string endpoint) => Prefix + keyId + "|" + Day(day) + "|" + Hash(endpoint);

    public static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    public static string RangeFilter(string keyId, DateOnly from, DateOnly to) =>
        TableClient.CreateQueryFilter($"PartitionKey eq {keyId} and RowKey ge {Prefix + keyId + "|" + Day(from)} and RowKey lt {Prefix + keyId + "|" + Day(to.AddDays(1))}");

    private static string Hash(string endpoint) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(endpoint)))[..16];

    internal static string PartitionOf(string keyId) => KeyRules.IsValidKey(keyId) ? keyId : throw new ArgumentException("Not a key id.", nameof(keyId));
}
