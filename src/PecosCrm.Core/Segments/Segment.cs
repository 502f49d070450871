using System.Text.Json;
using PecosCrm.Core.Analytics;

namespace PecosCrm.Core.Segments;

public enum SegmentKind
{
    /// <summary>Membership follows the rules: refreshed by the nightly recompute and on demand.</summary>
    Dynamic,

    /// <summary>A frozen list: members are added and removed by hand (or frozen once from rules).</summary>
    Static,
}

/// <summary>A group of customers to act on.</summary>
/// <param name="PreBuilt">One of the segments the store starts with; editable like any other.</param>
/// <param name="Error">Why the last refresh could not evaluate the rules (a tag they name was deleted, say).</param>
public sealed record Segment(
    string Id,
    string Name,
    string? Description,
    SegmentKind Kind,
    SegmentRule? Rules,
    bool PreBuilt,
    int? MemberCount,
    DateTimeOffset? RefreshedAt,
    string? Error,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string ETag);

/// <summary>A new segment. A static one takes either <paramref name="CustomerIds"/> or <paramref name="Rules"/> (evaluated once and frozen).</summary>
public sealed record SegmentDraft(string? Name, string? Description, SegmentKind? Kind, SegmentRule? Rules, IReadOnlyList<string>? CustomerIds = null);

/// <summary>A change to a segment; null leaves a field as it is.</summary>
public sealed record SegmentChange(string? Name, string? Description, SegmentRule? Rules);

public sealed record SegmentMember(string CustomerId, DateTimeOffset JoinedAt);

/// <summary>A customer joining or leaving a segment.</summary>
public sealed record MembershipChange(string SegmentId, string SegmentName, string CustomerId, string Change, DateTimeOffset At);

/// <summary>A segment a customer is in now.</summary>
public sealed record CustomerSegment(string SegmentId, string Name, SegmentKind Kind, DateTimeOffset JoinedAt);

/// <summary>A customer of a segment preview; the lifetime value is in the currency's unit, like every amount of the API.</summary>
public sealed record SegmentSample(
    string CustomerId, string FirstName, string LastName, string? Email, string Tier, decimal LifetimeValue, int OrderCount, DateTimeOffset? LastOrderAt,
    string Currency = Money.DefaultCurrency);

/// <summary>How many customers match rules in the analytical copy, the first of them by lifetime value, and how far the copy trails.</summary>
public sealed record SegmentPreview(long Count, IReadOnlyList<SegmentSample> Sample, string Rules, CopyFreshness? Freshness = null);

/// <summary>What a refresh of a segment's membership changed.</summary>
public sealed record SegmentRefresh(string SegmentId, int Members, int Joined, int Left, DateTimeOffset At);

/// <summary>Why a customer is or is not in a segment: the rule tree with each node's outcome and, for conditions, the customer's value.</summary>
public sealed record ExplainedRule(
    string? Match, string? Field, string? Op, JsonElement? Value, int? WithinDays, bool Met, object? Actual, IReadOnlyList<ExplainedRule>? Rules);

public sealed record SegmentExplanation(string SegmentId, string CustomerId, bool Matches, bool IsMember, ExplainedRule Rules, CopyFreshness? Freshness = null);
