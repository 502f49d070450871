namespace PecosCrm.Core.Support;

/// <summary>
/// What a status change does to a ticket's clocks: waiting on the customer and being resolved pause
/// every SLA clock (a pause opens), coming back from either closes the pause; resolving stamps the
/// resolution, reopening a resolved ticket clears it and counts a reopen; closing is final (a closed
/// ticket without a resolution time takes the closing time as one).
/// </summary>
internal static class TicketStatusRules
{
    public static IReadOnlyList<TicketLogEntry> Apply(TicketEntity t, TicketStatus to, TicketActor actor, DateTimeOffset now)
    {
        var from = t.StatusValue;
        if (from == to)
        {
            return [];
        }
        if (from == TicketStatus.Closed)
        {
            throw new ConflictException($"Ticket {t.TicketId} is closed; open a new ticket instead.");
        }
        var pauses = t.PauseList();
        var paused = pauses.Count > 0 && pauses[^1].To is null;
        var pausing = to is TicketStatus.PendingCustomer or TicketStatus.Resolved or TicketStatus.Closed;
        if (pausing && !paused)
        {
            pauses.Add(new SlaPause(now, null));
        }
        else if (!pausing && paused)
        {
            pauses[^1] = pauses[^1] with { To = now };
        }
        t.Pauses = TicketEntity.Write(pauses);
        var text = $"Status {TicketService.Name(from)} → {TicketService.Name(to)}";
        if (to == TicketStatus.Resolved)
        {
            t.ResolvedAt = now;
        }
        else if (to == TicketStatus.Closed)
        {
            t.ClosedAt = now;
            t.ResolvedAt ??= now;
        }
        else if (from == TicketStatus.Resolved)
        {
            t.ResolvedAt = null;
            t.ReopenCount++;
            text = "Reopened: " + text;
        }
        t.Status = to.ToString();
        return [new TicketLogEntry(Guid.CreateVersion7(now).ToString("N"), "status", text, actor.Name, now)];
    }
}
