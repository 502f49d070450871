using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Events;
using PecosCrm.Core.Privacy;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Loyalty;

/// <summary>
/// The points ledger. Every change of a customer's points is an immutable <c>pts|{key}|{customerId}</c>
/// entry (earn, redeem, expire, adjust, reverse, with its reason and source) written in one
/// transaction with the account on the customer's card, which it moves; the balance is what the
/// entries add up to. The card's ETag makes every change safe against every other (two redemptions
/// at once: one of them reads again and finds the balance spent), and changes of one customer in
/// this process take turns first, so they rarely have to. Store events earn through
/// <see cref="LoyaltyFold"/>, in the same transaction as the order itself.
/// </summary>
public sealed class PointsLedger(
    StorageAccount storage, CustomerCards cards, CatalogueStore catalogue, LoyaltyEvents events, StoreTime storeTime, IOptions<LoyaltyOptions> options, TimeProvider time) : IPersonalData
{
    private readonly CustomerStripes _stripes = new();

    private TableClient Customers => storage.Table(StorageNames.Tables.Customers);

    public async Task<long> BalanceAsync(string customerId, CancellationToken cancellationToken = default) =>
        await cards.FindAsync(customerId, cancellationToken) is { } card ? LoyaltyCard.Read(card).Balance(time.GetUtcNow()) : 0;

    /// <summary>The balance of a customer as read from their card, without reading it again (a customer not read from a card is read).</summary>
    public async Task<long> BalanceAsync(Customer customer, CancellationToken cancellationToken = default) =>
        LoyaltyCard.Read(customer) is { } account ? account.Balance(time.GetUtcNow()) : await BalanceAsync(customer.Id, cancellationToken);

    /// <summary>The customer's account as the API shows it.</summary>
    public async Task<LoyaltyStatus> GetAsync(string customerId, CancellationToken cancellationToken = default)
    {
        var card = await cards.GetAsync(customerId, cancellationToken);
        return Status(card, options.Value, storeTime, time.GetUtcNow());
    }

    internal static LoyaltyStatus Status(CardEntity card, LoyaltyOptions options, StoreTime storeTime, DateTimeOffset now)
    {
        var account = LoyaltyCard.Read(card);
        var qualifying = account.QualifyingSpend(options.TierTerm, card.LifetimeValueCents, MonthKey.Of(storeTime.Date(now)));
        return new LoyaltyStatus(
            card.PartitionKey, account.Balance(now), account.PendingPoints(now), account.Earned, account.Redeemed, account.Expired, account.Reversed,
            Tiers.Progress(account.Tier, options.TierTerm, qualifying), Tiers.Of(account.Tier).Perks, account.TierSince,
            account.CurrentStreak(MonthKey.Of(storeTime.Date(now))), account.BestStreak, account.Badges, account.ReferralCode,
            account.LastPurchaseAt is { } last && options.ExpiryDays > 0 && account.Balance(now) > 0 ? last.AddDays(options.ExpiryDays) : null);
    }

    /// <summary>The customer's entries, newest first.</summary>
    public async Task<IReadOnlyList<LedgerEntry>> EntriesAsync(string customerId, CancellationToken cancellationToken = default)
    {
        await cards.GetAsync(customerId, cancellationToken);
        var entries = new List<LedgerEntry>();
        await foreach (var row in Customers.QueryAsync<LedgerEntryEntity>(LoyaltyKeys.CustomerPrefixFilter(customerId, LoyaltyKeys.EntryPrefix), cancellationToken: cancellationToken))
        {
            entries.Add(row.ToEntry());
        }
        return entries.OrderByDescending(e => e.At).ThenByDescending(e => e.Key, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Adds (or with a negative amount deducts, never below zero) points as an adjustment, once per
    /// <paramref name="key"/> (a retried automation step changes nothing); returns the balance before and after.
    /// </summary>
    public async Task<(long Before, long After)> ChangeAsync(string customerId, long points, string key, string reason, string actor, CancellationToken cancellationToken = default)
    {
        (long Before, long After) result = default;
        await ApplyAsync(customerId, key, requireProfile: false, (card, d) =>
        {
            var before = d.Balance;
            var change = points < 0 ? -Math.Min(-points, Math.Max(0, before)) : points;
            result = (before, before + change);
            d.Add(key, LedgerKind.Adjust, change, reason, actor.StartsWith("automation:", StringComparison.Ordinal) ? actor : "staff:" + actor, actor);
            return Task.FromResult<IReadOnlyList<TableTransactionAction>>([]);
        }, cancellationToken, duplicate: async () =>
        {
            var balance = await BalanceAsync(customerId, cancellationToken);
            result = (balance, balance);
        });
        return result;
    }

    /// <summary>
    /// Changes one customer's account: <paramref name="decide"/> is given the card and a draft over its
    /// account, adds entries (and returns rows of its own to write with them); the draft's entries, the
    /// account and the timeline commit with the card. With <paramref name="onceKey"/>, a change whose
    /// entry exists already is not made again (<paramref name="duplicate"/> runs instead). The notices
    /// are emitted once committed. <paramref name="whileHeld"/> runs after the commit, still in the
    /// customer's turn (a redemption issues its code there, which writes to the card too, so it
    /// does not race the customer's next change). Returns the draft as committed (null when nothing changed).
    /// </summary>
    internal async Task<LedgerDraft?> ApplyAsync(
        string customerId, string? onceKey, bool requireProfile, Func<CardEntity, LedgerDraft, Task<IReadOnlyList<TableTransactionAction>>> decide,
        CancellationToken cancellationToken, Func<Task>? duplicate = null, Func<Task>? whileHeld = null)
    {
        LedgerDraft? committed = null;
        var found = false;
        using (await _stripes.HoldAsync([customerId], cancellationToken))
        {
            await cards.ChangeAsync(customerId, async card =>
            {
                committed = null;
                if (requireProfile)
                {
                    card.RequireProfile();
                }
                if (onceKey is not null && await Customers.FindAsync<LedgerEntryEntity>(customerId, LoyaltyKeys.Entry(customerId, onceKey), cancellationToken) is not null)
                {
                    found = true;
                    return null;
                }
                var draft = new LedgerDraft(customerId, LoyaltyCard.Read(card), time.GetUtcNow());
                var rows = await decide(card, draft);
                if (!draft.Changed && rows.Count == 0)
                {
                    return null;
                }
                LoyaltyCard.Write(card, draft.Account);
                committed = draft;
                var actions = draft.Rows(TableTransactionActionType.Add).Concat(rows).ToList();
                return new CardChange(actions, draft.Timeline().ToList(), FeaturesChanged: draft.Entries.Count > 0);
            }, cancellationToken);
            if (committed is not null && whileHeld is not null)
            {
                await whileHeld();
            }
        }
        if (found && duplicate is not null)
        {
            await duplicate();
        }
        if (committed is not null)
        {
            await events.EmitAsync(committed.Finish(), cancellationToken);
        }
        return committed;
    }

    /// <summary>Staff's adjustment or a surprise-and-delight grant: an <c>adjust</c> entry with its reason.</summary>
    public async Task<LedgerEntry> AdjustAsync(string customerId, long points, string reason, string source, string actor, CancellationToken cancellationToken = default)
    {
        var key = "adj-" + Ids.New(time);
        var draft = await ApplyAsync(customerId, null, requireProfile: true, (card, d) =>
        {
            if (points < 0 && d.Balance + points < 0)
            {
                throw new ValidationFailedException("points", $"takes {-points} points but the balance is {d.Balance}.");
            }
            d.Add(key, LedgerKind.Adjust, points, reason, source, actor);
            return Task.FromResult<IReadOnlyList<TableTransactionAction>>([]);
        }, cancellationToken);
        return draft!.Entries[0];
    }

    /// <summary>An activity the storefront reports (a social share): earns its rule's points within the rule's limit; null when the limit is reached.</summary>
    public async Task<LedgerEntry?> ActivityAsync(string customerId, string activity, string? reference, string actor, CancellationToken cancellationToken = default)
    {
        var rule = (await catalogue.SnapshotAsync(cancellationToken)).Rule(activity);
        var draft = await ApplyAsync(customerId, null, requireProfile: true, (card, d) =>
        {
            var today = storeTime.Date(d.Now);
            LoyaltyDecisions.Bonus(d, rule, $"{activity}-{Ids.New(time)}", reference is null ? rule.Name : $"{rule.Name}: {reference}", "activity:" + activity, actor, today);
            return Task.FromResult<IReadOnlyList<TableTransactionAction>>([]);
        }, cancellationToken);
        return draft?.Entries.FirstOrDefault();
    }

    /// <summary>The loyalty rows in the customer's partition: entries, redemptions, orders' points, the balance row from before the ledger.</summary>
    private static readonly string[] PersonalPrefixes = [LoyaltyKeys.EntryPrefix, LoyaltyKeys.RedemptionPrefix, LoyaltyKeys.OrderPointsPrefix, LoyaltyKeys.LegacyBalancePrefix];

    /// <summary>The customer's entries, redemptions and orders' points, as stored (GDPR export).</summary>
    public async Task ExportAsync(string customerId, PersonalDataArchive archive, CancellationToken cancellationToken)
    {
        var rows = new List<TableEntity>();
        foreach (var prefix in PersonalPrefixes)
        {
            rows.AddRange(await PersonalRows.ReadAsync(Customers, LoyaltyKeys.CustomerPrefixFilter(customerId, prefix), cancellationToken));
        }
        archive.AddRows("loyalty-points.json", rows);
    }

    /// <summary>Deletes the customer's entries, redemptions and orders' points (GDPR erasure; the account goes with the card).</summary>
    public async Task<int> EraseAsync(ErasureContext context, CancellationToken cancellationToken)
    {
        var deleted = 0;
        foreach (var prefix in PersonalPrefixes)
        {
            deleted += await PersonalRows.DeleteWhereAsync(Customers, LoyaltyKeys.CustomerPrefixFilter(context.CustomerId, prefix), cancellationToken);
        }
        return deleted;
    }
}

/// <summary>A customer's loyalty as the API and the 360 view show it.</summary>
public sealed record LoyaltyStatus(
    string CustomerId, long Points, long PendingPoints, long Earned, long Redeemed, long Expired, long Reversed,
    TierProgress Tier, IReadOnlyList<string> Perks, DateTimeOffset? TierSince, int StreakMonths, int BestStreakMonths,
    IReadOnlyList<EarnedBadge> Badges, string? ReferralCode, DateTimeOffset? PointsExpireAt);
