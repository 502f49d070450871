using PecosCrm.Core.Messaging;

namespace PecosCrm.Core.Campaigns;

/// <summary>
/// Where a campaign stands: <c>draft</c> (editable), <c>scheduled</c> (waits for its send time),
/// <c>sending</c>, <c>paused</c>, <c>testing</c> (the A/B test share is sent and the winner not yet
/// chosen), and the ends <c>sent</c> and <c>cancelled</c>.
/// </summary>
public enum CampaignState
{
    Draft,
    Scheduled,
    Sending,
    Paused,
    Testing,
    Sent,
    Cancelled,
}

/// <summary>What decides an A/B test: the share of a variant's sent messages that were opened, or clicked.</summary>
public enum CampaignMetric
{
    Open,
    Click,
}

/// <summary>Where a recipient stands. <c>retrying</c>: the provider failed transiently and the message queue tries again.</summary>
public enum RecipientState
{
    Pending,
    Sending,
    Sent,
    Retrying,
    Skipped,
    Failed,
    Cancelled,
}

/// <summary>Who gets a campaign: a segment (a dynamic one is refreshed when the campaign starts), or a list of customer ids.</summary>
public sealed record CampaignAudience(string? SegmentId = null, IReadOnlyList<string>? CustomerIds = null);

/// <summary>
/// What a campaign sends: a subject with HTML and/or text, in which <c>{{customer.first_name}}</c>,
/// <c>{{customer.last_name}}</c> and <c>{{customer.email}}</c> are filled in per recipient; or a
/// template id, passed to the message service as it is.
/// </summary>
public sealed record CampaignContent(string? Subject = null, string? Html = null, string? Text = null, string? TemplateId = null);

public sealed record AbVariant(string? Subject);

/// <summary>
/// An A/B subject test: <paramref name="TestShare"/> of the recipients (0.2 = 20 %) go first, split
/// evenly among the variants; <paramref name="DecideAfter"/> after the last of them is sent, the
/// variant with the best open (or click) rate wins and its subject goes to everyone else.
/// </summary>
public sealed record AbTest(IReadOnlyList<AbVariant>? Variants, double? TestShare, CampaignMetric? Metric, TimeSpan? DecideAfter);

/// <summary>A new campaign. <paramref name="ThrottlePerMinute"/>: at most that many messages a minute.</summary>
/// <param name="AttributionDays">Orders placed within this many days after the campaign's email reached a recipient (last touch) count as the campaign's revenue (default: setting Attribution:WindowDays, 5).</param>
public sealed record CampaignDraft(
    string? Name,
    CampaignAudience? Audience,
    CampaignContent? Content,
    MessagePurpose? Purpose = null,
    AbTest? AbTest = null,
    int? ThrottlePerMinute = null,
    int? AttributionDays = null);

/// <summary>
/// A change to a campaign; a null field stays as it is. An <paramref name="AbTest"/> with no variants
/// removes the test, a <paramref name="ThrottlePerMinute"/> of 0 the throttle.
/// </summary>
public sealed record CampaignChange(
    string? Name = null,
    CampaignAudience? Audience = null,
    CampaignContent? Content = null,
    MessagePurpose? Purpose = null,
    AbTest? AbTest = null,
    int? ThrottlePerMinute = null,
    int? AttributionDays = null);

/// <summary>Who a campaign goes to, as it stands: the segment, or the size of the list.</summary>
public sealed record CampaignAudienceSummary(string? SegmentId, string? SegmentName, int? ListSize);

/// <summary>An A/B test as configured, with variant letters.</summary>
public sealed record AbTestSummary(IReadOnlyList<VariantSummary> Variants, double TestShare, CampaignMetric Metric, TimeSpan DecideAfter);

public sealed record VariantSummary(string Variant, string Subject);

/// <summary>How one variant did in the test share.</summary>
public sealed record VariantRate(string Variant, string Subject, int Sent, int Opened, int Clicked, double Rate);

/// <summary>The chosen variant of an A/B test and the rates it was chosen on (ties go to the first variant).</summary>
public sealed record AbWinner(string Variant, string Subject, CampaignMetric Metric, IReadOnlyList<VariantRate> Rates, DateTimeOffset DecidedAt);

