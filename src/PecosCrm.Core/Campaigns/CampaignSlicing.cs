using System.Security.Cryptography;
using System.Text;

namespace PecosCrm.Core.Campaigns;

/// <summary>One slice of a frozen audience: a batch's work, its members in customer id order.</summary>
public sealed record SlicePlan(string Phase, int Index, IReadOnlyList<AudienceMember> Members);

/// <summary>
/// Cuts a frozen audience into slices, without I/O. The A/B test share is drawn by a hash of
/// campaign and customer (so a start run twice draws the same), ordered by that hash and dealt to
/// the variants in turn (A, B, A, B, …); the test share's slices come first (phase <c>test</c>), the
/// rest follow (phase <c>main</c>). A slice holds at most <c>sliceSize</c> recipients.
/// </summary>
public static class CampaignSlicing
{
    public static List<SlicePlan> Plan(string campaignId, IReadOnlyList<AudienceMember> audience, AbTestSummary? ab, int sliceSize)
    {
        var test = Draw(campaignId, audience.Select(m => m.CustomerId).ToList(), ab);
        var slices = new List<SlicePlan>();
        foreach (var phase in new[] { CampaignKeys.TestPhase, CampaignKeys.MainPhase })
        {
            var members = audience
                .Where(m => test.ContainsKey(m.CustomerId) == (phase == CampaignKeys.TestPhase))
                .Select(m => m with { Variant = test.GetValueOrDefault(m.CustomerId) })
                .ToList();
            slices.AddRange(members.Chunk(Math.Max(1, sliceSize)).Select((chunk, index) => new SlicePlan(phase, index, chunk)));
        }
        return slices;
    }

    /// <summary>The A/B test share and each one's variant: none without a test.</summary>
    public static Dictionary<string, string> Draw(string campaignId, IReadOnlyList<string> audience, AbTestSummary? ab)
    {
        var test = new Dictionary<string, string>(StringComparer.Ordinal);
        if (ab is null || audience.Count == 0)
        {
            return test;
        }
        var count = Math.Clamp((int)Math.Round(audience.Count * ab.TestShare, MidpointRounding.AwayFromZero), Math.Min(audience.Count, ab.Variants.Count), audience.Count);
        var drawn = audience.OrderBy(c => Rank(campaignId, c), StringComparer.Ordinal).Take(count).ToList();
        for (var i = 0; i < drawn.Count; i++)
        {
            test[drawn[i]] = ab.Variants[i % ab.Variants.Count].Variant;
        }
        return test;
    }

    /// <summary>Where a customer falls in the A/B draw: a hash of campaign and customer, the same on every run.</summary>
    private static string Rank(string campaignId, string customerId) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(campaignId + "\n" + customerId)));
}
