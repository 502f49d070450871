using Azure.Data.Tables;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Loyalty;

/// <summary>
/// Where loyalty keeps its rows. In the customer's partition of the <c>customers</c> table (so a
/// ledger change commits with the card, which holds the account, in one transaction):
/// <list type="bullet">
/// <item><c>pts|{entryKey}|{customerId}</c>: one ledger entry; the entry key is its idempotency key
/// (<c>earn-{orderId}</c>, <c>rev-{eventId}</c>, <c>rdm-{redemptionId}</c>, ...), so a change
/// retried with the same key is applied once;</item>
/// <item><c>rdm|{redemptionId}|{customerId}</c>: a redemption and its state;</item>
/// <item><c>ordpts|{orderId}|{customerId}</c>: what one order earned and had reversed, written with
/// its earn and reverse entries (the account keeps only the newest orders; a refund of an older one
/// reads this row);</item>
/// <item><c>loyalty|{customerId}</c>: the balance row of the ledger before the account moved onto
/// the card (read once by the migration, then deleted).</item>
/// </list>
/// In the <c>loyalty</c> table: partition <c>rule</c> (<c>rule|{ruleId}</c>), <c>reward</c>
/// (<c>reward|{rewardId}</c>), <c>achievement</c> (<c>ach|{achievementId}</c>), <c>challenge</c>
/// (<c>chl|{challengeId}</c>), <c>refcode</c> (<c>refcode|{code}</c>: code to referrer),
/// <c>referral</c> (<c>ref|{referralId}</c>), <c>seeded</c>
/// (<c>seeded|{what}</c>) and <c>stats</c> (<c>stats|{counter}</c>).
/// </summary>
public static class LoyaltyKeys
{
    public const string EntryPrefix = "pts|";
    public const string RedemptionPrefix = "rdm|";
    public const string LegacyBalancePrefix = "loyalty|";
    public const string OrderPointsPrefix = "ordpts|";

    public const string RulePartition = "rule";
    public const string RewardPartition = "reward";
    public const string AchievementPartition = "achievement";
    public const string ChallengePartition = "challenge";
    public const string ReferralCodePartition = "refcode";
    public const string SeededPartition = "seeded";
    public const string StatsPartition = "stats";

    public static string Entry(string customerId, string key) => EntryPrefix + key + "|" + customerId;

    public static string Redemption(string customerId, string redemptionId) => RedemptionPrefix + redemptionId + "|" + customerId;

    public static string OrderPoints(string customerId, string orderId) => OrderPointsPrefix + orderId + "|" + customerId;

    public static string LegacyBalance(string customerId) => LegacyBalancePrefix + customerId;

    public static string Rule(string ruleId) => "rule|" + ruleId;

    public static string Reward(string rewardId) => "reward|" + rewardId;

    public static string Achievement(string achievementId) => "ach|" + achievementId;

    public static string Challenge(string challengeId) => "chl|" + challengeId;

    public static string ReferralCode(string code) => "refcode|" + code;

    public const string ReferralPartition = "referral";

    public static string Referral(string referralId) => "ref|" + referralId;

    public static string Seeded(string what) => "seeded|" + what;

    public static string Stat(string counter) => "stats|" + counter;

    public static string PartitionFilter(string partition) => TableClient.CreateQueryFilter($"PartitionKey eq {partition}");

    public static string CustomerPrefixFilter(string customerId, string prefix) =>
        TableClient.CreateQueryFilter($"PartitionKey eq {customerId} and RowKey ge {prefix} and RowKey lt {KeyRules.PrefixEnd(prefix)}");
}
