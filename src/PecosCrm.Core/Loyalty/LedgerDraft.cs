using System.Text.Json;
using Azure.Data.Tables;
using PecosCrm.Core.Customers;

namespace PecosCrm.Core.Loyalty;

/// <summary>
/// The changes a decision makes to one customer's account, in memory: each ledger entry moves the
/// account (balance, pending lots, totals) as it is added, so the account is always what its entries
/// add up to. The caller writes the entries and the account in one transaction, then publishes the notices.
/// </summary>
internal sealed class LedgerDraft
{
    private readonly long _balanceBefore;
    private readonly LoyaltyTier _tierBefore;

    public LedgerDraft(string customerId, LoyaltyAccount account, DateTimeOffset now)
    {
        CustomerId = customerId;
        Now = now;
        Account = account.Matured(now);
        _balanceBefore = Account.Balance(now);
        _tierBefore = Account.Tier;
    }

    public string CustomerId { get; }
    public DateTimeOffset Now { get; }
    public LoyaltyAccount Account { get; set; }
    public List<LedgerEntry> Entries { get; } = [];
    public List<LoyaltyNotice> Notices { get; } = [];

    /// <summary>Orders whose <see cref="OrderPointsEntity"/> row is written with the entries: what each earned and had reversed.</summary>
    public Dictionary<string, OrderPoints> OrderRows { get; } = new(StringComparer.Ordinal);

    public long Balance => Account.Balance(Now);

    public bool Changed { get; private set; }

    /// <summary>Marks the account changed without an entry (spend, streaks, badges).</summary>
    public void Touch() => Changed = true;

    /// <summary>Adds an entry and moves the account. A negative reversal takes from <paramref name="lots"/> while they are still pending, then from the balance.</summary>
    public LedgerEntry Add(string key, LedgerKind kind, long points, string reason, string source, string actor, string? rule = null, DateTimeOffset? availableAt = null, IReadOnlyCollection<string>? lots = null)
    {
        var a = Account;
        var pending = availableAt is { } at && at > Now && kind == LedgerKind.Earn;
        switch (kind)
        {
            case LedgerKind.Earn when pending:
                a = a with { Pending = [.. a.Pending, new PendingLot(key, points, availableAt!.Value)], Earned = a.Earned + points };
                break;
            case LedgerKind.Earn:
                a = a with { Available = a.Available + points, Earned = a.Earned + points };
                break;
            case LedgerKind.Redeem:
                a = a with { Available = a.Available + points, Redeemed = a.Redeemed - points };
                break;
            case LedgerKind.Expire:
                a = a with { Available = a.Available + points, Expired = a.Expired - points };
                break;
            case LedgerKind.Adjust:
                a = a with { Available = a.Available + points, Adjusted = a.Adjusted + points };
                break;
            case LedgerKind.Reverse when points < 0:
                a = TakeFromLots(a, -points, lots ?? []);
                a = a with { Reversed = a.Reversed - points };
                break;
            case LedgerKind.Reverse:
                // A cancelled redemption gives back what it took: it no longer counts as redeemed.
                a = a with { Available = a.Available + points, Redeemed = a.Redeemed - points };
                break;
        }
        Account = a;
        Changed = true;
        var entry = new LedgerEntry(key, kind, points, reason, source, rule, Now, pending ? availableAt : null, actor, a.Balance(Now));
        Entries.Add(entry);
        if (kind == LedgerKind.Earn)
        {
            Notices.Add(LoyaltyNotice.Of(LoyaltyNotice.PointsEarned, CustomerId, new
            {
                points, key, reason, source, rule, pending, availableAt = pending ? availableAt : null, balance = a.Balance(Now),
            }));
        }
        return entry;
    }

