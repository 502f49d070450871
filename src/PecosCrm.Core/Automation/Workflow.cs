using System.Text.Json.Serialization;
using PecosCrm.Core.Messaging;
using PecosCrm.Core.Segments;

namespace PecosCrm.Core.Automation;

/// <summary>How a customer enters a workflow.</summary>
/// <param name="Kind"><c>event</c>, <c>time</c>, <c>date_field</c>, <c>threshold</c>, <c>behavior</c> or <c>manual</c>.</param>
/// <param name="Event">For <c>event</c>: the store event type (e.g. <c>cart.abandoned</c>), or <c>tier.changed</c>, <c>points.threshold</c>.</param>
/// <param name="Filters">Checked once, on the triggering event's data (e.g. <c>value gt 50</c>).</param>
/// <param name="FlowFilters">Checked at entry and again before every send (e.g. <c>not_ordered_since_enrolment</c>).</param>
/// <param name="At">For <c>time</c>: a moment, or with <paramref name="Cron"/> a recurring schedule; <paramref name="SegmentId"/> says who is enrolled.</param>
/// <param name="DateField">For <c>date_field</c>: <c>birthday</c> or <c>customer_since</c> (anniversary), each year on the day.</param>
/// <param name="Metric">For <c>threshold</c>: <c>lifetime_value</c>, <c>order_count</c> or <c>points</c>, reaching <paramref name="Value"/>.</param>
/// <param name="Days">For <c>behavior</c> <c>no_order</c>: days without an order.</param>
/// <param name="Reentry"><c>once</c> (default) or <c>after_days</c> with <paramref name="ReentryDays"/>.</param>
public sealed record Trigger(
    string? Kind,
    string? Event = null,
    IReadOnlyList<DataFilter>? Filters = null,
    IReadOnlyList<FlowFilter>? FlowFilters = null,
    DateTimeOffset? At = null,
    string? Cron = null,
    string? SegmentId = null,
    string? DateField = null,
    string? Metric = null,
    decimal? Value = null,
    string? Behavior = null,
    int? Days = null,
    string? Reentry = null,
    int? ReentryDays = null);

/// <summary>A test on the triggering event's data: a path into it (<c>value</c>, <c>items.0.productId</c>), an operator, a value.</summary>
public sealed record DataFilter(string? Path, string? Op, System.Text.Json.JsonElement? Value);

/// <summary>A test on the customer, made at entry and before every send.</summary>
/// <param name="Kind"><c>not_ordered_since_enrolment</c>, <c>consent_email</c>, <c>consent_sms</c>, <c>has_tag</c> (Value = tag id), <c>not_has_tag</c>, <c>tier_in</c> (Value = tiers).</param>
public sealed record FlowFilter(string? Kind, System.Text.Json.JsonElement? Value = null);

/// <summary>A branch of a split.</summary>
public sealed record SplitBranch(string? Name, double? Share, string? Next);

/// <summary>Where the admin panel drew a node.</summary>
public sealed record Position(double X, double Y);

/// <summary>
/// One node of a workflow graph. Which fields apply depends on <paramref name="Type"/>:
/// <c>trigger</c> (next); <c>wait</c> (duration, or timeOfDay in the customer's zone, or untilEvent
/// with duration as the longest wait, or durationFrom <c>replenishment</c>: the trigger order's
/// products' replenishment interval, with duration when none is known; next); <c>send_email</c> (templateId or subject/html; next);
/// <c>send_sms</c> (text; next); <c>condition</c> (test, yes, no); <c>split</c> (branches);
/// <c>action</c> (action and its fields; next); <c>goal</c> (event; reaching it or the event ends
/// the instance); <c>end</c>.
/// </summary>
public sealed record WorkflowNode(
    string? Id,
    string? Type,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Next = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] TimeSpan? Duration = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TimeOfDay = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? UntilEvent = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TemplateId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Subject = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Html = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Text = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Test = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? WithinDays = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Yes = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? No = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<SplitBranch>? Branches = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Action = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TagId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Points = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Field = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? FieldValue = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Url = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] decimal? DiscountValue = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DiscountKind? DiscountKind = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? ValidDays = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TaskTitle = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Event = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Position? Position = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? DurationFrom = null);

/// <summary>A workflow as staff edit it: a trigger, a graph of nodes, and what counts as reaching the goal.</summary>
public sealed record WorkflowDefinition(
    string? Name,
    string? Description,
    Trigger? Trigger,
    IReadOnlyList<WorkflowNode>? Nodes,
    MessagePurpose? Purpose = null,
    string? GoalEvent = null,
    int? AttributionDays = null);

/// <summary>A saved workflow: one version of its definition, and whether it runs.</summary>
public sealed record Workflow(
    string Id, int Version, bool Active, bool PreBuilt, WorkflowDefinition Definition, string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string ETag);
