using System.Collections.Concurrent;

namespace PecosCrm.Core.Support;

/// <summary>
/// Turns ticket rows into what the API shows, with the SLA clocks worked out at this moment in the
/// calendar of the ticket's policy (its schedule's time zone, else the store's). Calendars are
/// cached by the policy text, since the sweep works out thousands of tickets under a few policies.
/// </summary>
public sealed class TicketSla(StoreTime storeTime, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, BusinessCalendar> _calendars = new(StringComparer.Ordinal);

    internal BusinessCalendar CalendarOf(TicketEntity ticket) => CalendarFor(ticket.Policy, ticket.PolicyValue);

    internal BusinessCalendar CalendarOf(SlaPolicy? policy) => CalendarFor(policy is null ? null : TicketEntity.Write(policy), () => policy);

    private BusinessCalendar CalendarFor(string? key, Func<SlaPolicy?> policy)
    {
        if (key is null)
        {
            return BusinessCalendar.Always;
        }
        return _calendars.GetOrAdd(key, _ => policy()?.Schedule is { } schedule ? BusinessCalendar.For(schedule, storeTime.For(schedule.TimeZone)) : BusinessCalendar.Always);
    }

    internal SlaView View(TicketEntity t, DateTimeOffset? now = null) => SlaClock.Compute(t.Facts(), t.PolicyValue(), CalendarOf(t), now ?? time.GetUtcNow());

    /// <summary>Stores the state the list filters on; true when it changed.</summary>
    internal bool Refresh(TicketEntity t, DateTimeOffset now)
    {
        var view = View(t, now);
        var state = view.State.ToString();
        var due = SlaClock.NextDue(view);
        if (t.BreachState == state && t.NextDueAt == due)
        {
            return false;
        }
        t.BreachState = state;
        t.NextDueAt = due;
        return true;
    }

    internal Ticket ToRecord(TicketEntity t) => new(
        t.TicketId, t.TicketId, t.CustomerId, t.CustomerName, t.OrderId, t.Subject, t.CategoryValue, t.PriorityValue, t.StatusValue,
        t.AssigneeId, t.AssigneeName, t.TagList(), Enum.Parse<TicketChannel>(t.Channel), t.ConversationId, t.CreatedAt, t.UpdatedAt,
        t.FirstResponseAt, t.ResolvedAt, t.ClosedAt, t.ReopenCount, View(t),
        t.CsatRating is { } rating ? new TicketCsat(rating, t.CsatComment, t.CsatAt ?? t.UpdatedAt) : null,
        t.ArticleList(), t.ETag.ToString());
}
