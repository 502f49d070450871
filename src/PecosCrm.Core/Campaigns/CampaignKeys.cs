using System.Globalization;
using Azure.Data.Tables;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Campaigns;

/// <summary>
/// Keys of the campaign tables. Every RowKey is unique across its table, not only in its partition
/// (Azurite finds a point read by RowKey first, then walks every row sharing it), so rows inside a
/// campaign's partitions start with the campaign id.
/// <list type="bullet">
/// <item><c>campaigns</c>: partition <c>campaign</c>, RowKey the campaign id (inverted ticks first,
/// so lists read newest first); partition the campaign id, RowKey <c>{campaignId}|{phase}|{index:D5}</c>
/// (the slices).</item>
/// <item><c>campaignrecipients</c>: partition <c>{campaignId}|{phase}|{index:D5}</c>, the recipient's
/// slice (a batch claims and records its recipients 100 a transaction in it, and one campaign is not
/// one hot partition), RowKey <c>{campaignId}|{customerId}</c>.</item>
/// <item>The message id of a campaign email ends with its slice (<c>-{t|m}{index:D5}</c>), so a
/// provider event or an unsubscribe link, which carry the customer and message ids, finds the
/// recipient row with one point read.</item>
/// </list>
/// </summary>
internal static class CampaignKeys
{
    public const string CampaignPartition = "campaign";
    public const string TestPhase = "test";
    public const string MainPhase = "main";

    /// <summary>The phase and index of a slice, as its RowKey ends and its blob is named.</summary>
    public static string SliceName(string phase, int index) => phase + "|" + index.ToString("D5", CultureInfo.InvariantCulture);

    public static string Slice(string campaignId, string phase, int index) => campaignId + "|" + SliceName(phase, index);

    /// <summary>The partition of a slice's recipients.</summary>
    public static string RecipientPartition(string campaignId, string phase, int index) => Slice(campaignId, phase, index);

    public static string Recipient(string campaignId, string customerId) => campaignId + "|" + customerId;

    /// <summary>The customer id a recipient row's RowKey holds.</summary>
    public static string RecipientOf(string campaignId, string rowKey) => rowKey[(campaignId.Length + 1)..];

    /// <summary>Every recipient partition of a campaign, or of one of its phases: a range of PartitionKeys.</summary>
    public static string RecipientPartitionsFilter(string campaignId, string? phase)
    {
        var prefix = phase is null ? campaignId + "|" : campaignId + "|" + phase + "|";
        return TableClient.CreateQueryFilter($"PartitionKey ge {prefix} and PartitionKey lt {KeyRules.PrefixEnd(prefix)}");
    }

    /// <summary>A campaign email's message id: a new log id (<c>MessageStore.NewId</c>) followed by its slice.</summary>
    public static string MessageId(string logId, string phase, int index) =>
        logId + "-" + (phase == TestPhase ? 't' : 'm') + index.ToString("D5", CultureInfo.InvariantCulture);

    /// <summary>The slice a campaign email's message id names, or null for any other id.</summary>
    public static (string Phase, int Index)? SliceOfMessage(string messageId)
    {
        if (messageId.Length < 8 || messageId[^7] != '-' || messageId[^6] is not ('t' or 'm')
            || !int.TryParse(messageId.AsSpan(messageId.Length - 5), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            return null;
        }
        return (messageId[^6] == 't' ? TestPhase : MainPhase, index);
    }
}
