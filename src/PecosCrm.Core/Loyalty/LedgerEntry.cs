using Azure;
using Azure.Data.Tables;

namespace PecosCrm.Core.Loyalty;

public enum LedgerKind
{
    Earn,
    Redeem,
    Expire,
    Adjust,
    Reverse,
}

/// <summary>One immutable change of a customer's points, as the API shows it.</summary>
/// <param name="Key">The change's idempotency key (<c>earn-{orderId}</c>, <c>rev-{eventId}</c>, ...).</param>
/// <param name="Source">What caused it: <c>order:{id}</c>, <c>review:{eventId}</c>, <c>redemption:{id}</c>, <c>automation:{workflowId}</c>, <c>staff:{name}</c>, ...</param>
/// <param name="AvailableAt">For earned points that are pending first: when they can be spent.</param>
public sealed record LedgerEntry(
    string Key, LedgerKind Kind, long Points, string Reason, string Source, string? Rule, DateTimeOffset At, DateTimeOffset? AvailableAt, string Actor, long? BalanceAfter);

/// <summary>A <c>pts|{key}|{customerId}</c> row. Rows written before the ledger carried no kind or source: they read as automation adjustments.</summary>
internal sealed class LedgerEntryEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string? Kind { get; set; }
    public long Points { get; set; }
    public string? Reason { get; set; }
    public string? Source { get; set; }
    public string? Rule { get; set; }
    public DateTimeOffset At { get; set; }
    public DateTimeOffset? AvailableAt { get; set; }
    public string? Actor { get; set; }
    public long? BalanceAfter { get; set; }

    public static LedgerEntryEntity From(string customerId, LedgerEntry e) => new()
    {
        PartitionKey = customerId,
        RowKey = LoyaltyKeys.Entry(customerId, e.Key),
        Kind = e.Kind.ToString().ToLowerInvariant(),
        Points = e.Points,
        Reason = e.Reason,
        Source = e.Source,
        Rule = e.Rule,
        At = e.At,
        AvailableAt = e.AvailableAt,
        Actor = e.Actor,
        BalanceAfter = e.BalanceAfter,
    };

    public LedgerEntry ToEntry()
    {
        var key = RowKey[LoyaltyKeys.EntryPrefix.Length..RowKey.LastIndexOf('|')];
        var kind = Kind is null ? LedgerKind.Adjust : Enum.Parse<LedgerKind>(Kind, ignoreCase: true);
        return new LedgerEntry(key, kind, Points, Reason ?? "", Source ?? (Actor is { } a && a.StartsWith("automation:", StringComparison.Ordinal) ? a : "legacy"), Rule, At, AvailableAt, Actor ?? "", BalanceAfter);
    }
}
