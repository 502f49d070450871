using System.Globalization;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Messaging;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Loyalty;

/// <summary>What a nightly pass did.</summary>
public sealed record NightlyResult(int Members, int Changed, int TiersChanged, int Expired, int Warned, int Migrated);

/// <summary>
/// The nightly pass over every customer: tiers re-evaluated (a rolling term lets spend fall out, so
/// a tier can drop with no event at all), anniversary bonuses, badges, points expired after the
/// configured time without a purchase, and the warning email before. Each card is first decided
/// on as scanned, and only a card that changes is read again and written under its ETag (through
/// the ledger), so a quiet night costs one scan. The first pass also moves the balances the
/// automation actions kept before the ledger onto it (<see cref="MigrateLegacyAsync"/>).
/// </summary>
public sealed partial class LoyaltyNightly(
    StorageAccount storage, CustomerCards cards, PointsLedger ledger, CatalogueStore catalogue, Referrals referrals, MessageService messages, StoreTime storeTime,
    IOptions<LoyaltyOptions> options, TimeProvider time, ILogger<LoyaltyNightly> logger)
{
    private TableClient Customers => storage.Table(StorageNames.Tables.Customers);
    private TableClient Loyalty => storage.Table(StorageNames.Tables.Loyalty);

    public async Task<NightlyResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var migrated = await MigrateLegacyAsync(cancellationToken);
        var rules = await catalogue.SnapshotAsync(cancellationToken);
        int members = 0, changed = 0, tiers = 0, expired = 0, warned = 0;
        var tally = new ProgrammeTally(options.Value.PointValueCents);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(cards.AllAsync(cancellationToken), parallel, async (scanned, ct) =>
        {
            Interlocked.Increment(ref members);
            var now = time.GetUtcNow();
            tally.Add(scanned, now);
            var trial = new LedgerDraft(scanned.PartitionKey, LoyaltyCard.Read(scanned), now);
            var warn = LoyaltyDecisions.Nightly(trial, rules, options.Value, LoyaltyCard.Facts(scanned, storeTime, now));
            if (!trial.Changed && !warn)
            {
                return;
            }
            var warnFor = default(DateTimeOffset?);
            var draft = await ledger.ApplyAsync(scanned.PartitionKey, null, requireProfile: false, (card, d) =>
            {
                warnFor = LoyaltyDecisions.Nightly(d, rules, options.Value, LoyaltyCard.Facts(card, storeTime, d.Now)) ? d.Account.LastPurchaseAt : null;
                return Task.FromResult<IReadOnlyList<TableTransactionAction>>([]);
            }, ct);
            if (draft is not null)
            {
                Interlocked.Increment(ref changed);
                if (draft.Notices.Any(n => n.Type == LoyaltyNotice.TierChanged))
                {
                    Interlocked.Increment(ref tiers);
                }
                if (draft.Entries.Any(e => e.Kind == LedgerKind.Expire))
                {
                    Interlocked.Increment(ref expired);
                }
            }
            if (warnFor is { } last)
            {
                await WarnAsync(scanned.PartitionKey, last, ct);
                Interlocked.Increment(ref warned);
            }
        });
        await ProgrammeTally.SaveAsync(storage, tally.Figures(time.GetUtcNow(), await referrals.ListAsync(null, cancellationToken)), cancellationToken);
        LogNightly(logger, members, changed, tiers, expired, warned);
        return new NightlyResult(members, changed, tiers, expired, warned, migrated);
    }

    /// <summary>The programme's figures as of the last nightly pass; null before the first.</summary>
    public Task<ProgrammeFigures?> FiguresAsync(CancellationToken cancellationToken = default) => ProgrammeTally.LoadAsync(storage, cancellationToken);

    /// <summary>The expiry warning: one transactional email per quiet spell (remembered on the account before it is sent, so a retry does not send twice).</summary>
    private async Task WarnAsync(string customerId, DateTimeOffset lastPurchase, CancellationToken cancellationToken)
    {
        var draft = await ledger.ApplyAsync(customerId, null, requireProfile: true, (card, d) =>
        {
            if (d.Account.ExpiryWarnedFor != lastPurchase)
            {
                d.Account = d.Account with { ExpiryWarnedFor = lastPurchase };
                d.Touch();
            }
            return Task.FromResult<IReadOnlyList<TableTransactionAction>>([]);
        }, cancellationToken);
        if (draft is null)
        {
            return;
        }
        var expiresAt = lastPurchase.AddDays(options.Value.ExpiryDays);
        var date = storeTime.Local(expiresAt).ToString("MMMM d, yyyy", CultureInfo.InvariantCulture);
        var points = draft.Balance;
        await messages.SendEmailAsync(new EmailRequest(
            customerId,
            Subject: "{{customer.first_name}}, your points expire soon",
            Html: $"<p>Howdy {{{{customer.first_name}}}},</p><p>Your {points} points expire on {date}. Any purchase before then keeps them, and they are yours to spend on rewards at {{{{store.name}}}}.</p>",
            Text: $"Howdy {{{{customer.first_name}}}}, your {points} points expire on {date}. Any purchase before then keeps them.",
            Purpose: MessagePurpose.Transactional), "loyalty", cancellationToken);
    }

    /// <summary>
    /// Moves the balances automation actions kept in <c>loyalty|{customerId}</c> rows (before the
    /// ledger) onto the accounts: their <c>pts|</c> entries stay (they read as automation adjustments),
    /// the balance is added to the account and the old row deleted in the same transaction, so it
    /// moves exactly once. Runs once (a <c>seeded|legacy-points</c> marker); it scans the table for the old rows.
    /// </summary>
    public async Task<int> MigrateLegacyAsync(CancellationToken cancellationToken = default)
    {
        if (await Loyalty.FindAsync<TableEntity>(LoyaltyKeys.SeededPartition, LoyaltyKeys.Seeded("legacy-points"), cancellationToken) is not null)
        {
            return 0;
        }
        var filter = TableClient.CreateQueryFilter($"RowKey ge {LoyaltyKeys.LegacyBalancePrefix} and RowKey lt {KeyRules.PrefixEnd(LoyaltyKeys.LegacyBalancePrefix)}");
        var moved = 0;
        await foreach (var old in Customers.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            await ledger.ApplyAsync(old.PartitionKey, null, requireProfile: false, async (card, d) =>
            {
                var row = await Customers.FindAsync<TableEntity>(old.PartitionKey, old.RowKey, cancellationToken);
                if (row is null)
                {
                    return [];
                }
                var points = row.GetInt64("Points") ?? 0;
                d.Account = d.Account with { Available = d.Account.Available + points, Adjusted = d.Account.Adjusted + points };
                d.Touch();
                return [new TableTransactionAction(TableTransactionActionType.Delete, row, row.ETag)];
            }, cancellationToken);
            moved++;
        }
        await Loyalty.UpsertEntityAsync(new TableEntity(LoyaltyKeys.SeededPartition, LoyaltyKeys.Seeded("legacy-points")) { ["At"] = time.GetUtcNow(), ["Moved"] = moved }, cancellationToken: cancellationToken);
        return moved;
    }

    [LoggerMessage(1, LogLevel.Information, "Loyalty nightly: {Members} members, {Changed} changed, {Tiers} tiers changed, {Expired} expired, {Warned} warned")]
    private static partial void LogNightly(ILogger logger, int members, int changed, int tiers, int expired, int warned);
}
