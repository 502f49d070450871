using System.Text.Json;
using Cronos;
using PecosCrm.Core.Events;
using PecosCrm.Core.Messaging.Templates;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Automation;

/// <summary>What a workflow is checked against: which templates, tags and segments exist.</summary>
public sealed record WorkflowContext(Func<string, Task<bool>> TemplateExists, Func<string, Task<bool>> CustomTagExists, Func<string, Task<bool>> SegmentExists);

/// <summary>
/// Checks a workflow before it is saved, with errors that name the node (<c>nodes[email1].templateId</c>):
/// exactly one trigger node, known node types with the fields each needs, every link pointing at a
/// node, conditions with both branches, splits whose shares add up to 1, every node reachable from
/// the trigger, no loop that does not pass through a wait, and templates, tags and segments that exist.
/// </summary>
public static class WorkflowValidator
{
    public static readonly IReadOnlyList<string> NodeTypes = ["trigger", "wait", "send_email", "send_sms", "condition", "split", "action", "goal", "end"];
    public static readonly IReadOnlyList<string> TriggerKinds = ["event", "time", "date_field", "threshold", "behavior", "manual"];
    public static readonly IReadOnlyList<string> Tests = ["ordered", "opened_last_email", "clicked_last_email", "consent_email", "has_tag", "prediction_above", "prediction_below"];
    public static readonly IReadOnlyList<string> Actions = ["add_tag", "remove_tag", "award_points", "deduct_points", "create_task", "discount_code", "update_field", "webhook"];
    public static readonly IReadOnlyList<string> FlowFilterKinds = ["not_ordered_since_enrolment", "consent_email", "consent_sms", "has_tag", "not_has_tag", "tier_in"];
    public static readonly IReadOnlyList<string> DerivedEvents = ["tier.changed", "points.threshold"];
    public static readonly IReadOnlyList<string> UpdatableFields = ["tier", "source", "time_zone"];

    public const int MaxNodes = 100;

    public static async Task CheckAsync(WorkflowDefinition definition, WorkflowContext context)
    {
        var check = new Validation();
        check.Required("name", definition.Name, 100).MaxLength("description", definition.Description, 1000);
        await CheckTriggerAsync(definition.Trigger, context, check);
        if (definition.GoalEvent is { } goal && !IsEvent(goal))
        {
            check.Add("goalEvent", $"'{goal}' is not a store event type.");
        }
        if (definition.AttributionDays is < 1 or > 365)
        {
            check.Add("attributionDays", "must be between 1 and 365.");
        }

        var nodes = definition.Nodes ?? [];
        if (nodes.Count is 0 or > MaxNodes)
        {
            check.Add("nodes", $"must hold 1 to {MaxNodes} nodes.");
            check.ThrowIfInvalid();
        }
        var byId = new Dictionary<string, WorkflowNode>(StringComparer.Ordinal);
        for (var i = 0; i < nodes.Count; i++)
        {
            var node = nodes[i];
            if (node?.Id is not { Length: > 0 and <= 50 } id || !KeyRules.IsValidKey(id) || id.Contains('|'))
            {
                check.Add($"nodes[{i}].id", "is required: up to 50 characters, without / \\ # ? or |.");
                continue;
            }
            if (!byId.TryAdd(id, node))
            {
                check.Add($"nodes[{id}].id", "is used by another node.");
            }
        }
        var triggers = byId.Values.Where(n => n.Type == "trigger").ToList();
        if (triggers.Count != 1)
        {
            check.Add("nodes", $"must have exactly one trigger node; found {triggers.Count}.");
        }
        foreach (var node in byId.Values)
        {
            await CheckNodeAsync(node, byId, context, check);
        }
        if (triggers.Count == 1 && check.IsValid)
        {
            var reachable = Reachable(triggers[0].Id!, byId);
            foreach (var lost in byId.Keys.Where(k => !reachable.Contains(k)))
            {
                check.Add($"nodes[{lost}]", "cannot be reached from the trigger.");
            }
            if (LoopWithoutWait(byId) is { } looping)
            {
                check.Add($"nodes[{looping}]", "is on a loop that passes through no wait: a customer would go round it without end.");
            }
        }
        check.ThrowIfInvalid();
    }