/// <summary>How far sending has come, from the per-batch tallies.</summary>
public sealed record CampaignProgress(int Recipients, int Pending, int Sending, int Sent, int Retrying, int Skipped, int Failed, int Cancelled)
{
    public static readonly CampaignProgress None = new(0, 0, 0, 0, 0, 0, 0, 0);

    public int Done => Sent + Retrying + Skipped + Failed + Cancelled;

    public CampaignProgress Add(CampaignProgress o) => new(
        Recipients + o.Recipients, Pending + o.Pending, Sending + o.Sending, Sent + o.Sent, Retrying + o.Retrying, Skipped + o.Skipped, Failed + o.Failed, Cancelled + o.Cancelled);
}

/// <summary>A bulk email to a segment or a list.</summary>
/// <param name="Phase"><c>test</c> while the A/B test share is being sent, <c>main</c> after; null before the campaign starts.</param>
/// <param name="Error">Why the campaign paused by itself (content that cannot be sent, say).</param>
public sealed record Campaign(
    string Id,
    string Name,
    CampaignState State,
    MessagePurpose Purpose,
    CampaignAudienceSummary Audience,
    CampaignContent Content,
    AbTestSummary? AbTest,
    int? ThrottlePerMinute,
    int AttributionDays,
    DateTimeOffset? SendAt,
    string? Phase,
    CampaignProgress? Progress,
    DateTimeOffset? DecideAt,
    AbWinner? Winner,
    string? Error,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? PausedAt,
    DateTimeOffset? CompletedAt,
    DateTimeOffset? CancelledAt,
    string ETag);

/// <summary>One recipient of a campaign, with the message it got and how far that message came.</summary>
/// <param name="Status">The furthest status SendGrid reported for the message (sent, delivered, opened, clicked, bounced, failed).</param>
public sealed record CampaignRecipient(
    string CustomerId,
    RecipientState State,
    string Phase,
    string? Variant,
    string? MessageId,
    MessageStatus? Status,
    string? SkipReason,
    string? Error,
    DateTimeOffset? SentAt,
    DateTimeOffset? DeliveredAt,
    DateTimeOffset? OpenedAt,
    DateTimeOffset? ClickedAt,
    DateTimeOffset? BouncedAt,
    DateTimeOffset? UnsubscribedAt);

/// <summary>How many recipients were skipped for one reason.</summary>
public sealed record ReasonCount(string Reason, int Recipients);

/// <summary>
/// The figures of a campaign or of one variant. <paramref name="Sent"/>: handed to the provider;
/// delivered, opened (a click counts as an open too), clicked, bounced and unsubscribed are among
/// those. <paramref name="Retrying"/>: a transient provider failure the message queue tries again.
/// Rates are shares of the sent messages.
/// </summary>
public sealed record CampaignFigures(
    int Recipients,
    int Pending,
    int Sent,
    int Retrying,
    int Delivered,
    int Opened,
    int Clicked,
    int Bounced,
    int Unsubscribed,
    int Skipped,
    int Failed,
    int Cancelled,
    double OpenRate,
    double ClickRate,
    int AttributedOrders,
    [property: System.Text.Json.Serialization.JsonIgnore] long AttributedRevenueCents,
    decimal AttributedRevenue);

public sealed record VariantResults(string Variant, string Subject, CampaignFigures Figures);

/// <summary>
/// A campaign's results. Revenue counts the orders (net of refunds, cancelled ones excluded) a
/// recipient placed within <paramref name="AttributionDays"/> days after the campaign's email was
/// sent to them, unless another campaign or automation reached them in between (last touch), from
/// the analytical copy as of <paramref name="RevenueAsOf"/>.
/// </summary>
public sealed record CampaignResults(
    string CampaignId,
    CampaignState State,
    CampaignFigures Totals,
    IReadOnlyList<ReasonCount> SkippedReasons,
    IReadOnlyList<ReasonCount> FailedReasons,
    IReadOnlyList<VariantResults> Variants,
    AbWinner? Winner,
    int AttributionDays,
    string Currency,
    DateTimeOffset? RevenueAsOf);
