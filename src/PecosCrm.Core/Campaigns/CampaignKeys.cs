using System.Globalization;

namespace PecosCrm.Core.Campaigns;

/// <summary>
/// Keys of the campaign tables. Every RowKey is unique across its table, not only in its partition
/// (Azurite finds a point read by RowKey first, then walks every row sharing it), so rows inside a
/// campaign's partition start with the campaign id.
/// <list type="bullet">
/// <item><c>campaigns</c>: partition <c>campaign</c>, RowKey the campaign id (inverted ticks first,
/// so lists read newest first); partition the campaign id, RowKey <c>{campaignId}|{phase}|{index:D5}</c>
/// (the slices).</item>
/// <item><c>campaignrecipients</c>: partition the campaign id, RowKey <c>{campaignId}|{customerId}</c>,
/// so a provider event (which carries both) finds it with one point read.</item>
/// </list>
/// </summary>
internal static class CampaignKeys
{
    public const string CampaignPartition = "campaign";

    /// <summary>The phase and index of a slice, as its RowKey ends and its blob is named.</summary>
    public static string SliceName(string phase, int index) => phase + "|" + index.ToString("D5", CultureInfo.InvariantCulture);

    public static string Slice(string campaignId, string phase, int index) => campaignId + "|" + SliceName(phase, index);

    public static string Recipient(string campaignId, string customerId) => campaignId + "|" + customerId;

    /// <summary>The customer id a recipient row's RowKey holds.</summary>
    public static string RecipientOf(string campaignId, string rowKey) => rowKey[(campaignId.Length + 1)..];
}