    public static IEnumerable<string> Links(WorkflowNode node) =>
        new[] { node.Next, node.Yes, node.No }.Concat(node.Branches?.Select(b => b?.Next) ?? []).OfType<string>();

    private static bool IsEvent(string name) => EventTypes.IsKnown(name) || DerivedEvents.Contains(name);

    private static async Task CheckTriggerAsync(Trigger? trigger, WorkflowContext context, Validation check)
    {
        if (trigger is null)
        {
            check.Add("trigger", "is required.");
            return;
        }
        if (trigger.Kind is not { } kind || !TriggerKinds.Contains(kind))
        {
            check.Add("trigger.kind", $"must be one of {string.Join(", ", TriggerKinds)}.");
            return;
        }
        switch (kind)
        {
            case "event" when trigger.Event is null || !IsEvent(trigger.Event):
                check.Add("trigger.event", $"must be a store event type (GET /api/events/types) or one of {string.Join(", ", DerivedEvents)}.");
                break;
            case "time" when trigger.At is null && trigger.Cron is null:
                check.Add("trigger.at", "give a moment (at) or a recurring schedule (cron).");
                break;
            case "time" when trigger.SegmentId is null:
                check.Add("trigger.segmentId", "is required: who a timed trigger enrols.");
                break;
            case "date_field" when trigger.DateField is not ("birthday" or "customer_since"):
                check.Add("trigger.dateField", "must be birthday or customer_since.");
                break;
            case "threshold" when trigger.Metric is not ("lifetime_value" or "order_count" or "points") || trigger.Value is not > 0:
                check.Add("trigger.metric", "must be lifetime_value, order_count or points, with a value above 0.");
                break;
            case "behavior" when trigger.Behavior is not "no_order" || trigger.Days is not (>= 1 and <= 3650):
                check.Add("trigger.behavior", "must be no_order with days between 1 and 3650 (for browsing without buying, trigger on product.viewed and wait).");
                break;
        }
        if (trigger.Cron is { } cron)
        {
            try
            {
                CronExpression.Parse(cron);
            }
            catch (CronFormatException ex)
            {
                check.Add("trigger.cron", "is not a cron expression: " + ex.Message);
            }
        }
        if (trigger.SegmentId is { } segment && !await context.SegmentExists(segment))
        {
            check.Add("trigger.segmentId", $"no segment has the id '{segment}'.");
        }
        if (trigger.Reentry is not (null or "once" or "after_days") || (trigger.Reentry == "after_days" && trigger.ReentryDays is not (>= 1 and <= 3650)))
        {
            check.Add("trigger.reentry", "must be once, or after_days with reentryDays between 1 and 3650.");
        }
        foreach (var (filter, i) in (trigger.Filters ?? []).Select((f, i) => (f, i)))
        {
            if (filter?.Path is not { Length: > 0 } || filter.Op is not ("eq" or "neq" or "gt" or "gte" or "lt" or "lte" or "in" or "exists"))
            {
                check.Add($"trigger.filters[{i}]", "needs a path into the event's data and an op: eq, neq, gt, gte, lt, lte, in or exists.");
            }
        }
        foreach (var (filter, i) in (trigger.FlowFilters ?? []).Select((f, i) => (f, i)))
        {
            if (filter?.Kind is not { } k || !FlowFilterKinds.Contains(k))
            {
                check.Add($"trigger.flowFilters[{i}].kind", $"must be one of {string.Join(", ", FlowFilterKinds)}.");
            }
            else if (k is "has_tag" or "not_has_tag" && (filter.Value is not { ValueKind: JsonValueKind.String } tag || !await context.CustomTagExists(tag.GetString()!)))
            {
                check.Add($"trigger.flowFilters[{i}].value", "must name an existing tag id.");
            }
        }
    }