    private static LoyaltyAccount TakeFromLots(LoyaltyAccount a, long points, IReadOnlyCollection<string> lots)
    {
        var left = points;
        var pending = new List<PendingLot>();
        foreach (var lot in a.Pending)
        {
            if (left > 0 && lots.Contains(lot.Key))
            {
                var take = Math.Min(left, lot.Points);
                left -= take;
                if (lot.Points - take > 0)
                {
                    pending.Add(lot with { Points = lot.Points - take });
                }
                continue;
            }
            pending.Add(lot);
        }
        return a with { Pending = pending, Available = a.Available - left };
    }

    /// <summary>Sets the tier; a change is noticed (with the previous tier) once the draft is finished.</summary>
    public void SetTier(LoyaltyTier tier, long qualifyingCents)
    {
        if (tier == Account.Tier)
        {
            return;
        }
        Account = Account with { Tier = tier, TierSince = Now };
        Changed = true;
        _qualifying = qualifyingCents;
    }

    private long _qualifying;

    /// <summary>The notices of the whole draft: points earned (added as they came), the balance moved, the tier changed.</summary>
    public IReadOnlyList<LoyaltyNotice> Finish()
    {
        var after = Balance;
        if (after != _balanceBefore)
        {
            Notices.Add(LoyaltyNotice.Of(LoyaltyNotice.PointsChanged, CustomerId, new { before = _balanceBefore, after }));
        }
        if (Account.Tier != _tierBefore)
        {
            Notices.Add(LoyaltyNotice.Of(LoyaltyNotice.TierChanged, CustomerId, new
            {
                tier = Account.Tier.ToString().ToLowerInvariant(),
                previousTier = _tierBefore.ToString().ToLowerInvariant(),
                direction = Account.Tier > _tierBefore ? "up" : "down",
                qualifyingSpend = Money.ToDecimal(_qualifying),
            }));
        }
        return Notices;
    }

    /// <summary>The rows the draft writes besides the account: its entries (added, or upserted on the store-event path) and the orders' points.</summary>
    public IEnumerable<TableTransactionAction> Rows(TableTransactionActionType entryAction) =>
        Entries.Select(e => new TableTransactionAction(entryAction, LedgerEntryEntity.From(CustomerId, e)))
            .Concat(OrderRows.Select(o => new TableTransactionAction(TableTransactionActionType.UpsertReplace, OrderPointsEntity.From(CustomerId, o.Key, o.Value))));

    /// <summary>The timeline entries of the draft's ledger entries, at <paramref name="at"/> (the store event's time on the event path) or when they were made.</summary>
    public IEnumerable<TimelineEntry> Timeline(DateTimeOffset? at = null) => Entries.Select(e => new TimelineEntry(
        "pts-" + e.Key, CustomerId, TimelineType.Loyalty,
        e.Points >= 0 ? $"{(e.Kind == LedgerKind.Earn ? "Earned" : "Got")} {e.Points} points: {e.Reason}" : $"{Verb(e.Kind)} {-e.Points} points: {e.Reason}",
        at ?? e.At, e.Actor, null, null));

    private static string Verb(LedgerKind kind) => kind switch
    {
        LedgerKind.Redeem => "Redeemed",
        LedgerKind.Expire => "Expired",
        LedgerKind.Reverse => "Reversed",
        _ => "Lost",
    };
}

/// <summary>
/// Something that happened to a customer's loyalty, published after it was committed:
/// <c>loyalty.points_earned</c>, <c>loyalty.tier_changed</c> (with the previous tier),
/// <c>loyalty.points_changed</c> (balance before and after), <c>loyalty.referral_purchase</c>.
/// </summary>
public sealed record LoyaltyNotice(string Type, string CustomerId, JsonElement Data)
{
    public const string PointsEarned = "loyalty.points_earned";
    public const string TierChanged = "loyalty.tier_changed";
    public const string PointsChanged = "loyalty.points_changed";
    public const string ReferralPurchase = "loyalty.referral_purchase";

    public static LoyaltyNotice Of(string type, string customerId, object data) => new(type, customerId, JsonSerializer.SerializeToElement(data, CrmJson.Options));
}
