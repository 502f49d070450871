namespace PecosCrm.Core.Support;

/// <summary>The timing facts of a ticket that its SLA clocks are worked out from.</summary>
/// <param name="AwaitingReplySince">The first customer message since the last staff reply, once the first response was given: the next-response clock runs from it.</param>
public sealed record SlaFacts(
    TicketPriority Priority,
    DateTimeOffset CreatedAt,
    DateTimeOffset? FirstResponseAt,
    DateTimeOffset? AwaitingReplySince,
    DateTimeOffset? ResolvedAt,
    IReadOnlyList<SlaPause> Pauses);

/// <summary>
/// Works out a ticket's SLA clocks at a moment: first response (from creation to the first public
/// staff reply), next response (from a customer's message to the staff reply that answers it) and
/// resolution (from creation to resolved), each counted in the policy's calendar with the pauses left
/// out. A clock past its target is breached; one past the policy's near-breach share of it (80% by
/// default) is near breach. Pure.
/// </summary>
public static class SlaClock
{
    public static SlaView Compute(SlaFacts facts, SlaPolicy? policy, BusinessCalendar calendar, DateTimeOffset now)
    {
        var none = new SlaClockView(null, 0, null, null, SlaState.None);
        var paused = facts.Pauses.Any(p => p.To is null);
        if (policy is null || !policy.Targets.TryGetValue(facts.Priority, out var targets))
        {
            return new SlaView(policy?.Id, policy?.Name, calendar.IsBusinessHours, paused, SlaState.None, none, none, none);
        }
        var near = policy.NearBreachPercent / 100.0;
        var first = Clock(facts.CreatedAt, facts.FirstResponseAt, targets.FirstResponseMinutes, facts.Pauses, calendar, near, now);
        var next = facts.FirstResponseAt is null || facts.AwaitingReplySince is null
            ? new SlaClockView(targets.NextResponseMinutes, 0, null, null, SlaState.None)
            : Clock(facts.AwaitingReplySince.Value, null, targets.NextResponseMinutes, facts.Pauses, calendar, near, now);
        var resolution = Clock(facts.CreatedAt, facts.ResolvedAt, targets.ResolutionMinutes, facts.Pauses, calendar, near, now);
        return new SlaView(policy.Id, policy.Name, calendar.IsBusinessHours, paused, Overall(first.State, next.State, resolution.State), first, next, resolution);
    }

    /// <summary>One clock from <paramref name="start"/>, stopped at <paramref name="achievedAt"/> when reached.</summary>
    public static SlaClockView Clock(
        DateTimeOffset start, DateTimeOffset? achievedAt, int? targetMinutes, IReadOnlyList<SlaPause> pauses, BusinessCalendar calendar, double nearShare, DateTimeOffset now)
    {
        if (targetMinutes is not { } minutes)
        {
            return new SlaClockView(null, 0, null, achievedAt, SlaState.None);
        }
        var target = TimeSpan.FromMinutes(minutes);
        var elapsed = calendar.Elapsed(start, achievedAt ?? now, pauses);
        var shown = Math.Round(elapsed.TotalMinutes, 2);
        if (achievedAt is not null)
        {
            return new SlaClockView(minutes, shown, null, achievedAt, elapsed <= target ? SlaState.Met : SlaState.Breached);
        }
        var due = calendar.DueAt(start, target, pauses);
        var state = elapsed >= target ? SlaState.Breached : elapsed.TotalMinutes >= minutes * nearShare ? SlaState.NearBreach : SlaState.Ok;
        return new SlaClockView(minutes, shown, due, null, state);
    }

    /// <summary>The ticket's state: breached if any clock is, else near breach if any is, else ok.</summary>
    public static SlaState Overall(params SlaState[] states) =>
        states.Contains(SlaState.Breached) ? SlaState.Breached
        : states.Contains(SlaState.NearBreach) ? SlaState.NearBreach
        : states.Any(s => s is SlaState.Ok or SlaState.Met) ? SlaState.Ok
        : SlaState.None;

    /// <summary>The earliest moment a running clock falls due, for the sweep's ordering and the list.</summary>
    public static DateTimeOffset? NextDue(SlaView view) =>
        new[] { view.FirstResponse.DueAt, view.NextResponse.DueAt, view.Resolution.DueAt }.Where(d => d is not null).Min();
}