    private static async Task CheckNodeAsync(WorkflowNode node, Dictionary<string, WorkflowNode> byId, WorkflowContext context, Validation check)
    {
        var at = $"nodes[{node.Id}]";
        if (node.Type is not { } type || !NodeTypes.Contains(type))
        {
            check.Add(at + ".type", $"must be one of {string.Join(", ", NodeTypes)}.");
            return;
        }
        foreach (var link in Links(node).Where(l => !byId.ContainsKey(l)))
        {
            check.Add(at, $"links to '{link}', which is not a node of this workflow.");
        }
        if (type is not ("condition" or "split" or "end" or "goal") && node.Next is null)
        {
            check.Add(at + ".next", "is required: every step but an end says what comes after it.");
        }
        switch (type)
        {
            case "wait":
                if (node.Duration is null && node.TimeOfDay is null)
                {
                    check.Add(at + ".duration", "give a duration, a timeOfDay (HH:mm in the customer's zone), or untilEvent with a duration as the longest wait.");
                }
                if (node.Duration is { } d && (d <= TimeSpan.Zero || d > TimeSpan.FromDays(365)))
                {
                    check.Add(at + ".duration", "must be more than zero and at most 365 days.");
                }
                if (node.TimeOfDay is { } tod && !TimeOnly.TryParseExact(tod, "HH:mm", out _))
                {
                    check.Add(at + ".timeOfDay", "must be HH:mm.");
                }
                if (node.UntilEvent is { } until && (!IsEvent(until) || node.Duration is null))
                {
                    check.Add(at + ".untilEvent", "must be a store event type, with a duration as the longest wait.");
                }
                if (node.DurationFrom is { } from && (from != WaitDurations.Replenishment || node.Duration is null || node.TimeOfDay is not null || node.UntilEvent is not null))
                {
                    check.Add(at + ".durationFrom", $"must be '{WaitDurations.Replenishment}', with a duration for orders whose products have no interval yet, and no timeOfDay or untilEvent.");
                }
                break;
            case "send_email":
                if (node.TemplateId is { } template)
                {
                    if (!await context.TemplateExists(template))
                    {
                        check.Add(at + ".templateId", $"no template has the id '{template}'.");
                    }
                }
                else if (string.IsNullOrWhiteSpace(node.Subject) || (string.IsNullOrWhiteSpace(node.Html) && string.IsNullOrWhiteSpace(node.Text)))
                {
                    check.Add(at + ".templateId", "give a templateId, or a subject with html or text.");
                }
                InlineText.Check(check, at + ".subject", node.Subject);
                InlineText.Check(check, at + ".html", node.Html, html: true);
                InlineText.Check(check, at + ".text", node.Text);
                break;
            case "send_sms":
                check.Required(at + ".text", node.Text, 1600);
                InlineText.Check(check, at + ".text", node.Text);
                break;
            case "condition":
                if (node.Test is not { } test || !Tests.Contains(test))
                {
                    check.Add(at + ".test", $"must be one of {string.Join(", ", Tests)}.");
                }
                if (node.Yes is null || node.No is null)
                {
                    check.Add(at, "a condition needs both branches: yes and no.");
                }
                if (node.Test == "has_tag" && (node.TagId is null || !await context.CustomTagExists(node.TagId)))
                {
                    check.Add(at + ".tagId", "must name an existing tag id.");
                }
                if (node.Test is "prediction_above" or "prediction_below")
                {
                    if (node.Field is not { } field || !AutomationConditions.PredictionFields.Contains(field))
                    {
                        check.Add(at + ".field", $"must be one of {string.Join(", ", AutomationConditions.PredictionFields)}.");
                    }
                    if (!double.TryParse(node.FieldValue, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var threshold) || !double.IsFinite(threshold))
                    {
                        check.Add(at + ".fieldValue", "must be the threshold, a number such as 0.6.");
                    }
                }
                break;
            case "split":
                var branches = node.Branches ?? [];
                if (branches.Count < 2 || branches.Any(b => b?.Next is null || b.Share is not (> 0 and < 1)))
                {
                    check.Add(at + ".branches", "a split needs two or more branches, each with a share between 0 and 1 and a next node.");
                }
                else if (Math.Abs(branches.Sum(b => b.Share!.Value) - 1) > 0.001)
                {
                    check.Add(at + ".branches", "the shares must add up to 1.");
                }
                break;
            case "action":
                await CheckActionAsync(node, at, context, check);
                break;
            case "goal" when node.Event is not null && !IsEvent(node.Event):
                check.Add(at + ".event", $"'{node.Event}' is not a store event type.");
                break;
            case "end" when node.Next is not null:
                check.Add(at + ".next", "an end node has nothing after it.");
                break;
        }
    }

