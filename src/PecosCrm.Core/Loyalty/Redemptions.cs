using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Segments;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Loyalty;

public enum RedemptionStatus
{
    Redeemed,
    Cancelled,
}

/// <summary>A reward redeemed: the points it took and the code it issued.</summary>
public sealed record Redemption(
    string Id, string CustomerId, string RewardId, string RewardName, RewardKind Kind, long Points, string Code, RedemptionStatus Status,
    DateTimeOffset RedeemedAt, DateTimeOffset? CancelledAt, string Actor);

/// <summary>A <c>rdm|{redemptionId}|{customerId}</c> row in the customer's partition.</summary>
internal sealed class RedemptionEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Id { get; set; } = "";
    public string RewardId { get; set; } = "";
    public string RewardName { get; set; } = "";
    public string Kind { get; set; } = "";
    public long Points { get; set; }
    public string Code { get; set; } = "";
    public string Status { get; set; } = "";
    public DateTimeOffset RedeemedAt { get; set; }
    public DateTimeOffset? CancelledAt { get; set; }
    public string Actor { get; set; } = "";

    public Redemption ToRecord() => new(Id, PartitionKey, RewardId, RewardName, Enum.Parse<RewardKind>(Kind), Points, Code, Enum.Parse<RedemptionStatus>(Status), RedeemedAt, CancelledAt, Actor);
}

/// <summary>
/// Redeeming rewards. The balance check, the <c>redeem</c> entry and the redemption row commit with
/// the account on the card under its ETag, so concurrent redemptions can never spend the same points
/// twice: whichever commits second reads the card again and finds the balance spent. The reward's
/// code is derived from the redemption id, so it is written in the same transaction and issued right
/// after (issuing again gives the same code). Cancelling gives back exactly the points taken.
/// </summary>
public sealed class Redemptions(StorageAccount storage, PointsLedger ledger, CatalogueStore catalogue, DiscountCodes codes, Orders.OrderStore orders, TimeProvider time)
{
    public const string CodePrefix = "RWD-";

    private TableClient Customers => storage.Table(StorageNames.Tables.Customers);

    public async Task<Redemption> RedeemAsync(string customerId, string rewardId, string actor, CancellationToken cancellationToken = default)
    {
        var reward = await catalogue.FindRewardAsync(rewardId, cancellationToken);
        if (reward is not { Active: true })
        {
            throw new ValidationFailedException("rewardId", $"no active reward has the id '{rewardId}'.");
        }
        var id = Ids.New(time);
        var code = DiscountCodes.CodeFor(CodePrefix, id, customerId);
        Redemption? made = null;
        await ledger.ApplyAsync(customerId, null, requireProfile: true, (card, d) =>
        {
            if (d.Balance < reward.Points)
            {
                throw new ConflictException($"The reward needs {reward.Points} points; the balance is {d.Balance}.");
            }
            d.Add("rdm-" + id, LedgerKind.Redeem, -reward.Points, $"Redeemed {reward.Name}", "redemption:" + id, actor);
            made = new Redemption(id, customerId, reward.Id, reward.Name, reward.Kind, reward.Points, code, RedemptionStatus.Redeemed, d.Now, null, actor);
            IReadOnlyList<TableTransactionAction> rows = [new(TableTransactionActionType.Add, Row(made))];
            return Task.FromResult(rows);
        }, cancellationToken, whileHeld: () => IssueAsync(reward, made!, cancellationToken));
        return made!;
    }

    /// <summary>
    /// Issues a redemption's code again, for one whose issue failed after its points were taken: the
    /// code is derived from the redemption, so this gives the same code and writes nothing new when it
    /// exists. The code's value is the reward's as it stands; it expires the reward's valid days after
    /// the redemption. A cancelled redemption has no code to issue (409).
    /// </summary>
    public async Task<Redemption> ReissueAsync(string customerId, string redemptionId, CancellationToken cancellationToken = default)
    {
        var redemption = (await GetRowAsync(customerId, redemptionId, cancellationToken)).ToRecord();
        if (redemption.Status == RedemptionStatus.Cancelled)
        {
            throw new ConflictException("The redemption is cancelled: it has no code to issue.");
        }
        var reward = await catalogue.FindRewardAsync(redemption.RewardId, cancellationToken)
            ?? throw new ConflictException($"The reward '{redemption.RewardId}' no longer exists: its code cannot be issued again.");
        await IssueAsync(reward, redemption, cancellationToken);
        return redemption;
    }

