using System.Text.Json;
using Azure.Data.Tables;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Loyalty;

/// <summary>
/// The programme's figures as of the last nightly pass: members (customers with a loyalty account)
/// by tier, points issued, redeemed, expired and reversed, the outstanding liability (points and
/// their value at <see cref="LoyaltyOptions.PointValueCents"/>), the redemption rate (redeemed over
/// issued), referral conversion (credited over all referrals) and revenue from members and non-members.
/// </summary>
public sealed record ProgrammeFigures(
    DateTimeOffset AsOf, int Members, int NonMembers, IReadOnlyDictionary<string, int> MembersByTier,
    long PointsIssued, long PointsRedeemed, long PointsExpired, long PointsReversed, long OutstandingPoints, decimal OutstandingLiability,
    double RedemptionRate, int Referrals, int ReferralsCredited, double ReferralConversion, decimal MemberRevenue, decimal NonMemberRevenue, string Currency);

/// <summary>Sums the figures over the cards the nightly pass scans, and keeps them in one row (<c>stats|programme</c>).</summary>
internal sealed class ProgrammeTally(long pointValueCents)
{
    private readonly object _gate = new();
    private readonly Dictionary<string, int> _byTier = Tiers.All.ToDictionary(t => t.Tier.ToString().ToLowerInvariant(), _ => 0);
    private int _members, _nonMembers;
    private long _issued, _redeemed, _expired, _reversed, _outstanding, _memberCents, _nonMemberCents;

    public void Add(CardEntity card, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (string.IsNullOrEmpty(card.Loyalty))
            {
                _nonMembers++;
                _nonMemberCents += card.LifetimeValueCents;
                return;
            }
            var a = LoyaltyCard.Read(card);
            _members++;
            _memberCents += card.LifetimeValueCents;
            _byTier[a.Tier.ToString().ToLowerInvariant()]++;
            _issued += a.Earned + Math.Max(0, a.Adjusted);
            _redeemed += a.Redeemed;
            _expired += a.Expired;
            _reversed += a.Reversed;
            _outstanding += Math.Max(0, a.Balance(now) + a.PendingPoints(now));
        }
    }

    public ProgrammeFigures Figures(DateTimeOffset asOf, IReadOnlyList<Referral> referrals)
    {
        var credited = referrals.Count(r => r.Status == ReferralStatus.Credited);
        return new ProgrammeFigures(
            asOf, _members, _nonMembers, _byTier, _issued, _redeemed, _expired, _reversed, _outstanding, Money.ToDecimal(_outstanding * pointValueCents),
            _issued == 0 ? 0 : Math.Round((double)_redeemed / _issued, 4), referrals.Count, credited,
            referrals.Count == 0 ? 0 : Math.Round((double)credited / referrals.Count, 4),
            Money.ToDecimal(_memberCents), Money.ToDecimal(_nonMemberCents), Money.DefaultCurrency);
    }

    public static async Task SaveAsync(StorageAccount storage, ProgrammeFigures figures, CancellationToken cancellationToken) =>
        await storage.Table(StorageNames.Tables.Loyalty).UpsertEntityAsync(
            new TableEntity(LoyaltyKeys.StatsPartition, LoyaltyKeys.Stat("programme")) { ["Json"] = JsonSerializer.Serialize(figures, CrmJson.Options) },
            TableUpdateMode.Replace, cancellationToken);

    public static async Task<ProgrammeFigures?> LoadAsync(StorageAccount storage, CancellationToken cancellationToken) =>
        await storage.Table(StorageNames.Tables.Loyalty).FindAsync<TableEntity>(LoyaltyKeys.StatsPartition, LoyaltyKeys.Stat("programme"), cancellationToken) is { } row
            ? JsonSerializer.Deserialize<ProgrammeFigures>(row.GetString("Json"), CrmJson.Options)
            : null;
}
