namespace PecosCrm.Core.Support;

/// <summary>Which SLA clock an escalation rule watches.</summary>
public enum EscalationClock
{
    FirstResponse,
    NextResponse,
    Resolution,
}

/// <summary>
/// A time-based escalation rule, run by the SLA sweep: when a ticket matching <see cref="Conditions"/>
/// has waited <see cref="AfterMinutes"/> (counted like its SLA: business time under a business-hours
/// policy, pauses left out) on <see cref="Clock"/> without it being reached, the actions are taken
/// once, and the firing is logged on the ticket.
/// </summary>
public sealed record EscalationRule(
    string Id,
    string Name,
    bool Enabled,
    EscalationConditions? Conditions,
    EscalationClock Clock,
    int AfterMinutes,
    EscalationActions Actions);

/// <summary>Null or empty lists hold for any ticket; statuses default to open and in progress.</summary>
public sealed record EscalationConditions(
    IReadOnlyList<TicketPriority>? Priorities = null,
    IReadOnlyList<TicketCategory>? Categories = null,
    IReadOnlyList<TicketStatus>? Statuses = null);

/// <summary>Reassign, set or raise the priority, and email staff members or addresses.</summary>
public sealed record EscalationActions(
    string? AssignTo = null,
    TicketPriority? SetPriority = null,
    bool RaisePriority = false,
    IReadOnlyList<string>? NotifyStaffIds = null,
    IReadOnlyList<string>? NotifyEmails = null);

/// <summary>Deciding whether a rule fires on a ticket: pure.</summary>
public static class Escalations
{
    private static readonly TicketStatus[] DefaultStatuses = [TicketStatus.Open, TicketStatus.InProgress];

    /// <summary>Whether <paramref name="rule"/> fires now on a ticket that has not fired it yet.</summary>
    public static bool Fires(EscalationRule rule, TicketPriority priority, TicketCategory category, TicketStatus status, SlaFacts facts, BusinessCalendar calendar, DateTimeOffset now)
    {
        var c = rule.Conditions;
        if (!rule.Enabled
            || !(c?.Statuses is { Count: > 0 } statuses ? statuses : DefaultStatuses).Contains(status)
            || (c?.Priorities is { Count: > 0 } p && !p.Contains(priority))
            || (c?.Categories is { Count: > 0 } k && !k.Contains(category)))
        {
            return false;
        }
        DateTimeOffset? start = rule.Clock switch
        {
            EscalationClock.FirstResponse => facts.FirstResponseAt is null ? facts.CreatedAt : null,
            EscalationClock.NextResponse => facts.FirstResponseAt is not null ? facts.AwaitingReplySince : null,
            EscalationClock.Resolution => facts.ResolvedAt is null ? facts.CreatedAt : null,
            _ => throw new ArgumentOutOfRangeException(nameof(rule), rule.Clock, "Unknown escalation clock."),
        };
        return start is { } from && calendar.Elapsed(from, now, facts.Pauses) >= TimeSpan.FromMinutes(rule.AfterMinutes);
    }

    /// <summary>The priority after the rule's actions.</summary>
    public static TicketPriority PriorityAfter(EscalationActions actions, TicketPriority current) =>
        actions.SetPriority ?? (actions.RaisePriority && current < TicketPriority.Urgent ? current + 1 : current);

    public static void Validate(IReadOnlyList<EscalationRule>? rules)
    {
        var check = new Validation();
        if (rules is null)
        {
            check.Add("rules", "is required.");
            check.ThrowIfInvalid();
        }
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < rules!.Count; i++)
        {
            var r = rules[i];
            var at = $"rules[{i}]";
            if (r is null)
            {
                check.Add(at, "is required.");
                continue;
            }
            if (!Storage.KeyRules.IsValidKey(r.Id) || r.Id.Length > 64)
            {
                check.Add(at + ".id", "must be 1-64 characters without / \\ # ?.");
            }
            else if (!ids.Add(r.Id))
            {
                check.Add(at + ".id", $"'{r.Id}' is used twice.");
            }
            check.Required(at + ".name", r.Name, 100);
            if (r.AfterMinutes is < 1 or > 525_600)
            {
                check.Add(at + ".afterMinutes", "must be between 1 and 525600.");
            }
            if (r.Actions is null)
            {
                check.Add(at + ".actions", "is required.");
                continue;
            }
            if (r.Actions.AssignTo is null && r.Actions.SetPriority is null && !r.Actions.RaisePriority
                && r.Actions.NotifyStaffIds is not { Count: > 0 } && r.Actions.NotifyEmails is not { Count: > 0 })
            {
                check.Add(at + ".actions", "must do something: assignTo, setPriority, raisePriority, notifyStaffIds or notifyEmails.");
            }
            for (var j = 0; j < (r.Actions.NotifyEmails?.Count ?? 0); j++)
            {
                check.Email($"{at}.actions.notifyEmails[{j}]", r.Actions.NotifyEmails![j]);
            }
        }
        check.ThrowIfInvalid();
    }
}