    private static async Task CheckActionAsync(WorkflowNode node, string at, WorkflowContext context, Validation check)
    {
        if (node.Action is not { } action || !Actions.Contains(action))
        {
            check.Add(at + ".action", $"must be one of {string.Join(", ", Actions)}.");
            return;
        }
        switch (action)
        {
            case "add_tag" or "remove_tag" when node.TagId is null || !await context.CustomTagExists(node.TagId):
                check.Add(at + ".tagId", "must name an existing custom tag.");
                break;
            case "award_points" or "deduct_points" when node.Points is not (> 0 and <= 1_000_000):
                check.Add(at + ".points", "must be a whole number from 1 to 1,000,000.");
                break;
            case "create_task":
                check.Required(at + ".taskTitle", node.TaskTitle, 200);
                InlineText.Check(check, at + ".taskTitle", node.TaskTitle);
                break;
            case "discount_code" when node.DiscountKind is null || node.DiscountValue is not > 0 || node.ValidDays is not (>= 1 and <= 365):
                check.Add(at + ".discountValue", "a discount code needs discountKind (percent or amount), discountValue above 0 and validDays from 1 to 365.");
                break;
            case "update_field" when node.Field is null || !UpdatableFields.Contains(node.Field) || string.IsNullOrWhiteSpace(node.FieldValue):
                check.Add(at + ".field", $"must be one of {string.Join(", ", UpdatableFields)}, with a fieldValue.");
                break;
            case "webhook" when !Uri.TryCreate(node.Url, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http"):
                check.Add(at + ".url", "must be an absolute http or https URL.");
                break;
        }
    }

    private static HashSet<string> Reachable(string start, Dictionary<string, WorkflowNode> byId)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal) { start };
        var queue = new Queue<string>([start]);
        while (queue.TryDequeue(out var id))
        {
            foreach (var next in Links(byId[id]).Where(byId.ContainsKey))
            {
                if (seen.Add(next))
                {
                    queue.Enqueue(next);
                }
            }
        }
        return seen;
    }

    /// <summary>A node on a cycle made only of nodes that are not waits, or null when every loop waits.</summary>
    private static string? LoopWithoutWait(Dictionary<string, WorkflowNode> byId)
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        string? Visit(string id)
        {
            state[id] = 1;
            foreach (var next in Links(byId[id]).Where(n => byId.ContainsKey(n) && byId[n].Type != "wait"))
            {
                if (state.GetValueOrDefault(next) == 1)
                {
                    return next;
                }
                if (state.GetValueOrDefault(next) == 0 && Visit(next) is { } found)
                {
                    return found;
                }
            }
            state[id] = 2;
            return null;
        }
        foreach (var id in byId.Keys.Where(k => byId[k].Type != "wait"))
        {
            if (state.GetValueOrDefault(id) == 0 && Visit(id) is { } found)
            {
                return found;
            }
        }
        return null;
    }
}