    private async Task IssueAsync(Reward reward, Redemption redemption, CancellationToken cancellationToken)
    {
        var (kind, value) = reward.Percent is { } percent ? (DiscountKind.Percent, percent) : (DiscountKind.Amount, reward.Amount ?? 0m);
        await codes.IssueAsync(CodePrefix, redemption.Id, redemption.CustomerId, kind, value, redemption.RedeemedAt.AddDays(reward.ValidDays), time.GetUtcNow(), cancellationToken);
    }

    /// <summary>
    /// Cancels a redemption and gives back exactly the points it took (a <c>reverse</c> entry); a
    /// redemption cancelled already stays as it is. Its code is voided first, so the points never come
    /// back while the code can still be spent; a code an order already used cannot be given back (409).
    /// </summary>
    public async Task<Redemption> CancelAsync(string customerId, string redemptionId, string actor, CancellationToken cancellationToken = default)
    {
        var found = await GetRowAsync(customerId, redemptionId, cancellationToken);
        if (found.Status == nameof(RedemptionStatus.Cancelled))
        {
            return found.ToRecord();
        }
        if (await orders.FindWithCouponAsync(customerId, found.Code, cancellationToken) is { } order)
        {
            throw new ConflictException($"Order {order} used the code {found.Code}: the redemption can no longer be cancelled.");
        }
        await codes.VoidAsync(found.Code, customerId, $"redemption {redemptionId} cancelled", time.GetUtcNow(), cancellationToken);
        Redemption? result = null;
        var unused = found;
        await ledger.ApplyAsync(customerId, null, requireProfile: true, async (card, d) =>
        {
            // The first attempt writes under the ETag just read; a retry reads the row again.
            var row = unused ?? await GetRowAsync(customerId, redemptionId, cancellationToken);
            unused = null;
            result = row.ToRecord();
            if (result.Status == RedemptionStatus.Cancelled)
            {
                return [];
            }
            d.Add("rdmx-" + redemptionId, LedgerKind.Reverse, row.Points, $"Redemption of {row.RewardName} cancelled", "redemption:" + redemptionId, actor);
            row.Status = nameof(RedemptionStatus.Cancelled);
            row.CancelledAt = d.Now;
            result = row.ToRecord();
            return [new TableTransactionAction(TableTransactionActionType.UpdateReplace, row, row.ETag)];
        }, cancellationToken);
        return result!;
    }

    private async Task<RedemptionEntity> GetRowAsync(string customerId, string redemptionId, CancellationToken cancellationToken) =>
        (KeyRules.IsValidKey(redemptionId) ? await Customers.FindAsync<RedemptionEntity>(customerId, LoyaltyKeys.Redemption(customerId, redemptionId), cancellationToken) : null)
        ?? throw new NotFoundException("Redemption", redemptionId);

    public async Task<IReadOnlyList<Redemption>> ListAsync(string customerId, CancellationToken cancellationToken = default)
    {
        var list = new List<Redemption>();
        await foreach (var row in Customers.QueryAsync<RedemptionEntity>(LoyaltyKeys.CustomerPrefixFilter(customerId, LoyaltyKeys.RedemptionPrefix), cancellationToken: cancellationToken))
        {
            list.Add(row.ToRecord());
        }
        return list.OrderByDescending(r => r.RedeemedAt).ToList();
    }

    private static RedemptionEntity Row(Redemption r) => new()
    {
        PartitionKey = r.CustomerId,
        RowKey = LoyaltyKeys.Redemption(r.CustomerId, r.Id),
        Id = r.Id,
        RewardId = r.RewardId,
        RewardName = r.RewardName,
        Kind = r.Kind.ToString(),
        Points = r.Points,
        Code = r.Code,
        Status = r.Status.ToString(),
        RedeemedAt = r.RedeemedAt,
        Actor = r.Actor,
    };
}
